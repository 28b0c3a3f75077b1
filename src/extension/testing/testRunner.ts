// Runs of the Test Explorer. A request goes through the editor's run controller, so a run started here is
// the same run as from the panel (the same record and Runs view entry, an open panel fills live); runs
// started elsewhere (Run Eval, the panel, CodeLens, an agent) are mirrored here so the gutter marks follow
// every run. States reach the Testing API through a TestReporter (bounded batches, capped messages).

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditorRunController } from '../runs/runController';
import type { RunEventForFile } from '../runs/types';
import type { BatchEvent } from '../../core/batch/runBatch';
import type { CaseResult } from '../../core/runs/schema';
import { Disposable } from '../common/lifecycle';
import { caseOutcomeOf, caseRefOf, groupOutcomeOf, outcomeOf, type GroupTally } from './outcome';
import { TestReporter, type TestObserver } from './testReporter';
import type { EvalCase } from '../../core/prompt/spec';
import type { ItemData, PromptTestTree } from './testTree';

/** How a request runs: through the response cache or not, live or through the provider's Batch API. */
export interface RunMode {
  noCache: boolean;
  batch: boolean;
}

/** Separates a case's index and a variant's name in keys (never in a variant name as YAML writes it). */
const LEAF_SEP = '\u0000';

type LeafData = Extract<ItemData, { kind: 'variant' | 'case' | 'group' }>;

/** A group of a big file's cases that a run reports as one item: how its cases in the run ended so far. */
interface GroupRun extends GroupTally {
  item: vscode.TestItem;
  cases: Map<number, EvalCase>;
  specFile: string;
  started: boolean;
  /** Where its first case that did not pass is. */
  location?: vscode.Location;
}

/**
 * The leaves of one run by (case, variant), or by case where the cases are the tests, the groups that stand for
 * their cases, and the items that have their final state. A case that is a test (or in a group) gets its state
 * once all its results are in (`perCase` of them).
 */
interface Followed {
  reporter: TestReporter;
  byKey: Map<string, vscode.TestItem>;
  groups: Map<number, GroupRun>;
  done: Set<vscode.TestItem>;
  perCase: number;
  caseResults: Map<number, CaseResult[]>;
}

function followed(reporter: TestReporter, byKey = new Map<string, vscode.TestItem>(), groups = new Map<number, GroupRun>()): Followed {
  return { reporter, byKey, groups, done: new Set(), perCase: 1, caseResults: new Map() };
}

/** A group item's run, over those of its cases that `inRun` accepts. */
function groupRun(item: vscode.TestItem, d: Extract<ItemData, { kind: 'group' }>, inRun: (index: number) => boolean): GroupRun {
  const cases = new Map(d.cases.filter((e) => inRun(e.case.index)).map((e) => [e.case.index, e.case]));
  return { item, cases, specFile: d.specFile, started: false, total: cases.size, passed: 0, failed: [], errored: [] };
}

/** The key of a leaf: case and variant, or the case alone where the case is the test. */
const leafKey = (index: number, variant?: string) => (variant === undefined ? String(index) : `${index}${LEAF_SEP}${variant}`);

export class PromptTestRunner extends Disposable {
  /** Prompt files being run from here (their events are followed by runFile). */
  private readonly own = new Set<string>();
  /** Runs started elsewhere, mirrored as test runs. */
  private readonly mirrors = new Map<string, Followed>();

  constructor(
    private readonly tree: PromptTestTree,
    private readonly runs: EditorRunController,
    private readonly observer: () => TestObserver | undefined,
  ) {
    super();
    this._register(runs.onDidRunEvent((e) => this.mirror(e)));
  }

  private get controller(): vscode.TestController {
    return this.tree.controller;
  }

