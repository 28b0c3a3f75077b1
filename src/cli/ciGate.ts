// The CI side of `prompt-ladder eval`: --baseline, --fail-on, --min-pass-rate, --alpha and --md. Baselines are
// resolved before any call (a bad REF is a usage error), git baselines run after the prompt files (cache first,
// no record written), and the gate's verdict decides the exit code with one line saying why.

import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import type { PromptSpec } from '../core/prompt/spec';
import type { RunRecord } from '../core/runs/schema';
import type { RunOptions } from '../core/engine';
import { runEval } from '../core/engine';
import { loadPromptFile } from '../core/prompt/load';
import { SpecError, formatProblem } from '../core/errors';
import { runRootOf } from '../core/runs/root';
import { BaselineError, resolveBaseline, type BaselineTarget } from '../core/runs/baselineRef';
import { checkoutProjectAt, type GitCheckout } from '../core/runs/gitBaseline';
import { compareToBaseline, type BaselineComparison } from '../core/analysis/baseline';
import { decideGate, type FailOn, type GateInput } from '../core/analysis/gate';
import { formatChange, formatInterval } from '../core/analysis/intervals';
import { formatP } from '../core/analysis/advisor/stats';
import { repeatStats } from '../core/analysis/repeats';
import { caseRefLong } from '../core/runs/caseRef';
import { toMarkdown, type MarkdownItem } from '../core/runs/markdown';
import { writeFileAtomic } from '../core/runs/store';
import { UsageError } from './usage';

export interface CiArgs {
  baseline?: string;
  /** --root: where .promptladder/ lives (default: each prompt file's project). */
  root?: string;
  failOn?: FailOn;
  minPassRate?: number;
  alpha?: number;
  md?: string;
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

/** --fail-on when not given: regression in CI against a baseline, only the rate with --min-pass-rate, else any failure. */
export function defaultFailOn(ci: CiArgs, env: NodeJS.ProcessEnv): FailOn {
  if (ci.baseline && /^(true|1)$/i.test(env.CI ?? '')) return 'regression';
  if (ci.minPassRate !== undefined) return 'none';
  return 'any-failure';
}

interface Planned {
  spec: PromptSpec;
  target?: BaselineTarget;
  checkout?: GitCheckout;
  record?: RunRecord;
  skipped: number;
}

export class CiGate {
  private readonly planned = new Map<string, Planned>();

  private constructor(
    private readonly ci: CiArgs,
    private readonly failOn: FailOn,
  ) {}

  /** Resolves every file's baseline before any call; a REF that names nothing is a usage error. */
  static async prepare(ci: CiArgs, specs: PromptSpec[], env: NodeJS.ProcessEnv): Promise<CiGate> {
    const failOn = ci.failOn ?? defaultFailOn(ci, env);
    if (failOn === 'regression' && !ci.baseline) throw new UsageError('--fail-on regression needs --baseline (a run record, a run id, latest or a git ref)');
    const gate = new CiGate(ci, failOn);
    for (const spec of specs) {
      const planned: Planned = { spec, skipped: 0 };
      gate.planned.set(spec.file, planned);
      if (!ci.baseline) continue;
      const root = ci.root ?? runRootOf(spec.file);
      const promptFile = path.relative(root, spec.file).split(path.sep).join('/');
      try {
        planned.target = await resolveBaseline(ci.baseline, { root, promptFile, cwd: process.cwd(), absPromptFile: spec.file });
        if (planned.target.kind === 'git') planned.checkout = await checkoutProjectAt(spec.file, runRootOf(spec.file), planned.target.commit);
      } catch (e) {
        await gate.dispose();
        if (e instanceof BaselineError) throw new UsageError(e.message);
        throw new UsageError(`--baseline ${ci.baseline}: ${(e as Error).message}`);
      }
    }
    return gate;
  }

  /** A prompt file's run has finished; `skipped` problems made cases or evaluators skip. */
  add(spec: PromptSpec, record: RunRecord, skipped: number): void {
    const p = this.planned.get(spec.file);
    if (p) Object.assign(p, { record, skipped });
  }

  async dispose(): Promise<void> {
    for (const p of this.planned.values()) await p.checkout?.dispose();
  }

