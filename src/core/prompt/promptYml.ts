// Loader for `*.prompt.yml` / `*.prompt.yaml`: the GitHub Models prompt format plus our keys (FORMATS.md §1).

import * as path from 'node:path';
import { isScalar, Scalar } from 'yaml';
import * as z from 'zod';
import type { SourceProblem } from '../errors';
import type { MessageTemplate, PromptSpec, ResponseFormat } from './spec';
import type { IssuePath } from './issues';
import { describeValue } from './issues';
import { YamlSource } from './source';
import { COMMON_KEYS, Collector, addUnscopedProblems, sortProblems, cleanModelParameters, isMap, modelParametersSchema, parseCommon, warnUnknownKeys } from './common';

export const PROMPT_YML_KEYS = ['name', 'description', 'model', 'modelParameters', 'responseFormat', 'jsonSchema', 'messages', ...COMMON_KEYS] as const;

// gh decodes YAML scalars into Go strings, so `content: 42` is the text "42" there; do the same.
const scalarText = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
// gh lower-cases the role (pkg/prompt GetAzureChatMessageRole), so `role: User` is a user message there too.
const roleSchema = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['system', 'user', 'assistant']));
const messageSchema = z.object({ role: roleSchema, content: scalarText });

export interface LoadResult {
  spec?: PromptSpec;
  /** Problems that make the file unusable (spec is undefined when there are any). */
  fatal: SourceProblem[];
  /** Everything else: bad rows, warnings. */
  soft: SourceProblem[];
}

const JINJA_STATEMENT = /\{%-?\s*(for|if|elif|else|endfor|endif|set|macro|include|import|extends|block|raw|filter)\b/;

/**
 * Warn, at its line, about the first Jinja statement (`{% for %}`, `{% if %}`, …) in a message: gh sends it to the
 * model as written, since a .prompt.yml only has `{{name}}` replacement; loops and conditions need a .prompty file.
 */
export function checkMessageTemplate(c: Collector, content: string, p: IssuePath): void {
  const m = JINJA_STATEMENT.exec(content);
  if (!m) return;
  const node = c.src.nodeAt(p);
  const range = c.src.range(p);
  const block = isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED);
  const before = content.slice(0, m.index).split('\n').length - 1;
  const line = range.line + before + (block ? 1 : 0);
  const message = `template: {% ${m[1]} %} is sent as written: a .prompt.yml only replaces {{name}}, as gh does (loops and conditions need a .prompty file)`;
  c.push({ file: c.src.file, line, col: 1, message, severity: 'warning' });
}

export function nameFromFile(file: string, suffix: RegExp): string {
  return path.basename(file).replace(suffix, '');
}

export async function loadPromptYml(file: string, text: string): Promise<LoadResult> {
  const src = new YamlSource(file, text);
  const c = new Collector(src);
  if (src.hasErrors) return { fatal: src.syntaxProblems, soft: [] };
  src.syntaxProblems.forEach((p) => c.push(p));
  const obj = src.toJS();
  if (!isMap(obj)) {
    c.add({ path: [], message: `expected a prompt file (a map with messages), got ${obj === null || obj === undefined ? 'an empty file' : describeValue(obj)}` });
    return { fatal: c.fatal, soft: c.soft };
  }
  addUnscopedProblems(c, obj);
  warnUnknownKeys(c, obj, PROMPT_YML_KEYS, []);

  const name = stringAt(c, obj, 'name') ?? nameFromFile(file, /\.prompt\.ya?ml$/i);
  const description = stringAt(c, obj, 'description');
  const model = stringAt(c, obj, 'model');
  let modelParameters = {};
  if (obj.modelParameters !== undefined && obj.modelParameters !== null) {
    const mp = c.parse(modelParametersSchema, obj.modelParameters, ['modelParameters']);
    if (mp) modelParameters = cleanModelParameters(mp);
  }
  const responseFormat = responseFormatOf(c, obj);
  const messages = messagesOf(c, obj.messages);
  const common = await parseCommon(c, obj, file);
  if (c.fatal.length) return { fatal: c.fatal, soft: c.soft };

  const keyLines: Record<string, number> = {};
  for (const k of Object.keys(obj)) keyLines[k] = src.keyRange([k]).line;

  const spec: PromptSpec = {
    format: 'prompt.yml',
    file,
    name,
    ...(description !== undefined ? { description } : {}),
    ...(model !== undefined ? { model } : {}),
    modelParameters,
    ...(responseFormat ? { responseFormat } : {}),
    messages,
    evaluators: common.evaluators,
    ...(common.declaredEvaluators !== undefined ? { declaredEvaluators: common.declaredEvaluators } : {}),
    cases: common.cases,
    examples: common.examples,
    variants: common.variants ?? [{ name: 'default', shots: 0, line: keyLines.model ?? 1 }],
    ...(common.retrieval ? { retrieval: common.retrieval } : {}),
    problems: sortProblems(c.soft, file),
    keyLines,
  };
  return { spec, fatal: [], soft: spec.problems };
}

