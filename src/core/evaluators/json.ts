// `json` evaluator: the reply is valid JSON and, when a schema is given, valid against it.
//
// Fences: the reply must BE JSON. A reply wrapped in a ```json … ``` fence fails (a program doing
// JSON.parse on it would fail too); the details say so, and whether the fenced JSON itself is valid,
// so the fix ("answer without a code fence", or responseFormat json_object) is obvious.
//
// Schemas: draft 2020-12 when `$schema` names 2020-12, otherwise draft-07 (Ajv's default dialect);
// ajv-formats adds `format` checks; `strict: false` so vendor keywords (e.g. from OpenAI strict
// schemas) do not stop compilation. Compiled validators are cached per schema text.

import type Ajv from 'ajv';
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { jsonSchema } from '../lazy/load';
import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn, EvaluatorResult } from './evaluator';
import { replyOf } from './templateVars';

type JsonSpec = Extract<EvaluatorSpec, { kind: 'json' }>;

const MAX_ERRORS = 5;
const FENCED = /^```[ \t]*([A-Za-z0-9_-]*)[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function ajvFor(schema: Record<string, unknown>): Ajv | Ajv2020 {
  const { Ajv, Ajv2020, addFormats } = jsonSchema();
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (dialect.includes('2020-12')) {
    if (!draft2020) {
      draft2020 = new Ajv2020({ allErrors: true, strict: false });
      addFormats(draft2020);
    }
    return draft2020;
  }
  if (!draft07) {
    draft07 = new Ajv({ allErrors: true, strict: false });
    addFormats(draft07);
  }
  return draft07;
}

/** Compile (once per distinct schema) a validator. Throws a readable error for an invalid schema. */
export function compileSchema(schema: Record<string, unknown>, schemaFile?: string): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = ajvFor(schema).compile(schema);
    } catch (err) {
      throw new Error(`JSON Schema${schemaFile ? ` ${schemaFile}` : ''} is invalid: ${(err as Error).message}`, { cause: err });
    }
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * Whether a JSON Schema compiles; when not, why and where (a path into the schema, for the line of the keyword
 * at fault). Used at load so an invalid schema is an error at its line before any model call.
 */
export function checkSchema(schema: Record<string, unknown>): { message: string; path: (string | number)[] } | undefined {
  try {
    compileSchema(schema);
    return undefined;
  } catch (err) {
    // the meta-schema says where (instancePath into the schema); otherwise the compiler's own message
    const ajv = ajvFor(schema);
    const first = ajv.validateSchema(schema) ? undefined : (ajv.errors?.[0] as ErrorObject | undefined);
    if (!first) return { message: (err as Error).message.replace(/^JSON Schema is invalid: /, ''), path: [] };
    const path = first.instancePath
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    return { message: describeSchemaErrors([first])[0], path };
  }
}

/** One line per schema error: "<instance path> <message>", with the offending property when Ajv names it. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined, max = MAX_ERRORS): string[] {
  const list = errors ?? [];
  const lines = list.slice(0, max).map((e) => {
    const at = e.instancePath || '(root)';
    const params = e.params as Record<string, unknown>;
    let extra = '';
    if (typeof params.additionalProperty === 'string') extra = ` ('${params.additionalProperty}')`;
    else if (Array.isArray(params.allowedValues)) extra = ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
    return `${at} ${e.message ?? e.keyword}${extra}`;
  });
  if (list.length > max) lines.push(`… and ${list.length - max} more`);
  return lines;
}

function parse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export const evaluateJson: EvaluatorFn<JsonSpec> = async (spec, input) => {
  const text = replyOf(input);
  const fail = (details: string, data?: unknown): EvaluatorResult => ({
    name: spec.name,
    passed: false,
    score: 0,
    details,
    data,
    category: 'format',
  });
  const validate = spec.schema ? compileSchema(spec.schema, spec.schemaFile) : undefined;
  const parsed = parse(text);
  if (!parsed.ok) {
    const fence = FENCED.exec(text);
    if (fence) {
      const inner = parse(fence[2].trim());
      let note = inner.ok ? 'the JSON inside the fence is valid' : `the text inside the fence is not valid JSON either (${inner.error})`;
      if (inner.ok && validate && !validate(inner.value)) note += ' but does not match the schema';
      return fail(`Output is wrapped in a \`\`\`${fence[1]} code fence instead of being plain JSON; ${note}`);
    }
    if (text === '') return fail('Output is empty, expected JSON');
    return fail(`Output is not valid JSON: ${parsed.error}`);
  }
  if (validate && !validate(parsed.value)) {
    const errors = describeSchemaErrors(validate.errors);
    const where = spec.schemaFile ? ` ${spec.schemaFile}` : '';
    return fail(`JSON does not match the schema${where}: ${errors.join('; ')}`, { schemaErrors: validate.errors ?? [] });
  }
  return {
    name: spec.name,
    passed: true,
    score: 1,
    details: validate ? 'Valid JSON matching the schema' : 'Valid JSON',
    category: 'format',
  };
};
