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
  const dir = path.dirname(file);
  const src = c.src;
  const out: CommonParts = { evaluators: [], cases: [], examples: [] };

  // evaluators: a bad evaluator is reported (an error: the run exits 1) and left out; the others still check, as
  // gh fails only the run of a broken evaluator. When none is left, the CLI says nothing was checked.
  if (obj.evaluators !== undefined && obj.evaluators !== null) {
    if (!Array.isArray(obj.evaluators)) c.add({ path: ['evaluators'], message: `expected a list of evaluators, got ${describeValue(obj.evaluators)}` });
    else {
      out.declaredEvaluators = obj.evaluators.length;
      const sourceIndex = new Map<EvaluatorSpec, number>();
      obj.evaluators.forEach((e, i) => {
        const r = parseEvaluator(e, ['evaluators', i], src.line(['evaluators', i]), i);
        c.addAll(r.issues, true);
        if (r.spec) {
          out.evaluators.push(r.spec);
          sourceIndex.set(r.spec, i);
        }
      });
      const schemaAt = (e: EvaluatorSpec) => src.range(['evaluators', sourceIndex.get(e) ?? -1, 'json', 'schema']);
      const inlineAt = (e: EvaluatorSpec, p: IssuePath) => src.range(['evaluators', sourceIndex.get(e) ?? -1, 'json', 'schema', ...p]);
      const invalid: EvaluatorSpec[] = [];
      const schemaProblems = await loadSchemaFiles(out.evaluators, dir, file, schemaAt, inlineAt, invalid);
      for (const p of schemaProblems) c.push(p, true);
      // an evaluator whose schema did not load (or does not compile) cannot check anything: leave it out
      out.evaluators = out.evaluators.filter((e) => !invalid.includes(e) && !(e.kind === 'json' && e.schemaFile && !e.schema) && !(e.kind === 'code' && !e.module));
      const names = new Set<string>();
      out.evaluators.forEach((e, i) => {
        if (names.has(e.name)) c.add({ path: ['evaluators', i, 'name'], message: `duplicate evaluator name "${e.name}"`, severity: 'warning' });
        names.add(e.name);
      });
    }
  }

  // testData: inline rows; a bad row is skipped.
  if (obj.testData !== undefined && obj.testData !== null) {
    if (!Array.isArray(obj.testData)) c.add({ path: ['testData'], message: `expected a list of test rows, got ${describeValue(obj.testData)}` });
    else {
      if (obj.testData.length > MAX_EVAL_SET_ROWS) {
        c.add({ path: ['testData', MAX_EVAL_SET_ROWS], message: `more than ${formatCount(MAX_EVAL_SET_ROWS)} rows (the limit for one list): the ${formatCount(obj.testData.length - MAX_EVAL_SET_ROWS)} rows from here on are not run; move them to a testFile` }, true);
      }
      for (let i = 0; i < Math.min(obj.testData.length, MAX_EVAL_SET_ROWS); i++) {
        const scoped = src.scopedIn(['testData', i]);
        if (scoped.length) {
          scoped.forEach((p) => c.push({ ...p, message: `${p.message}; this case is skipped` }, true));
          continue;
        }
        const loc = new SubLocator(src, ['testData', i]);
        const r = parseCaseRow(obj.testData[i], loc, { file, line: src.line(['testData', i]), index: out.cases.length });
        for (const p of r.problems) c.push(p, true);
        if (!r.value) continue;
        if (r.value.evaluators?.length) {
          const row = i;
          const sp = await loadSchemaFiles(r.value.evaluators, dir, file, (e) =>
            src.range(['testData', row, 'evaluators', r.value?.evaluators?.indexOf(e) ?? -1, 'json', 'schema']),
          );
          if (sp.length) {
            sp.forEach((p) => c.push(p, true));
            continue;
          }
        }
        out.cases.push(r.value);
      }
    }
  }

  // testFile: one path or a list; rows follow testData.
  if (obj.testFile !== undefined && obj.testFile !== null) {
    const files = typeof obj.testFile === 'string' ? [obj.testFile] : obj.testFile;
    if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && f)) {
      c.add({ path: ['testFile'], message: `expected a path or a list of paths, got ${describeValue(obj.testFile)}` });
    } else {
      for (let i = 0; i < files.length; i++) {
        const p: IssuePath = typeof obj.testFile === 'string' ? ['testFile'] : ['testFile', i];
        try {
          const { abs, text } = await readRowsFile(files[i], dir);
          const r = await casesFromText(abs, text, out.cases.length);
          out.cases.push(...r.cases);
          r.problems.forEach((pr) => c.push(pr, true));
        } catch (e) {
          if (!(e instanceof CasesFileError)) throw e;
          c.add({ path: p, message: e.message });
        }
      }
    }
  }

  // examples: inline list or a file; a bad example is skipped.
  if (obj.examples !== undefined && obj.examples !== null) {
    if (typeof obj.examples === 'string') {
      try {
        const { abs, text } = await readRowsFile(obj.examples, dir);
        const { rows, problems } = readRows(abs, text);
        problems.forEach((pr) => c.push(pr, true));
        for (const row of rows) {
          const r = parseExampleRow(row.value, row.loc, { file: abs, line: row.line });
          r.problems.forEach((pr) => c.push(pr, true));
          if (r.value) out.examples.push(r.value);
        }
      } catch (e) {
        if (!(e instanceof CasesFileError)) throw e;
        c.add({ path: ['examples'], message: e.message });
      }
    } else if (Array.isArray(obj.examples)) {
      obj.examples.forEach((ex, i) => {
        const scoped = src.scopedIn(['examples', i]);
        if (scoped.length) {
          scoped.forEach((p) => c.push({ ...p, message: `${p.message}; this example is skipped` }, true));
          return;
        }
        const r = parseExampleRow(ex, new SubLocator(src, ['examples', i]), { file, line: src.line(['examples', i]) });
        r.problems.forEach((pr) => c.push(pr, true));
        if (r.value) out.examples.push(r.value);
      });
    } else {
      c.add({ path: ['examples'], message: `expected a list of {input, output} or a path to a JSONL/YAML file, got ${describeValue(obj.examples)}` });
    }
  }

  // retrieval
  if (obj.retrieval !== undefined && obj.retrieval !== null) {
    if (!isMap(obj.retrieval)) c.add({ path: ['retrieval'], message: `expected a map (documents, chunk, topK, query, into), got ${describeValue(obj.retrieval)}` });
    else {
      warnUnknownKeys(c, obj.retrieval, RETRIEVAL_KEYS, ['retrieval']);
      const r = c.parse(retrievalSchema, obj.retrieval, ['retrieval']);
      if (r) {
        if (r.chunk.overlap >= r.chunk.size) c.add({ path: ['retrieval', 'chunk', 'overlap'], message: `must be smaller than chunk.size (${r.chunk.size}), got ${r.chunk.overlap}` });
        out.retrieval = {
          documents: typeof r.documents === 'string' ? [r.documents] : r.documents,
          chunk: r.chunk,
          topK: r.topK,
          query: r.query,
          into: r.into,
          ...(r.queryTemplate !== undefined ? { queryTemplate: r.queryTemplate } : {}),
          ...(r.embeddingModel !== undefined ? { embeddingModel: r.embeddingModel } : {}),
          ...(r.rerank !== undefined ? { rerank: r.rerank } : {}),
          line: src.keyRange(['retrieval']).line,
        };
      }
    }
  }

  // variants
  if (obj.variants !== undefined && obj.variants !== null) {
    if (!Array.isArray(obj.variants) || obj.variants.length === 0) {
      c.add({ path: ['variants'], message: Array.isArray(obj.variants) ? 'must not be empty' : `expected a list of variants, got ${describeValue(obj.variants)}` });
    } else {
      const names = new Set<string>();
      const variants: VariantSpec[] = [];
      obj.variants.forEach((v, i) => {
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
        if (r.retrieval && obj.retrieval === undefined) c.add({ path: [...p, 'retrieval'], message: `${r.retrieval === true ? 'retrieval: true' : 'retrieval'} needs a top-level \`retrieval\` section` });
        if (typeof r.retrieval === 'object' && r.retrieval.chunk && r.retrieval.chunk.overlap >= r.retrieval.chunk.size) {
          c.add({ path: [...p, 'retrieval', 'chunk', 'overlap'], message: `must be smaller than chunk.size (${r.retrieval.chunk.size}), got ${r.retrieval.chunk.overlap}` });
        }
        const spec: VariantSpec = { name: r.name, line: src.line(p) };
        for (const k of VARIANT_KEYS) if (k !== 'name' && r[k] !== undefined) (spec as unknown as Record<string, unknown>)[k] = r[k];
        variants.push(spec);
      });
      out.variants = variants;
      const maxShots = Math.max(0, ...variants.map((v) => v.shots ?? 0));
      if (maxShots > 0 && out.examples.length === 0 && obj.examples === undefined) {
        c.add({ path: ['variants'], message: `a variant asks for ${maxShots} shot${maxShots === 1 ? '' : 's'} but there is no \`examples\` pool`, severity: 'warning' });
      }
    }
  }
  return out;
}

export function cleanModelParameters(p: Record<string, unknown>): ModelParameters {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as ModelParameters;
}
