// The keys both prompt formats share (ours, plus gh's testData/evaluators): eval set, evaluators, few-shot pool,
// variants, retrieval. Validates them against the YAML source so every problem has a position.

import * as path from 'node:path';
import * as z from 'zod';
import type { SourceProblem } from '../errors';
import type { EvalCase, EvaluatorSpec, Example, ModelParameters, RetrievalSpec, VariantSpec } from './spec';
import type { Issue, IssuePath } from './issues';
import { describeValue, unknownKeyIssue, zodIssues } from './issues';
import { SubLocator } from './source';
import type { YamlSource } from './source';
import { parseEvaluator } from './evaluators';
import { loadSchemaFiles } from './schemaFiles';
import { parseCaseRow, parseExampleRow } from '../cases/row';
import { MAX_EVAL_SET_ROWS, formatCount } from '../limits';
import { CasesFileError, casesFromText, readRows, readRowsFile } from '../cases/files';

/** Problems sorted into "the file cannot be used" and "reported, the rest loads". */
export class Collector {
  readonly fatal: SourceProblem[] = [];
  readonly soft: SourceProblem[] = [];
  constructor(readonly src: YamlSource) {}
  /** An issue at a path of the YAML document; errors are fatal unless `soft`. */
  add(issue: Issue, soft = false): void {
    this.push(this.src.problem(issue), soft);
  }
  push(p: SourceProblem, soft = false): void {
    if (soft || p.severity === 'warning') this.soft.push(p);
    else this.fatal.push(p);
  }
  addAll(issues: Issue[], soft = false): void {
    for (const i of issues) this.add(i, soft);
  }
  /** Validate `value` at `path` with a zod schema; issues are fatal. */
  parse<T>(schema: z.ZodType<T>, value: unknown, p: IssuePath): T | undefined {
    const r = schema.safeParse(value, { reportInput: true });
    if (r.success) return r.data;
    this.addAll(zodIssues(r.error, p));
    return undefined;
  }
  all(): SourceProblem[] {
    return sortProblems([...this.fatal, ...this.soft]);
  }
}

/** Problems of the prompt file first in line order, then those of other files. */
export function sortProblems(ps: SourceProblem[], first?: string): SourceProblem[] {
  return [...ps].sort((a, b) => {
    if (a.file !== b.file) {
      if (first && a.file === first) return -1;
      if (first && b.file === first) return 1;
      return a.file < b.file ? -1 : 1;
    }
    return a.line - b.line || a.col - b.col;
  });
}

/**
 * The YAML source's scoped problems (a duplicate key, a line or value past its limit) outside the row lists
 * (`testData`, inline `examples`) make the file unusable; those inside a row skip only that row (parseCommon).
 */
export function addUnscopedProblems(c: Collector, obj: Record<string, unknown>): void {
  const rows: IssuePath[] = [];
  for (const k of ['testData', 'examples'] as const) {
    const list = obj[k];
    if (Array.isArray(list)) list.forEach((_, i) => rows.push([k, i]));
  }
  for (const p of c.src.scopedOutside(rows)) c.push(p);
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Warnings for keys of `obj` not in `known`, with the known key a misspelt one most likely means. */
export function warnUnknownKeys(c: Collector, obj: Record<string, unknown>, known: readonly string[], p: IssuePath, what = 'key'): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) c.add(unknownKeyIssue([...p, k], k, known, what));
  }
}


export const modelParametersSchema = z.looseObject({
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
});

const VARIANT_KEYS = [
  'name', 'shots', 'select', 'seed', 'model', 'modelParameters', 'system', 'systemSuffix', 'retrieval', 'chainOfThought', 'selfRepair',
] as const;
const variantSchema = z.object({
  name: z.union([z.string().min(1), z.number()]).transform(String),
  shots: z.number().int().min(0).optional(),
  select: z.enum(['first', 'random', 'similar']).optional(),
  seed: z.number().int().optional(),
  model: z.string().min(1).optional(),
  modelParameters: modelParametersSchema.optional(),
  system: z.string().optional(),
  systemSuffix: z.string().optional(),
  retrieval: z
    .union([
      z.boolean(),
      z.strictObject({
        chunk: z.object({ size: z.number().int().positive(), overlap: z.number().int().min(0).default(0) }).optional(),
        topK: z.number().int().positive().optional(),
        query: z.enum(['input', 'hyde', 'expand']).optional(),
        rerank: z.enum(['llm', 'lexical']).optional(),
      }),
    ])
    .optional(),
  chainOfThought: z.boolean().optional(),
  // `true` → 2 extra attempts; a number → that many; `{ maxAttempts }` as the long form.
  selfRepair: z
    .union([z.boolean(), z.number().int().min(0).max(10), z.object({ maxAttempts: z.number().int().min(0).max(10) })])
    .transform((v) => (v === true ? 2 : v === false ? undefined : typeof v === 'number' ? v : v.maxAttempts))
    .optional(),
});