/** A top-level string key; a number or boolean is taken as its text, anything else is a problem. */
function stringAt(c: Collector, obj: Record<string, unknown>, k: string): string | undefined {
  const v = obj[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') {
    c.add({ path: [k], message: `expected a string, got ${describeValue(v)}` });
    return undefined;
  }
  return v;
}

/** responseFormat + jsonSchema (a JSON string in gh; a YAML map accepted too). */
function responseFormatOf(c: Collector, obj: Record<string, unknown>): ResponseFormat | undefined {
  if (obj.responseFormat === undefined || obj.responseFormat === null) {
    if (obj.jsonSchema !== undefined && obj.jsonSchema !== null) checkUnusedJsonSchema(c, obj.jsonSchema);
    return undefined;
  }
  const rf = c.parse(z.enum(['text', 'json_object', 'json_schema']), obj.responseFormat, ['responseFormat']);
  if (rf === 'text' || rf === 'json_object') return { type: rf };
  if (rf !== 'json_schema') return undefined;
  let js: unknown = obj.jsonSchema;
  if (js === undefined || js === null) {
    c.add({ path: ['responseFormat'], message: 'responseFormat json_schema needs a `jsonSchema` (a JSON string with name and schema)' });
    return undefined;
  }
  if (typeof js === 'string') {
    try {
      js = JSON.parse(js);
    } catch (e) {
      c.add({ path: ['jsonSchema'], message: `invalid JSON: ${(e as Error).message}` });
      return undefined;
    }
  }
  if (!isMap(js)) c.add({ path: ['jsonSchema'], message: `expected a JSON object with name and schema, got ${describeValue(js)}` });
  else if (typeof js.name !== 'string' || !js.name) c.add({ path: ['jsonSchema'], message: 'jsonSchema must contain a "name" (a string)' });
  else if (!isMap(js.schema)) c.add({ path: ['jsonSchema'], message: 'jsonSchema must contain a "schema" (a JSON object)' });
  else return { type: 'json_schema', name: js.name, schema: js.schema, ...(typeof js.strict === 'boolean' ? { strict: js.strict } : {}) };
  return undefined;
}

/** gh decodes jsonSchema whatever responseFormat says, so a JSON string that is not a JSON object refuses the file there. */
function checkUnusedJsonSchema(c: Collector, js: unknown): void {
  let bad: string | undefined;
  if (typeof js === 'string') {
    try {
      const parsed: unknown = JSON.parse(js);
      if (!isMap(parsed)) bad = `expected a JSON object with name and schema, got ${describeValue(parsed)}`;
    } catch (e) {
      bad = `invalid JSON: ${(e as Error).message}`;
    }
  }
  if (bad) c.add({ path: ['jsonSchema'], message: bad });
  else c.add({ path: ['jsonSchema'], message: 'jsonSchema is used only with responseFormat: json_schema', severity: 'warning' });
}

/** `messages`: a non-empty list of {role, content}; each content's template is checked. */
function messagesOf(c: Collector, value: unknown): MessageTemplate[] {
  const messages: MessageTemplate[] = [];
  if (value === undefined || value === null) c.add({ path: [], message: 'no messages: a prompt file needs `messages` (a list of {role, content})' });
  else if (!Array.isArray(value)) c.add({ path: ['messages'], message: `expected a list of {role, content}, got ${describeValue(value)}` });
  else if (value.length === 0) c.add({ path: ['messages'], message: 'must not be empty' });
  else {
    value.forEach((m, i) => {
      const p: IssuePath = ['messages', i];
      if (!isMap(m)) {
        c.add({ path: p, message: `expected a message {role, content}, got ${describeValue(m)}` });
        return;
      }
      const r = c.parse(messageSchema, m, p);
      if (!r) return;
      checkMessageTemplate(c, r.content, [...p, 'content']);
      messages.push({ role: r.role, content: r.content, line: c.src.line(p) });
    });
  }
  return messages;
}
