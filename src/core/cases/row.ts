// One eval-set row (inline testData, a JSONL line, a CSV record, a YAML item) → EvalCase, and one few-shot row → Example.
// Problems name the row's position; a bad row is skipped by the caller, the rest still runs.

import type { SourceProblem } from '../errors';
import type { EvalCase, EvaluatorSpec, Example } from '../prompt/spec';
import type { Issue } from '../prompt/issues';
import { describeValue, unknownKeyIssue } from '../prompt/issues';
import { parseEvaluator } from '../prompt/evaluators';
import type { Locator } from '../prompt/source';

/** Row keys lifted into EvalCase fields. `expected` (and `context`, `tags`) also stay in `vars`, as in gh. */
export const SPECIAL_CASE_KEYS = ['expected', 'context', 'tags', 'evaluators'] as const;

export interface RowResult<T> {
  value?: T;
  /** Problems of this row (errors mean the row was skipped; warnings do not). */
  problems: SourceProblem[];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/** `expected` as text: strings as written, anything else as JSON (a number stays `42`). */
export function expectedText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Parse a case row. Case-level json evaluators naming a schema file keep only `schemaFile`; the caller loads it. */
export function parseCaseRow(raw: unknown, loc: Locator, where: { file: string; line: number; index: number }): RowResult<EvalCase> {
  const problems: SourceProblem[] = [];
  const err = (issue: Issue): RowResult<EvalCase> => ({ problems: [...problems, loc.problem(issue)] });
  if (!isMap(raw)) return err({ path: [], message: `expected a case (a map of variables), got ${describeValue(raw)}` });

  const c: EvalCase = { index: where.index, file: where.file, line: where.line, vars: {} };
  for (const [k, v] of Object.entries(raw)) if (k !== 'evaluators') c.vars[k] = v;

  if (raw.expected !== undefined && raw.expected !== null) c.expected = expectedText(raw.expected);
  if (raw.context !== undefined && raw.context !== null) {
    const ctx = stringList(raw.context);
    if (!ctx) return err({ path: ['context'], message: `expected a string or a list of strings, got ${describeValue(raw.context)}` });
    c.context = ctx;
  }
  if (raw.tags !== undefined && raw.tags !== null) {
    const tags = stringList(raw.tags);
    if (!tags) return err({ path: ['tags'], message: `expected a string or a list of strings, got ${describeValue(raw.tags)}` });
    c.tags = tags;
  }
  if (raw.evaluators !== undefined && raw.evaluators !== null) {
    if (!Array.isArray(raw.evaluators)) return err({ path: ['evaluators'], message: `expected a list of evaluators, got ${describeValue(raw.evaluators)}` });
    const evals: EvaluatorSpec[] = [];
    let bad = false;
    raw.evaluators.forEach((e, i) => {
      const r = parseEvaluator(e, ['evaluators', i], loc.line(['evaluators', i]), i);
      for (const issue of r.issues) {
        problems.push(loc.problem(issue));
        if ((issue.severity ?? 'error') === 'error') bad = true;
      }
      if (r.spec) evals.push(r.spec);
    });
    if (bad) return { problems };
    c.evaluators = evals;
  }
  return { value: c, problems };
}

/** Parse a few-shot example row `{input, output}`. A non-string output (a YAML map) is kept as JSON text. */
export function parseExampleRow(raw: unknown, loc: Locator, where: { file: string; line: number }): RowResult<Example> {
  const err = (issue: Issue): RowResult<Example> => ({ problems: [loc.problem(issue)] });
  if (!isMap(raw)) return err({ path: [], message: `expected an example {input, output}, got ${describeValue(raw)}` });
  const input = raw.input;
  if (typeof input !== 'string' && !isMap(input)) {
    return err({ path: ['input'], message: input === undefined ? 'required (a string or a map of variables)' : `expected a string or a map of variables, got ${describeValue(input)}` });
  }
  const output = raw.output;
  if (output === undefined || output === null) return err({ path: ['output'], message: 'required (the assistant reply)' });
  const problems: SourceProblem[] = [];
  for (const k of Object.keys(raw)) {
    if (k !== 'input' && k !== 'output') problems.push(loc.problem(unknownKeyIssue([k], k, ['input', 'output'], 'example key')));
  }
  return { value: { input, output: typeof output === 'string' ? output : JSON.stringify(output), file: where.file, line: where.line }, problems };
}
