// Parses evaluator declarations (gh syntax `string`/`llm`/`uses` and our kinds) into EvaluatorSpec,
// for the prompt's `evaluators` and for case-level `evaluators` alike. Schema files are loaded by the caller.

import * as z from 'zod';
import { ERROR_CATEGORIES } from './spec';
import type { EvaluatorSpec } from './spec';
import type { Issue, IssuePath } from './issues';
import { describeValue, unknownKeyIssue, zodIssues } from './issues';
import { closestName } from '../text/editDistance';

/** The key that names an evaluator's kind in the file → its EvaluatorSpec kind. */
export const EVALUATOR_KEYS = [
  'string',
  'llm',
  'uses',
  'regex',
  'json',
  'similar',
  'judge',
  'faithfulness',
  'answer-relevancy',
  'context-precision',
  'context-recall',
  'latency',
  'cost',
  'refusal',
  'code',
] as const;
type EvaluatorKey = (typeof EVALUATOR_KEYS)[number];

const BUILTINS = ['github/similarity', 'github/coherence', 'github/fluency', 'github/relevance', 'github/groundedness'];

// gh reads string evaluator values into Go strings; YAML scalars like `equals: 42` therefore count as text.
const text = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const unit = z.number().min(0).max(1);
const modelRef = z.string().min(1);

// Built on first use of each kind (most files use two or three of fifteen; building them all costs start-up time).
const KIND_SCHEMAS: Record<EvaluatorKey, () => z.ZodType> = {
  string: () => z
    .object({ equals: text.optional(), contains: text.optional(), startsWith: text.optional(), endsWith: text.optional() })
    .refine((v) => Object.values(v).some((x) => x !== undefined), {
      message: 'needs one of equals, contains, startsWith, endsWith',
    }),
  llm: () => z.object({
    modelId: z.string().min(1),
    prompt: z.string().min(1),
    systemPrompt: z.string().optional(),
    choices: z.array(z.object({ choice: text, score: z.number() })).min(1),
  }),
  uses: () => z.string().min(1),
  regex: () => z.object({ pattern: z.string().min(1), flags: z.string().regex(/^[dgimsuyv]*$/, 'flags may only hold d, g, i, m, s, u, v, y').optional(), negate: z.boolean().optional() }),
  json: () => z.union([z.null(), z.literal(true), z.object({ schema: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional() })]),
  similar: () => z.object({ reference: z.string().optional(), threshold: unit.default(0.8), model: modelRef.optional() }),
  judge: () => z.object({ rubric: z.string().min(1), model: modelRef.optional(), threshold: unit.optional() }),
  faithfulness: () => ragas(),
  'answer-relevancy': () => ragas(),
  'context-precision': () => ragas(),
  'context-recall': () => ragas(),
  latency: () => z.object({ maxMs: z.number().positive() }),
  cost: () => z.object({ maxUsd: z.number().positive() }),
  refusal: () => z.union([z.null(), z.literal(true), z.object({ expected: z.boolean().optional() })]),
  code: () => z.union([
    z.string().min(1).transform((file) => ({ file })),
    z.object({ file: z.string().min(1), timeoutMs: z.number().int().positive().max(600000).optional(), threshold: unit.optional() }),
  ]),
};

const builtSchemas = new Map<EvaluatorKey, z.ZodType>();
function kindSchema(key: EvaluatorKey): z.ZodType {
  let schema = builtSchemas.get(key);
  if (!schema) builtSchemas.set(key, (schema = KIND_SCHEMAS[key]()));
  return schema;
}

function ragas() {
  return z.union([z.null(), z.literal(true), z.object({ threshold: unit.optional(), model: modelRef.optional() })]);
}

const COMMON_KEYS = new Set(['name', 'category', 'weight']);

export interface ParsedEvaluator {
  spec?: EvaluatorSpec;
  issues: Issue[];
}

