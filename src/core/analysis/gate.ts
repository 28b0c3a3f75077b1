// The CI gate: what fails the build is chosen, not guessed (`--fail-on`, `--min-pass-rate`), and the verdict comes
// with one line saying why ("3 fixed, 1 broken of 120, p = 0.63: within noise — passed").
//
// - any-failure: a failed or errored result fails (the CLI's behaviour without a baseline).
// - regression: against a baseline, a variant fails when more shared cases regressed than improved and the exact
//   paired test puts that beyond noise (p below α, Bonferroni-divided over the variants compared), or when a
//   case tagged `must-pass` regressed (or is new and does not pass).
// - none: only --min-pass-rate (if given) decides.
// Whatever was chosen, a run that did not complete or skipped cases for problems in its files fails: CI must not
// go green on less than was asked.

import type { RunRecord } from '../runs/schema';
import type { BaselineComparison, CaseChange, OneSideCase } from './baseline';
import { formatP } from './advisor/stats';
import { caseRefLong } from '../runs/caseRef';

export type FailOn = 'regression' | 'any-failure' | 'none';
export const FAIL_ON: readonly FailOn[] = ['regression', 'any-failure', 'none'];

export interface GateOptions {
  failOn: FailOn;
  /** Every variant's pass rate must reach this share (0..1). */
  minPassRate?: number;
  /** Significance level of the paired test (default 0.05). */
  alpha?: number;
}

export interface GateInput {
  record: RunRecord;
  /** Against the baseline (regression mode); absent when the file had none. */
  comparison?: BaselineComparison;
  /** Problems that made cases or evaluators skip. */
  skippedProblems?: number;
}

export interface GateVerdict {
  passed: boolean;
  /** The one summary line. */
  line: string;
  /** Each reason for failing, one per line. */
  reasons: string[];
}

const STATUS_TEXT: Partial<Record<RunRecord['status'], string>> = { failed: 'failed', cancelled: 'was cancelled', running: 'did not finish' };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function mustPassFailures(c: BaselineComparison): { variant: string; cell: CaseChange | OneSideCase }[] {
  const out: { variant: string; cell: CaseChange | OneSideCase }[] = [];
  for (const v of c.variants) {
    for (const r of v.regressed) if (r.mustPass) out.push({ variant: v.variant, cell: r });
    for (const h of v.onlyHead) if (h.mustPass && (h.share ?? 0) < 1) out.push({ variant: v.variant, cell: h });
  }
  return out;
}

/** The regression verdict over every compared variant of every file. */
function regressionVerdict(inputs: GateInput[], alpha: number): { failed: boolean; head: string; reasons: string[] } {
  const compared = inputs.flatMap((i) => (i.comparison ? i.comparison.variants.map((v) => ({ file: i.record.promptFile, v, c: i.comparison! })) : []));
  const m = Math.max(1, compared.length);
  const level = alpha / m;
  let fixed = 0;
  let broken = 0;
  let shared = 0;
  const reasons: string[] = [];
  let decisive: { p: number; label: string } | undefined;
  for (const { file, v } of compared) {
    fixed += v.improved.length;
    broken += v.regressed.length;
    shared += v.shared;
    const label = compared.length > 1 ? `${file} [${v.variant}]` : '';
    if (v.regressed.length > v.improved.length && v.p < level) {
      reasons.push(`${file} [${v.variant}]: ${v.improved.length} fixed, ${v.regressed.length} broken of ${v.shared}, ${formatP(v.p)}: regression beyond noise`);
      if (!decisive || v.p < decisive.p) decisive = { p: v.p, label };
    }
  }
  const mustReasons: string[] = [];
  for (const i of inputs) {
    if (!i.comparison) continue;
    for (const { variant, cell } of mustPassFailures(i.comparison)) {
      const what = 'side' in cell ? 'is new and does not pass' : 'regressed';
      mustReasons.push(`${i.record.promptFile} [${variant}]: must-pass case ${caseRefLong(cell)} ${what}`);
    }
  }
  const minP = compared.reduce((p, x) => Math.min(p, x.v.p), 1);
  const p = decisive?.p ?? minP;
  const levelText = m > 1 ? `α = ${alpha} over ${m} variants` : `α = ${alpha}`;
  let head = `${fixed} fixed, ${broken} broken of ${shared}, ${formatP(p)}`;
  if (compared.length === 0) head = 'no variant shared with the baseline';
  else if (decisive) head += `: regression beyond noise (${levelText})${decisive.label ? ` in ${decisive.label}` : ''}`;
  else if (broken > fixed) head += `: within noise (${levelText})`;
  else if (fixed > broken && p < level) head += `: improvement beyond noise`;
  else head += ': within noise';
  if (mustReasons.length) head += `; ${plural(mustReasons.length, 'must-pass case')} failing`;
  return { failed: reasons.length + mustReasons.length > 0, head, reasons: [...reasons, ...mustReasons] };
}

export function decideGate(inputs: GateInput[], opts: GateOptions): GateVerdict {
  const reasons: string[] = [];
  const heads: string[] = [];
  for (const i of inputs) {
    if (i.record.status !== 'completed') {
      const what = STATUS_TEXT[i.record.status] ?? i.record.status;
      heads.push(`${i.record.promptFile}: the run ${what}`);
      reasons.push(`${i.record.promptFile}: the run ${what}${i.record.statusReason ? ` (${i.record.statusReason})` : ''}`);
    }
    if (i.skippedProblems) {
      const what = `${plural(i.skippedProblems, 'problem')} in the prompt or eval-set files skipped cases or evaluators`;
      heads.push(`${i.record.promptFile}: ${what}`);
      reasons.push(`${i.record.promptFile}: ${what}`);
    }
  }
  if (opts.failOn === 'regression') {
    const r = regressionVerdict(inputs, opts.alpha ?? 0.05);
    heads.push(r.head);
    reasons.push(...r.reasons);
  } else if (opts.failOn === 'any-failure') {
    let total = 0;
    let bad = 0;
    for (const i of inputs)
    {for (const v of i.record.variants) {
      total += v.passed + v.failed + v.errors;
      bad += v.failed + v.errors;
    }}
    heads.push(bad ? `${bad} of ${plural(total, 'result')} failed or errored` : `all ${plural(total, 'result')} passed`);
    if (bad) reasons.push(`${plural(bad, 'result')} failed or errored (--fail-on any-failure)`);
  }
  if (opts.minPassRate !== undefined) {
    const low = inputs.flatMap((i) => i.record.variants.filter((v) => v.passRate < opts.minPassRate! - 1e-12).map((v) => ({ file: i.record.promptFile, v })));
    const worst = inputs.flatMap((i) => i.record.variants).reduce((w, v) => Math.min(w, v.passRate), 1);
    for (const { file, v } of low) reasons.push(`${file} [${v.name}]: pass rate ${pct(v.passRate)} is below the minimum ${pct(opts.minPassRate)}`);
    heads.push(low.length ? `${plural(low.length, 'variant')} below the minimum pass rate ${pct(opts.minPassRate)}` : `every pass rate ≥ ${pct(opts.minPassRate)} (lowest ${pct(worst)})`);
  }
  const passed = reasons.length === 0;
  if (heads.length === 0) heads.push(passed ? 'every run completed' : reasons[0]);
  return { passed, line: `${heads.join('; ')} — ${passed ? 'passed' : 'failed'}`, reasons };
}