const RETRIEVAL_KEYS = ['documents', 'chunk', 'topK', 'query', 'into', 'queryTemplate', 'embeddingModel', 'rerank'] as const;
const retrievalSchema = z.object({
  documents: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  chunk: z
    .object({ size: z.number().int().positive().default(800), overlap: z.number().int().min(0).default(100) })
    .default({ size: 800, overlap: 100 }),
  topK: z.number().int().positive().default(4),
  query: z.enum(['input', 'hyde', 'expand']).default('input'),
  into: z.string().min(1).default('context'),
  queryTemplate: z.string().optional(),
  embeddingModel: z.string().min(1).optional(),
  rerank: z.enum(['llm', 'lexical']).optional(),
});

/** The shared keys' values, read from the top-level map of the file (prompt.yml) or the front matter (prompty). */
export interface CommonParts {
  evaluators: EvaluatorSpec[];
  /** How many evaluators the file declared (before leaving out broken ones). */
  declaredEvaluators?: number;
  cases: EvalCase[];
  examples: Example[];
  variants?: VariantSpec[];
  retrieval?: RetrievalSpec;
}

export const COMMON_KEYS = ['testData', 'testFile', 'evaluators', 'examples', 'variants', 'retrieval'] as const;

export async function parseCommon(c: Collector, obj: Record<string, unknown>, file: string): Promise<CommonParts> {
  const out: CommonParts = { evaluators: [], cases: [], examples: [] };
  if (obj.evaluators != null) Object.assign(out, await evaluatorsOf(c, obj.evaluators, file));
  if (obj.testData != null) out.cases.push(...(await casesOfTestData(c, obj.testData, file, out.cases.length)));
  if (obj.testFile != null) out.cases.push(...(await casesOfTestFiles(c, obj.testFile, file, out.cases.length)));
  if (obj.examples != null) out.examples = await examplesOf(c, obj.examples, file);
  if (obj.retrieval != null) {
    const retrieval = retrievalOf(c, obj.retrieval);
    if (retrieval) out.retrieval = retrieval;
  }
  if (obj.variants != null) {
    const variants = variantsOf(c, obj.variants, obj.retrieval !== undefined);
    if (variants) {
      out.variants = variants;
      const maxShots = Math.max(0, ...variants.map((v) => v.shots ?? 0));
      if (maxShots > 0 && out.examples.length === 0 && obj.examples === undefined) {
        c.add({ path: ['variants'], message: `a variant asks for ${maxShots} shot${maxShots === 1 ? '' : 's'} but there is no \`examples\` pool`, severity: 'warning' });
      }
    }
  }
  return out;
}

/**
 * evaluators: a bad evaluator is reported (an error: the run exits 1) and left out; the others still check, as
 * gh fails only the run of a broken evaluator. When none is left, the CLI says nothing was checked.
 */