/**
 * Parse one evaluator at `path` (e.g. ['evaluators', 2]); `line` is its declaration line.
 * A `json` evaluator naming a schema file comes back with `schemaFile` set and no `schema`: the caller loads it.
 */
export function parseEvaluator(raw: unknown, path: IssuePath, line: number, index: number): ParsedEvaluator {
  const issues: Issue[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { issues: [{ path, message: `expected an evaluator (a map with a name and a kind), got ${describeValue(raw)}` }] };
  }
  const obj = raw as Record<string, unknown>;
  const kinds = EVALUATOR_KEYS.filter((k) => k in obj);
  if (kinds.length === 0) {
    for (const k of Object.keys(obj)) {
      const kind = COMMON_KEYS.has(k) ? undefined : closestName(k, EVALUATOR_KEYS);
      if (kind) return { issues: [{ path: [...path, k], message: `unknown evaluator kind "${k}"; did you mean "${kind}"?`, atKey: true, replacement: kind }] };
    }
    return { issues: [{ path, message: `unknown evaluator kind; expected one of ${EVALUATOR_KEYS.join(', ')}` }] };
  }
  if (kinds.length > 1) {
    return { issues: [{ path, message: `more than one evaluator kind (${kinds.join(', ')}); declare one kind per evaluator` }] };
  }
  const key = kinds[0];
  for (const k of Object.keys(obj)) {
    if (k !== key && !COMMON_KEYS.has(k)) issues.push(unknownKeyIssue([...path, k], k, [key, ...COMMON_KEYS], 'evaluator key'));
  }

  const common = z
    .object({ name: text.optional(), category: z.enum(ERROR_CATEGORIES).optional(), weight: z.number().nonnegative().optional() })
    .safeParse({ name: obj.name, category: obj.category, weight: obj.weight }, { reportInput: true });
  if (!common.success) issues.push(...zodIssues(common.error, path));
  const body = kindSchema(key).safeParse(obj[key], { reportInput: true });
  if (!body.success) issues.push(...zodIssues(body.error, [...path, key]));
  if (!common.success || !body.success) return { issues };

  const value = body.data as Record<string, unknown> | string | null | true;
  const kind = key === 'uses' ? 'builtin' : key;
  const base = {
    name: common.data.name ?? (key === 'uses' ? String(value) : `${key}-${index + 1}`),
    line,
    ...(common.data.category ? { category: common.data.category } : {}),
    ...(common.data.weight !== undefined ? { weight: common.data.weight } : {}),
  };

  if (key === 'uses') {
    const uses = value as string;
    if (!BUILTINS.includes(uses)) {
      // gh loads the file and fails this evaluator on every case ("Plugin evaluator '…' not found"); so do we.
      issues.push({
        path: [...path, 'uses'],
        message: `unknown plugin evaluator ${JSON.stringify(uses)} (known: ${BUILTINS.join(', ')}); it fails every case, as gh's "Plugin evaluator '${uses}' not found"`,
        severity: 'warning',
      });
    }
    return { spec: { ...base, kind: 'builtin', uses }, issues };
  }
  if (key === 'regex') {
    const r = value as { pattern: string; flags?: string; negate?: boolean };
    try {
      new RegExp(r.pattern, r.flags);
    } catch (e) {
      issues.push({ path: [...path, 'regex', 'pattern'], message: `invalid regular expression: ${(e as Error).message}` });
      return { issues };
    }
  }
  if (key === 'json') {
    const j = value && typeof value === 'object' ? (value as { schema?: string | Record<string, unknown> }) : {};
    if (typeof j.schema === 'string') return { spec: { ...base, kind: 'json', schemaFile: j.schema }, issues };
    return { spec: { ...base, kind: 'json', ...(j.schema ? { schema: j.schema } : {}) }, issues };
  }
  const fields = value && typeof value === 'object' ? stripUndefined(value) : {};
  return { spec: { ...base, kind, ...fields } as EvaluatorSpec, issues };
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