  /** The leaves (variant items) a request covers, resolving files it names that were never parsed; and the files that do not load. */
  private async leavesOf(request: vscode.TestRunRequest): Promise<{ leaves: vscode.TestItem[]; broken: vscode.TestItem[] }> {
    await this.tree.discover();
    const roots: vscode.TestItem[] = [];
    if (request.include?.length) roots.push(...request.include);
    else this.controller.items.forEach((i) => roots.push(i));
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const leaves: vscode.TestItem[] = [];
    const broken: vscode.TestItem[] = [];
    const walk = async (item: vscode.TestItem) => {
      if (excluded.has(item.id)) return;
      const d = this.tree.data.get(item);
      if (d?.kind === 'file' && !this.tree.parsed.has(item.id)) await this.tree.refresh(d.uri);
      if (d?.kind === 'file' && item.error) broken.push(item);
      // a group stands for its cases (a request naming a case item runs and reports that case)
      if (d?.kind === 'variant' || d?.kind === 'group' || (d?.kind === 'case' && this.tree.casesAreTestsOf(d.uri.toString()))) {
        leaves.push(item);
        return;
      }
      if (d?.kind === 'case') this.tree.ensureLeaves(item);
      const children: vscode.TestItem[] = [];
      item.children.forEach((ch) => children.push(ch));
      for (const ch of children) await walk(ch);
    };
    for (const r of roots) await walk(r);
    return { leaves, broken };
  }

  async runRequest(request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: RunMode): Promise<void> {
    const { leaves, broken } = await this.leavesOf(request);
    const run = this.controller.createTestRun(request, mode.batch ? 'Prompt Ladder (Batch API)' : mode.noCache ? 'Prompt Ladder (no cache)' : 'Prompt Ladder', true);
    const reporter = new TestReporter(run, this.observer, leaves.length);
    // A file that does not load has no cases: it is errored with its problems.
    for (const item of broken) {
      const error = item.error ?? '';
      reporter.set(item, { state: 'errored', message: `${path.basename(item.uri?.fsPath ?? item.id)} cannot be run:\n${typeof error === 'string' ? error : error.value}` });
    }
    const byFile = new Map<string, vscode.TestItem[]>();
    for (const leaf of leaves) {
      const key = (this.tree.data.get(leaf) as LeafData).uri.toString();
      let list = byFile.get(key);
      if (!list) byFile.set(key, (list = []));
      list.push(leaf);
      reporter.set(leaf, { state: 'enqueued' });
    }
    try {
      for (const [key, fileLeaves] of byFile) {
        if (token.isCancellationRequested) {
          for (const l of fileLeaves) reporter.set(l, { state: 'skipped' });
          continue;
        }
        await this.runFile(reporter, vscode.Uri.parse(key), fileLeaves, token, mode);
      }
    } finally {
      reporter.end();
    }
  }

