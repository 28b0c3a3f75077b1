// What the Test Explorer says about one (case, variant) result: passed, failed with the evaluator verdicts
// and the error category (and expected vs actual when the case has an expected output), or errored with the
// provider's reason. No `vscode` import: unit-tested under plain Node; promptTests.ts turns it into TestMessages.

import type { CaseResult } from '../../core/runs/schema';
import type { EvalCase, PromptSpec } from '../../core/prompt/spec';
import { caseRef } from '../../core/runs/caseRef';

export type Outcome =
  | { state: 'passed'; durationMs: number }
  | { state: 'failed'; durationMs: number; message: string; expected?: string; actual: string }
  | { state: 'errored'; durationMs: number; message: string };

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function outcomeOf(result: CaseResult, expected: string | undefined): Outcome {
  const durationMs = result.latencyMs;
  if (result.error) return { state: 'errored', durationMs, message: `The call failed, so the model was never judged: ${result.error}` };
  if (result.passed) return { state: 'passed', durationMs };
  const actual = result.answer ?? result.output;
  const lines = [
    `${result.category ?? 'failed'}${result.categoryReason ? `: ${result.categoryReason}` : ''}`,
    ...result.evaluators.map((e) => `${e.passed ? '✓' : '✗'} ${e.name} (score ${Math.round(e.score * 100) / 100})${e.details ? `: ${clip(e.details, 300)}` : ''}`),
  ];
  if (expected === undefined) lines.push('', 'Output:', clip(actual, 2000));
  return { state: 'failed', durationMs, message: lines.join('\n'), ...(expected !== undefined ? { expected } : {}), actual };
}

/**
 * How the product names a case (CLI, HTML, JUnit, panel, Problems): its eval-set line, "intent.cases.jsonl:4",
 * or "line 12" for inline testData (`promptFile` is the prompt file the case belongs to).
 */
export function caseRefOf(c: EvalCase, promptFile: string): string {
  return caseRef({ ...(c.file !== promptFile ? { file: c.file } : {}), line: c.line });
}

/** A short label for a case: its shared reference and the start of its first variable. */
export function caseLabel(c: EvalCase, promptFile: string): string {
  const first = Object.values(c.vars).find((v) => typeof v === 'string' || typeof v === 'number');
  const text = first === undefined ? '' : String(first).replace(/\s+/g, ' ').trim();
  return `${caseRefOf(c, promptFile)}${text ? ` · ${clip(text, 60)}` : ''}`;
}

const withoutLines = (_k: string, v: unknown) => (_k === 'line' ? undefined : v);

/** What a case is (not where): when it changes, the case is affected by an edit. */
export function caseFingerprint(c: EvalCase): string {
  return JSON.stringify({ vars: c.vars, expected: c.expected, context: c.context, evaluators: c.evaluators }, withoutLines);
}

/** Everything of a prompt file but its cases: when it changes, every case is affected. */
export function promptFingerprint(spec: PromptSpec): string {
  const { cases: _cases, problems: _problems, keyLines: _keyLines, ...rest } = spec;
  return JSON.stringify(rest, withoutLines);
}

/**
 * What the Test Explorer says about a case that is itself the test (a big file has no variant items): passed
 * when every result passed; else failed (or errored, when no result failed but some errored) with one line per
 * result that did not pass, naming its variant, and expected vs the first failing output.
 */
export function caseOutcomeOf(results: readonly CaseResult[], expected: string | undefined): Outcome {
  const durationMs = results.reduce((m, r) => Math.max(m, r.latencyMs), 0);
  const outs = results.map((r) => ({ r, o: outcomeOf(r, expected) }));
  const bad = outs.filter((x) => x.o.state !== 'passed');
  if (!bad.length) return { state: 'passed', durationMs };
  const name = (r: CaseResult) => `${r.variant}${r.repeat ? ` (repeat ${r.repeat + 1})` : ''}`;
  const head = `${bad.length} of ${results.length} result${results.length === 1 ? '' : 's'} did not pass:`;
  const lines = bad.map((x) => `${name(x.r)}: ${x.o.state === 'passed' ? '' : (x.o.message.split('\n', 1)[0] ?? '')}`);
  const firstFailed = bad.find((x) => x.o.state === 'failed')?.o;
  if (firstFailed?.state !== 'failed') return { state: 'errored', durationMs, message: [head, ...lines].join('\n') };
  return {
    state: 'failed',
    durationMs,
    message: [head, ...lines].join('\n'),
    ...(firstFailed.expected !== undefined ? { expected: firstFailed.expected } : {}),
    actual: firstFailed.actual,
  };
}

/** How each case of a group ended, by the reference the product names it with. */
export interface GroupTally {
  /** Cases of the group in the run. */
  total: number;
  passed: number;
  failed: string[];
  errored: string[];
}

/** Case references a group's message lists before it says how many more there are. */
const GROUP_REFS = 10;

/**
 * What the Test Explorer says about a group of a big file's cases: failed when a case failed, errored when
 * none failed and one errored (each naming the first cases that did not pass), passed when every case of it
 * in the run passed, and skipped when the run ended before them (`undefined` while cases are still to come).
 */
export function groupOutcomeOf(t: GroupTally, ended: boolean): { state: 'passed' | 'failed' | 'errored' | 'skipped'; message?: string } | undefined {
  const done = t.passed + t.failed.length + t.errored.length;
  if (done < t.total && !ended) return undefined;
  const list = (refs: string[]) => `${refs.slice(0, GROUP_REFS).join(', ')}${refs.length > GROUP_REFS ? ` and ${refs.length - GROUP_REFS} more` : ''}`;
  const lines: string[] = [];
  if (t.failed.length) lines.push(`${t.failed.length} of ${t.total} cases failed: ${list(t.failed)}`);
  if (t.errored.length) lines.push(`${t.errored.length} of ${t.total} cases errored: ${list(t.errored)}`);
  if (done < t.total) lines.push(`${t.total - done} of ${t.total} cases did not run: the run ended before them.`);
  if (t.failed.length || t.errored.length) {
    lines.push('Expand the group for each case, or open the results panel.');
    return { state: t.failed.length ? 'failed' : 'errored', message: lines.join('\n') };
  }
  if (done === t.total) return { state: 'passed' };
  return { state: 'skipped', message: lines.join('\n') };
}