  /** Runs the git baselines, compares, prints the verdict line, writes the Markdown; returns the exit code. */
  async finish(base: Omit<RunOptions, 'root'>): Promise<number> {
    try {
      const items: (MarkdownItem & GateInput)[] = [];
      for (const p of this.planned.values()) {
        if (!p.record) continue;
        const item: MarkdownItem & GateInput = { record: p.record, skippedProblems: p.skipped };
        const baseline = await this.baselineRecord(p, base);
        if (baseline.record) {
          item.comparison = compareToBaseline(baseline.record, p.record);
          printComparison(item.comparison, p.target!.label);
        }
        if (p.target) item.baselineLabel = p.target.label;
        if (baseline.note) {
          item.baselineNote = baseline.note;
          err(`${path.basename(p.spec.file)}: ${baseline.note}`);
        }
        printRepeats(p.record);
        items.push(item);
      }
      if (items.length === 0) return 0;
      const verdict = decideGate(items, { failOn: this.failOn, ...(this.ci.minPassRate !== undefined ? { minPassRate: this.ci.minPassRate } : {}), alpha: this.ci.alpha ?? 0.05 });
      if (!verdict.passed) for (const r of verdict.reasons) out(`  ✗ ${r}`);
      out(`Gate: ${verdict.line}`);
      const md = toMarkdown(items, verdict);
      if (this.ci.md) {
        await writeFileAtomic(this.ci.md, md);
        out(`Wrote Markdown to ${this.ci.md}`);
      }
      const summary = process.env.GITHUB_STEP_SUMMARY;
      if (summary) await fs.appendFile(summary, md + '\n');
      return verdict.passed ? 0 : 1;
    } finally {
      await this.dispose();
    }
  }

  /** The baseline record of one file: the one named, or the git copy run now (cache first, nothing written). */
  private async baselineRecord(p: Planned, base: Omit<RunOptions, 'root'>): Promise<{ record?: RunRecord; note?: string }> {
    const t = p.target;
    if (!t) return {};
    if (t.kind === 'record') return { record: t.record };
    if (t.kind === 'none') return { note: t.why };
    if (!p.checkout?.promptFile) return { note: `${path.basename(p.spec.file)} did not exist at ${t.label}: every case is new` };
    let spec: PromptSpec;
    try {
      spec = await loadPromptFile(p.checkout.promptFile, { anyName: true });
    } catch (e) {
      const why = e instanceof SpecError ? e.problems.map((x) => formatProblem({ ...x, file: path.relative(p.checkout!.root, x.file) })).join('; ') : (e as Error).message;
      return { note: `the prompt file at ${t.label} does not load (${why}): no comparison` };
    }
    const headRoot = this.ci.root ?? runRootOf(p.spec.file);
    err(`Baseline ${t.label}: running ${spec.cases.length} cases of ${path.basename(p.spec.file)} as they were (cache first)…`);
    const wanted = base.variants?.filter((v) => spec.variants.some((x) => x.name === v));
    const { record } = await runEval(spec, { ...base, ...(wanted ? { variants: wanted } : {}), root: headRoot, write: false, onEvent: undefined });
    // the engine names files relative to the run root it was given (the real project, for its cache): name them as in the copy
    record.promptFile = path.relative(p.checkout.root, spec.file).split(path.sep).join('/');
    for (const c of record.cases) if (c.file) c.file = path.relative(p.checkout.root, path.resolve(headRoot, c.file)).split(path.sep).join('/');
    return { record };
  }
}

function printComparison(c: BaselineComparison, label: string): void {
  out(`Against the baseline ${label}:`);
  for (const v of c.variants) {
    out(
      `  ${v.variant}: ${v.improved.length} fixed, ${v.regressed.length} broken, ${v.unchanged} unchanged of ${v.shared} shared · ` +
        `${(v.basePassRate * 100).toFixed(1)}% → ${(v.headPassRate * 100).toFixed(1)}% (${formatInterval(v.headPassRateInterval)}) · change ${formatChange(v.change, v.changeInterval)} · ${formatP(v.p)}`,
    );
    for (const r of v.regressed.slice(0, 20)) out(`    ↓ ${caseRefLong(r)} [${v.variant}]${r.mustPass ? ' (must-pass)' : ''}: ${JSON.stringify(r.head.output.slice(0, 100))}`);
    if (v.regressed.length > 20) out(`    … and ${v.regressed.length - 20} more regressed`);
    for (const r of v.improved.slice(0, 5)) out(`    ↑ ${caseRefLong(r)} [${v.variant}]`);
    if (v.improved.length > 5) out(`    … and ${v.improved.length - 5} more fixed`);
    const oneSided = [...v.onlyHead.map((x) => `${caseRefLong(x)} (new)`), ...v.onlyBase.map((x) => `${caseRefLong(x)} (baseline only)`)];
    if (oneSided.length) out(`    not counted, on one side only: ${oneSided.slice(0, 10).join(', ')}${oneSided.length > 10 ? ` and ${oneSided.length - 10} more` : ''}`);
  }
  if (c.onlyHeadVariants.length) out(`  new variants (not compared): ${c.onlyHeadVariants.join(', ')}`);
  if (c.onlyBaseVariants.length) out(`  variants only in the baseline: ${c.onlyBaseVariants.join(', ')}`);
}

function printRepeats(record: RunRecord): void {
  if (!record.repeat || record.repeat < 2) return;
  for (const s of repeatStats(record)) {
    const flaky = s.flaky.slice(0, 10).map((f) => `${caseRefLong(f)} ${Math.round(f.share * s.k)}/${s.k}`);
    out(`  ${s.variant}: pass^${s.k} ${(s.passK * 100).toFixed(1)}% (${s.allPassed} of ${s.cases} cases passed every repeat) · ${s.flaky.length} flaky${flaky.length ? `: ${flaky.join(', ')}` : ''}`);
  }
}