  private async runFile(reporter: TestReporter, uri: vscode.Uri, leaves: vscode.TestItem[], token: vscode.CancellationToken, mode: RunMode): Promise<void> {
    const runs = this.runs;
    const f = followed(reporter);
    const cases = new Set<number>();
    const variants = new Set<string>();
    for (const leaf of leaves) {
      const d = this.tree.data.get(leaf) as LeafData;
      if (d.kind === 'variant') {
        cases.add(d.index);
        f.byKey.set(leafKey(d.index, d.variant), leaf);
        variants.add(d.variant);
        continue;
      }
      if (d.kind === 'case') {
        cases.add(d.index);
        f.byKey.set(leafKey(d.index), leaf);
      } else {
        const g = groupRun(leaf, d, () => true);
        for (const index of g.cases.keys()) {
          cases.add(index);
          f.groups.set(index, g);
        }
      }
      for (const v of this.tree.variantNames(uri.toString())) variants.add(v);
    }
    // Narrow the run only where the request does: the whole file is one run of every case and variant.
    const allCases = this.tree.caseCount(uri.toString());
    const allVariants = this.tree.variantCount(uri.toString());
    const fail = (message: string) => {
      for (const l of leaves) this.finish(f, l, { state: 'errored', message });
    };
    const name = path.basename(uri.fsPath);
    if (runs.isRunning(uri)) return fail(`${name} is already running: try again when that run has finished.`);
    const sub = runs.onDidRunEvent((e) => {
      if (e.promptUri.toString() === uri.toString()) this.follow(f, e);
    });
    // Cancel of a batch run stops the wait and leaves the batch on the provider, as Stop Waiting does for the command.
    const cancel = token.onCancellationRequested(() => (mode.batch ? runs.stopWaiting(uri) : runs.cancel(uri)));
    const batchIds = new Set<string>();
    this.own.add(uri.toString());
    try {
      const record = await runs.start(uri, {
        ...(cases.size < allCases ? { caseIndexes: [...cases].sort((a, b) => a - b) } : {}),
        ...(variants.size < allVariants ? { variants: [...variants] } : {}),
        noCache: mode.noCache,
        progress: 'window',
        ...(mode.batch ? { batch: 'all' as const, onBatch: this.batchProgress(f, name, leaves, batchIds) } : {}),
      });
      if (!record) {
        if (mode.batch && batchIds.size) {
          const text =
            `The batch ${[...batchIds].join(', ')} for ${name} keeps running on the provider. To collect its results, open it in the Prompt Ladder Runs view ` +
            `(Collect Batch Results), or run "Run via Batch API" again: it attaches to the same batch, nothing is submitted twice.`;
          reporter.appendOutput(text);
          for (const l of leaves) this.finish(f, l, { state: 'skipped', message: text });
        }
        return;
      }
      if (record.status === 'failed' && record.statusReason) fail(`The run failed: ${record.statusReason}`);
      reporter.appendOutput(
        `${record.promptName ?? record.promptFile}: ${record.status} — ${record.variants.map((v) => `${v.name} ${v.passed}/${v.passed + v.failed + v.errors}`).join(', ')}`,
      );
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    } finally {
      this.own.delete(uri.toString());
      sub.dispose();
      cancel.dispose();
      // Cancelled before these ran: skipped, not failed (a case that is a test says what it has).
      this.finishCases(f);
      for (const l of leaves) this.finish(f, l, { state: 'skipped' });
    }
  }

  /** Gives a leaf its final state unless it has one. */
  private finish(f: Followed, leaf: vscode.TestItem, s: Parameters<TestReporter['set']>[1]): void {
    if (f.done.has(leaf)) return;
    f.done.add(leaf);
    f.reporter.set(leaf, s);
  }

  /** Marks a leaf started or reports its result, from one engine event. */
  private follow(f: Followed, e: RunEventForFile): void {
    const ev = e.event;
    if (ev.type === 'run-started') {
      f.perCase = ev.variants.length * Math.max(1, ev.record.repeat ?? 1);
    } else if (ev.type === 'case-started') {
      const leaf = f.byKey.get(leafKey(ev.caseIndex, ev.variant)) ?? f.byKey.get(leafKey(ev.caseIndex));
      if (leaf && !f.done.has(leaf)) f.reporter.set(leaf, { state: 'started' });
      const g = f.groups.get(ev.caseIndex);
      if (g && !g.started && !f.done.has(g.item)) {
        g.started = true;
        f.reporter.set(g.item, { state: 'started' });
      }
    } else if (ev.type === 'case-finished') {
      const leaf = f.byKey.get(leafKey(ev.caseIndex, ev.result.variant));
      if (leaf) return this.finish(f, leaf, this.stateOf(leaf, [ev.result]));
      if (!f.byKey.has(leafKey(ev.caseIndex)) && !f.groups.has(ev.caseIndex)) return;
      const results = f.caseResults.get(ev.caseIndex) ?? [];
      results.push(ev.result);
      if (results.length < f.perCase) {
        f.caseResults.set(ev.caseIndex, results);
        return;
      }
      f.caseResults.delete(ev.caseIndex);
      this.caseDone(f, ev.caseIndex, results, false);
    }
  }