async function evaluatorsOf(c: Collector, list: unknown, file: string): Promise<Pick<CommonParts, 'evaluators' | 'declaredEvaluators'>> {
  const src = c.src;
  if (!Array.isArray(list)) {
    c.add({ path: ['evaluators'], message: `expected a list of evaluators, got ${describeValue(list)}` });
    return { evaluators: [] };
  }
  let evaluators: EvaluatorSpec[] = [];
  const sourceIndex = new Map<EvaluatorSpec, number>();
  list.forEach((e, i) => {
    const r = parseEvaluator(e, ['evaluators', i], src.line(['evaluators', i]), i);
    c.addAll(r.issues, true);
    if (r.spec) {
      evaluators.push(r.spec);
      sourceIndex.set(r.spec, i);
    }
  });
  const schemaAt = (e: EvaluatorSpec) => src.range(['evaluators', sourceIndex.get(e) ?? -1, 'json', 'schema']);
  const inlineAt = (e: EvaluatorSpec, p: IssuePath) => src.range(['evaluators', sourceIndex.get(e) ?? -1, 'json', 'schema', ...p]);
  const invalid: EvaluatorSpec[] = [];
  const schemaProblems = await loadSchemaFiles(evaluators, path.dirname(file), file, schemaAt, inlineAt, invalid);
  for (const p of schemaProblems) c.push(p, true);
  // an evaluator whose schema did not load (or does not compile) cannot check anything: leave it out
  evaluators = evaluators.filter((e) => !invalid.includes(e) && !(e.kind === 'json' && e.schemaFile && !e.schema) && !(e.kind === 'code' && !e.module));
  const names = new Set<string>();
  evaluators.forEach((e, i) => {
    if (names.has(e.name)) c.add({ path: ['evaluators', i, 'name'], message: `duplicate evaluator name "${e.name}"`, severity: 'warning' });
    names.add(e.name);
  });
  return { evaluators, declaredEvaluators: list.length };
}

/** testData: inline rows, numbered from `firstIndex`; a bad row is skipped. */
async function casesOfTestData(c: Collector, rows: unknown, file: string, firstIndex: number): Promise<EvalCase[]> {
  const src = c.src;
  if (!Array.isArray(rows)) {
    c.add({ path: ['testData'], message: `expected a list of test rows, got ${describeValue(rows)}` });
    return [];
  }
  if (rows.length > MAX_EVAL_SET_ROWS) {
    c.add({ path: ['testData', MAX_EVAL_SET_ROWS], message: `more than ${formatCount(MAX_EVAL_SET_ROWS)} rows (the limit for one list): the ${formatCount(rows.length - MAX_EVAL_SET_ROWS)} rows from here on are not run; move them to a testFile` }, true);
  }
  const cases: EvalCase[] = [];
  for (let i = 0; i < Math.min(rows.length, MAX_EVAL_SET_ROWS); i++) {
    const scoped = src.scopedIn(['testData', i]);
    if (scoped.length) {
      scoped.forEach((p) => c.push({ ...p, message: `${p.message}; this case is skipped` }, true));
      continue;
    }
    const loc = new SubLocator(src, ['testData', i]);
    const r = parseCaseRow(rows[i], loc, { file, line: src.line(['testData', i]), index: firstIndex + cases.length });
    for (const p of r.problems) c.push(p, true);
    if (!r.value) continue;
    const caseEvaluators = r.value.evaluators;
    if (caseEvaluators?.length) {
      const row = i;
      const sp = await loadSchemaFiles(caseEvaluators, path.dirname(file), file, (e) =>
        src.range(['testData', row, 'evaluators', caseEvaluators.indexOf(e), 'json', 'schema']),
      );
      if (sp.length) {
        sp.forEach((p) => c.push(p, true));
        continue;
      }
    }
    cases.push(r.value);
  }
  return cases;
}

/** testFile: one path or a list; its rows follow testData, numbered from `firstIndex`. */
async function casesOfTestFiles(c: Collector, testFile: unknown, file: string, firstIndex: number): Promise<EvalCase[]> {
  const files = typeof testFile === 'string' ? [testFile] : testFile;
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && f)) {
    c.add({ path: ['testFile'], message: `expected a path or a list of paths, got ${describeValue(testFile)}` });
    return [];
  }
  const cases: EvalCase[] = [];
  for (let i = 0; i < files.length; i++) {
    const p: IssuePath = typeof testFile === 'string' ? ['testFile'] : ['testFile', i];
    try {
      const { abs, text } = await readRowsFile(files[i], path.dirname(file));
      const r = await casesFromText(abs, text, firstIndex + cases.length);
      cases.push(...r.cases);
      r.problems.forEach((pr) => c.push(pr, true));
    } catch (e) {
      if (!(e instanceof CasesFileError)) throw e;
      c.add({ path: p, message: e.message });
    }
  }
  return cases;
}