  /** A case that is a test has its results (all, or those of a run that ended): its state, or its group's count. */
  private caseDone(f: Followed, index: number, results: CaseResult[], ended: boolean): void {
    const caseLeaf = f.byKey.get(leafKey(index));
    if (caseLeaf) return this.finish(f, caseLeaf, this.stateOf(caseLeaf, results));
    const g = f.groups.get(index);
    const c = g?.cases.get(index);
    if (!g || !c || f.done.has(g.item)) return;
    const o = caseOutcomeOf(results, c.expected);
    if (o.state === 'passed') g.passed++;
    else (o.state === 'failed' ? g.failed : g.errored).push(caseRefOf(c, g.specFile));
    if (o.state !== 'passed' && !g.location) g.location = new vscode.Location(vscode.Uri.file(c.file), new vscode.Position(c.line - 1, 0));
    this.groupDone(f, g, ended);
  }

  /** Reports a group's state once every case of it in the run is in (or the run ended). */
  private groupDone(f: Followed, g: GroupRun, ended: boolean): void {
    const o = groupOutcomeOf(g, ended);
    if (!o) return;
    const failing = o.state === 'failed' || o.state === 'errored';
    this.finish(f, g.item, { state: o.state, ...(o.message ? { message: o.message } : {}), ...(failing && g.location ? { location: g.location } : {}) });
  }

  /** Cases that are tests with some of their results when the run ends (cancelled): their state from those. */
  private finishCases(f: Followed): void {
    for (const [index, results] of f.caseResults) this.caseDone(f, index, results, true);
    f.caseResults.clear();
    for (const g of new Set(f.groups.values())) if (!f.done.has(g.item) && g.passed + g.failed.length + g.errored.length > 0) this.groupDone(f, g, true);
  }

  /**
   * What a run started elsewhere reports to: only the cases whose leaves exist (expanded or run from here), and
   * in a big file its groups. A request naming the file would make the workbench expand every case of it.
   */
  private mirrorItems(file: vscode.TestItem, cases: Set<number>, variants: Set<string>) {
    const shown: vscode.TestItem[] = [];
    const byKey = new Map<string, vscode.TestItem>();
    const groups = new Map<number, GroupRun>();
    const take = (caseItem: vscode.TestItem) => {
      const d = this.tree.data.get(caseItem);
      if (d?.kind !== 'case' || !cases.has(d.index) || caseItem.children.size === 0) return;
      shown.push(caseItem);
      caseItem.children.forEach((leaf) => {
        const v = this.tree.data.get(leaf);
        if (v?.kind === 'variant' && variants.has(v.variant)) byKey.set(leafKey(v.index, v.variant), leaf);
      });
    };
    file.children.forEach((child) => {
      const d = this.tree.data.get(child);
      if (d?.kind !== 'group') return take(child);
      const g = groupRun(child, d, (i) => cases.has(i));
      if (!g.total) return;
      shown.push(child);
      for (const index of g.cases.keys()) groups.set(index, g);
    });
    return { shown, byKey, groups };
  }

  private mirror(e: RunEventForFile): void {
    const key = e.promptUri.toString();
    if (this.own.has(key)) return;
    const ev = e.event;
    if (ev.type === 'run-started') {
      this.mirrors.get(key)?.reporter.end();
      this.mirrors.delete(key);
      const file = this.controller.items.get(key);
      if (!file || !this.tree.parsed.has(key) || file.error) return;
      const cases = new Set(ev.record.cases.map((c) => c.index));
      const variants = new Set(ev.variants);
      const { shown, byKey, groups } = this.mirrorItems(file, cases, variants);
      if (!shown.length) return;
      const run = this.controller.createTestRun(new vscode.TestRunRequest(shown), `Prompt Ladder: ${path.basename(e.promptUri.fsPath)}`, true);
      const leaves = [...byKey.values(), ...new Set([...groups.values()].map((g) => g.item))];
      const f = followed(new TestReporter(run, this.observer, leaves.length), byKey, groups);
      f.perCase = ev.variants.length * Math.max(1, ev.record.repeat ?? 1);
      for (const leaf of leaves) f.reporter.set(leaf, { state: 'enqueued' });
      this.mirrors.set(key, f);
      return;
    }
    const m = this.mirrors.get(key);
    if (!m) return;
    if (ev.type === 'run-finished') {
      this.finishCases(m);
      for (const leaf of m.byKey.values()) this.finish(m, leaf, { state: 'skipped' });
      for (const g of m.groups.values()) this.finish(m, g.item, { state: 'skipped' });
      m.reporter.end();
      this.mirrors.delete(key);
      return;
    }
    this.follow(m, e);
  }

  /**
   * The state results give their leaf: passed, failed (verdicts, expected vs actual, the eval-set line) or
   * errored. A variant leaf has one result; a case that is the test has all of its own.
   */
  private stateOf(leaf: vscode.TestItem, results: CaseResult[]): Parameters<TestReporter['set']>[1] {
    const own = this.tree.data.get(leaf);
    const cd = own?.kind === 'case' ? own : leaf.parent ? this.tree.data.get(leaf.parent) : undefined;
    const c = cd?.kind === 'case' ? cd : undefined;
    const o = own?.kind === 'case' ? caseOutcomeOf(results, c?.expected) : outcomeOf(results[0], c?.expected);
    const location = c ? new vscode.Location(c.caseUri, new vscode.Position(c.line - 1, 0)) : undefined;
    if (o.state === 'passed') return { state: 'passed', durationMs: o.durationMs };
    return {
      state: o.state,
      message: o.message,
      durationMs: o.durationMs,
      ...(location ? { location } : {}),
      ...(o.state === 'failed' && o.expected !== undefined ? { diff: { expected: o.expected, actual: o.actual } } : {}),
    };
  }

  /**
   * Progress of a batch run in the test run: its leaves are started once their requests are on the provider, and
   * the output says which batch, its status and counts as they change. Results come when the batch completes.
   */
  private batchProgress(f: Followed, name: string, leaves: vscode.TestItem[], ids: Set<string>): (e: BatchEvent) => void {
    let last = '';
    return (e) => {
      if (e.type === 'submitted' || e.type === 'attached') {
        for (const p of e.parts) if (p.id) ids.add(p.id);
        const requests = e.parts.reduce((n, p) => n + p.requests, 0);
        f.reporter.appendOutput(
          `${name}: ${e.type === 'submitted' ? 'submitted' : 'attached to'} batch ${e.parts.map((p) => p.id ?? '(creating)').join(', ')} ` +
            `(${requests} request${requests === 1 ? '' : 's'}${e.phase > 1 ? `, evaluator phase ${e.phase}` : ''}); results come when it completes. ` +
            `Stopping this run leaves the batch running on the provider.`,
        );
        if (e.phase === 1) for (const l of leaves) if (!f.done.has(l)) f.reporter.set(l, { state: 'started' });
      } else if (e.type === 'waiting') {
        for (const p of e.parts) if (p.id) ids.add(p.id);
        const completed = e.parts.reduce((n, p) => n + p.completed, 0);
        const total = e.parts.reduce((n, p) => n + p.requests, 0);
        const status = [...new Set(e.parts.map((p) => p.status))].join(', ');
        const line = `batch ${status} · ${completed}/${total} done`;
        if (line !== last) f.reporter.appendOutput(`${line} · ${Math.round(e.elapsedMs / 1000)} s`);
        last = line;
      } else if (e.type === 'problem') {
        f.reporter.appendOutput(e.message);
      }
    };
  }

  override dispose(): void {
    for (const m of this.mirrors.values()) m.reporter.end();
    this.mirrors.clear();
    super.dispose();
  }
}