/** examples: an inline list or a file; a bad example is skipped. */
async function examplesOf(c: Collector, value: unknown, file: string): Promise<Example[]> {
  const src = c.src;
  const examples: Example[] = [];
  if (typeof value === 'string') {
    try {
      const { abs, text } = await readRowsFile(value, path.dirname(file));
      const { rows, problems } = readRows(abs, text);
      problems.forEach((pr) => c.push(pr, true));
      for (const row of rows) {
        const r = parseExampleRow(row.value, row.loc, { file: abs, line: row.line });
        r.problems.forEach((pr) => c.push(pr, true));
        if (r.value) examples.push(r.value);
      }
    } catch (e) {
      if (!(e instanceof CasesFileError)) throw e;
      c.add({ path: ['examples'], message: e.message });
    }
  } else if (Array.isArray(value)) {
    value.forEach((ex, i) => {
      const scoped = src.scopedIn(['examples', i]);
      if (scoped.length) {
        scoped.forEach((p) => c.push({ ...p, message: `${p.message}; this example is skipped` }, true));
        return;
      }
      const r = parseExampleRow(ex, new SubLocator(src, ['examples', i]), { file, line: src.line(['examples', i]) });
      r.problems.forEach((pr) => c.push(pr, true));
      if (r.value) examples.push(r.value);
    });
  } else {
    c.add({ path: ['examples'], message: `expected a list of {input, output} or a path to a JSONL/YAML file, got ${describeValue(value)}` });
  }
  return examples;
}

/** The top-level `retrieval` section, with its defaults filled in. */
function retrievalOf(c: Collector, value: unknown): RetrievalSpec | undefined {
  if (!isMap(value)) {
    c.add({ path: ['retrieval'], message: `expected a map (documents, chunk, topK, query, into), got ${describeValue(value)}` });
    return undefined;
  }
  warnUnknownKeys(c, value, RETRIEVAL_KEYS, ['retrieval']);
  const r = c.parse(retrievalSchema, value, ['retrieval']);
  if (!r) return undefined;
  if (r.chunk.overlap >= r.chunk.size) c.add({ path: ['retrieval', 'chunk', 'overlap'], message: `must be smaller than chunk.size (${r.chunk.size}), got ${r.chunk.overlap}` });
  return {
    documents: typeof r.documents === 'string' ? [r.documents] : r.documents,
    chunk: r.chunk,
    topK: r.topK,
    query: r.query,
    into: r.into,
    ...(r.queryTemplate !== undefined ? { queryTemplate: r.queryTemplate } : {}),
    ...(r.embeddingModel !== undefined ? { embeddingModel: r.embeddingModel } : {}),
    ...(r.rerank !== undefined ? { rerank: r.rerank } : {}),
    line: c.src.keyRange(['retrieval']).line,
  };
}

/** `variants`: each a map with a unique name; a bad variant is reported and left out. */
function variantsOf(c: Collector, value: unknown, hasRetrieval: boolean): VariantSpec[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    c.add({ path: ['variants'], message: Array.isArray(value) ? 'must not be empty' : `expected a list of variants, got ${describeValue(value)}` });
    return undefined;
  }
  const names = new Set<string>();
  const variants: VariantSpec[] = [];
  value.forEach((v, i) => {
    const p: IssuePath = ['variants', i];
    if (!isMap(v)) {
      c.add({ path: p, message: `expected a variant (a map with a name), got ${describeValue(v)}` });
      return;
    }
    warnUnknownKeys(c, v, VARIANT_KEYS, p);
    const r = c.parse(variantSchema, v, p);
    if (!r) return;
    if (names.has(r.name)) c.add({ path: [...p, 'name'], message: `duplicate variant name "${r.name}"` });
    names.add(r.name);
    if (r.retrieval && !hasRetrieval) c.add({ path: [...p, 'retrieval'], message: `${r.retrieval === true ? 'retrieval: true' : 'retrieval'} needs a top-level \`retrieval\` section` });
    if (typeof r.retrieval === 'object' && r.retrieval.chunk && r.retrieval.chunk.overlap >= r.retrieval.chunk.size) {
      c.add({ path: [...p, 'retrieval', 'chunk', 'overlap'], message: `must be smaller than chunk.size (${r.retrieval.chunk.size}), got ${r.retrieval.chunk.overlap}` });
    }
    const spec: VariantSpec = { name: r.name, line: c.src.line(p) };
    for (const k of VARIANT_KEYS) if (k !== 'name' && r[k] !== undefined) (spec as unknown as Record<string, unknown>)[k] = r[k];
    variants.push(spec);
  });
  return variants;
}

export function cleanModelParameters(p: Record<string, unknown>): ModelParameters {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as ModelParameters;
}
