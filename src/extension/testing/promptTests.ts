// The Test Explorer (VS Code Testing API): prompt file → cases → variants. A case is the unit an engineer
// edits, and its line (inline testData or a row of the eval-set file) carries the gutter's run button and
// pass/fail mark; its variants are the leaves that hold each result (expected vs actual, verdicts,
// category), like one row of the results panel. Discovery is lazy: prompt files are listed (not parsed) and
// followed by a file watcher; a file is parsed when it is expanded, opened in an editor or run.
// Runs go through the editor's run controller, so a run started here is the same run as from the panel:
// the same record and history, and an open panel fills live.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadModule } from '../lazy';
import { PROMPT_GLOB, findPromptFiles, isPromptFile, onDidChangePromptFiles, readText } from '../promptFiles';
import type { EditorRunController } from '../runs/runController';
import type { RunEventForFile } from '../runs/types';
import type { BatchEvent } from '../../core/batch/runBatch';
import type { EvalCase, PromptSpec } from '../../core/prompt/spec';
import type { CaseResult } from '../../core/runs/schema';
import { caseFingerprint, caseLabel, outcomeOf, promptFingerprint } from './outcome';

type ItemData =
  | { kind: 'file'; uri: vscode.Uri }
  | { kind: 'case'; uri: vscode.Uri; index: number; expected?: string; caseUri: vscode.Uri; line: number }
  | { kind: 'variant'; uri: vscode.Uri; index: number; variant: string };

interface Parsed {
  promptPrint: string;
  casePrints: Map<number, string>;
  caseFiles: Set<string>;
}

/** What the integration tests read back (only under a test runner): each state reported, in order. */
export interface ReportedResult {
  id: string;
  state: 'enqueued' | 'started' | 'passed' | 'failed' | 'errored' | 'skipped';
  message?: string;
  diff?: { expected: string; actual: string };
  location?: { file: string; line: number };
  durationMs?: number;
}

export interface PromptTestsDeps {
  runs: EditorRunController;
  log: vscode.LogOutputChannel;
  isTestMode: boolean;
}

/** How a request runs: through the response cache or not, live or through the provider's Batch API. */
interface RunMode {
  noCache: boolean;
  batch: boolean;
}

/** Separates a case's index and a variant's name in keys (never in a variant name as YAML writes it). */
const LEAF_SEP = '\u0000';

/** Enough for any real workspace; findFiles stops there. */
const MAX_DISCOVERED = 5000;

export class PromptTests implements vscode.Disposable {
  readonly controller: vscode.TestController;
  readonly runProfile: vscode.TestRunProfile;
  readonly noCacheProfile: vscode.TestRunProfile;
  readonly batchProfile: vscode.TestRunProfile;
  /** Under a test runner: every state reported, for the integration suite. */
  readonly reported: ReportedResult[] | undefined;
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly parsed = new Map<string, Parsed>();
  private readonly disposables: vscode.Disposable[] = [];
  private discovery: Promise<void> | undefined;
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: PromptTestsDeps) {
    this.reported = deps.isTestMode ? [] : undefined;
    const c = vscode.tests.createTestController('promptLadder.tests', 'Prompt Ladder');
    this.controller = c;
    c.resolveHandler = async (item) => {
      if (!item) await this.discover();
      else await this.resolveFile(item);
    };
    c.refreshHandler = async () => {
      this.discovery = undefined;
      await this.discover(true);
    };
    this.runProfile = c.createRunProfile('Run', vscode.TestRunProfileKind.Run, (r, t) => this.handle(r, t, { noCache: false, batch: false }), true, undefined, true);
    this.noCacheProfile = c.createRunProfile('Run without cache', vscode.TestRunProfileKind.Run, (r, t) => this.handle(r, t, { noCache: true, batch: false }), false, undefined, true);
    // The same path as "Run Eval via Batch API": one batch per model, results when it completes. Not continuous
    // (a batch takes minutes to hours; re-running on every save would pile them up).
    this.batchProfile = c.createRunProfile('Run via Batch API', vscode.TestRunProfileKind.Run, (r, t) => this.handle(r, t, { noCache: false, batch: true }), false);
    this.disposables.push(
      c,
      vscode.workspace.onDidOpenTextDocument((d) => this.onOpened(d.uri)),
      deps.runs.onDidRunEvent((e) => this.mirror(e)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.onChanged(e.document.uri);
      }),
    );
    // After activation: list the prompt files (no parsing) and parse the ones already open in editors.
    const first = setTimeout(() => {
      void this.discover().then(() => {
        for (const d of vscode.workspace.textDocuments) this.onOpened(d.uri);
      });
    }, 0);
    this.disposables.push({ dispose: () => clearTimeout(first) });
  }

  // -------------------------------------------------------------------------------------------
  // Discovery

  /** Lists the workspace's prompt files as unresolved items and starts watching them. */
  discover(force = false): Promise<void> {
    if (this.discovery && !force) return this.discovery;
    this.discovery = (async () => {
      if (!this.watching) this.watch();
      // The default names and the files `promptLadder.files` makes prompt files, through the one predicate.
      const files = await findPromptFiles(MAX_DISCOVERED);
      const ids = new Set(files.map((f) => f.toString()));
      for (const f of files) this.fileItem(f);
      this.controller.items.forEach((item) => {
        if (!ids.has(item.id)) this.removeFile(item.id);
      });
      if (force) {
        const resolved = [...this.parsed.keys()];
        await Promise.all(resolved.map((id) => this.refresh(vscode.Uri.parse(id))));
      }
    })();
    return this.discovery;
  }

  private watching = false;

  private watch(): void {
    this.watching = true;
    const prompts = vscode.workspace.createFileSystemWatcher(PROMPT_GLOB);
    // Eval-set files a parsed prompt file names: any data file may be one, so filter by what was parsed.
    const data = vscode.workspace.createFileSystemWatcher('**/*.{jsonl,csv,yaml,yml}');
    this.disposables.push(
      prompts,
      data,
      prompts.onDidCreate((u) => {
        if (isPromptFile(u)) this.fileItem(u);
      }),
      prompts.onDidDelete((u) => this.removeFile(u.toString())),
      // YAML files that are prompt files only through the setting come and go with the data watcher.
      data.onDidCreate((u) => {
        if (isPromptFile(u)) this.fileItem(u);
      }),
      data.onDidDelete((u) => {
        if (this.controller.items.get(u.toString())) this.removeFile(u.toString());
      }),
      // The setting changed: list the files again (added patterns add items, removed ones drop them).
      onDidChangePromptFiles(() => {
        this.discovery = undefined;
        void this.discover();
      }),
      prompts.onDidChange((u) => this.onChanged(u)),
      data.onDidChange((u) => this.onChanged(u)),
      data.onDidCreate((u) => this.onChanged(u)),
      data.onDidDelete((u) => this.onChanged(u)),
    );
  }

  private fileItem(uri: vscode.Uri): vscode.TestItem {
    const id = uri.toString();
    let item = this.controller.items.get(id);
    if (!item) {
      item = this.controller.createTestItem(id, path.basename(uri.fsPath), uri);
      item.canResolveChildren = true;
      item.range = new vscode.Range(0, 0, 0, 0);
      const dir = path.dirname(vscode.workspace.asRelativePath(uri, vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 1));
      if (dir && dir !== '.') item.description = dir;
      this.data.set(item, { kind: 'file', uri });
      this.controller.items.add(item);
    }
    return item;
  }

  private removeFile(id: string): void {
    this.controller.items.delete(id);
    this.parsed.delete(id);
  }

  private onOpened(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    if (isPromptFile(uri)) {
      if (!this.parsed.has(uri.toString())) void this.refresh(uri);
      return;
    }
    // An eval-set file: parse the prompt files beside it, so its lines get their run buttons and marks.
    if (!/\.(jsonl|csv|ya?ml)$/i.test(uri.fsPath)) return;
    const dir = path.dirname(uri.fsPath);
    this.controller.items.forEach((item) => {
      const d = this.data.get(item);
      if (d?.kind === 'file' && path.dirname(d.uri.fsPath) === dir && !this.parsed.has(item.id)) void this.refresh(d.uri);
    });
  }

  /** A prompt file or one of its eval-set files changed: re-parse what is already parsed (debounced). */
  private onChanged(uri: vscode.Uri): void {
    for (const promptId of this.affectedPrompts(uri)) {
      const t = this.pending.get(promptId);
      if (t) clearTimeout(t);
      this.pending.set(
        promptId,
        setTimeout(() => {
          this.pending.delete(promptId);
          void this.refresh(vscode.Uri.parse(promptId));
        }, 300),
      );
    }
  }

  private affectedPrompts(uri: vscode.Uri): string[] {
    const id = uri.toString();
    if (isPromptFile(uri)) return this.parsed.has(id) ? [id] : [];
    return [...this.parsed].filter(([, p]) => p.caseFiles.has(uri.fsPath)).map(([k]) => k);
  }

  private async resolveFile(item: vscode.TestItem): Promise<void> {
    const d = this.data.get(item);
    if (d?.kind === 'file') await this.refresh(d.uri);
  }

  /** Parses a prompt file (its unsaved buffer when open) into case and variant items. Returns the parse. */
  async refresh(uri: vscode.Uri): Promise<{ before?: Parsed; after?: Parsed; spec?: PromptSpec }> {
    const item = this.fileItem(uri);
    const before = this.parsed.get(item.id);
    let spec: PromptSpec;
    try {
      const text = await readText(uri);
      spec = await loadModule().loadPromptFile(uri.fsPath, { text });
    } catch (err) {
      const problems = (err as { problems?: { line: number; message: string }[] }).problems;
      item.error = problems?.length ? problems.map((p) => `line ${p.line}: ${p.message}`).join('\n') : err instanceof Error ? err.message : String(err);
      item.children.replace([]);
      const after: Parsed = { promptPrint: '', casePrints: new Map(), caseFiles: before?.caseFiles ?? new Set() };
      this.parsed.set(item.id, after);
      return { ...(before ? { before } : {}), after };
    }
    item.error = undefined;
    const ids = new Set<string>();
    const cases = spec.cases.map((c) => this.caseItem(uri, spec, c, ids));
    item.children.replace(cases);
    const after: Parsed = {
      promptPrint: promptFingerprint(spec),
      casePrints: new Map(spec.cases.map((c) => [c.index, caseFingerprint(c)])),
      caseFiles: new Set(spec.cases.map((c) => c.file).filter((f) => f !== spec.file)),
    };
    this.parsed.set(item.id, after);
    return { ...(before ? { before } : {}), after, spec };
  }

  /**
   * A case item, named as everywhere else in the product: by its eval-set line (caseRef). Its id is that line too
   * (the file relative to the prompt file's folder), so it stays put when rows before it are added or removed;
   * `ids` keeps two cases on one line (a flow-style testData list) apart.
   */
  private caseItem(promptUri: vscode.Uri, spec: PromptSpec, c: EvalCase, ids: Set<string>): vscode.TestItem {
    const caseUri = vscode.Uri.file(c.file);
    const where = c.file === spec.file ? `line ${c.line}` : `${path.relative(path.dirname(spec.file), c.file).split(path.sep).join('/')}:${c.line}`;
    let id = `${promptUri.toString()}#${where}`;
    for (let n = 2; ids.has(id); n++) id = `${promptUri.toString()}#${where}~${n}`;
    ids.add(id);
    const item = this.controller.createTestItem(id, caseLabel(c, spec.file), caseUri);
    const range = new vscode.Range(c.line - 1, 0, c.line - 1, 0);
    item.range = range;
    item.sortText = String(c.index).padStart(6, '0');
    this.data.set(item, { kind: 'case', uri: promptUri, index: c.index, caseUri, line: c.line, ...(c.expected !== undefined ? { expected: c.expected } : {}) });
    item.children.replace(
      spec.variants.map((v, i) => {
        const leaf = this.controller.createTestItem(`${id}/${v.name}`, v.name, caseUri);
        leaf.range = range;
        leaf.sortText = String(i).padStart(4, '0');
        const model = v.model ?? spec.model;
        if (model) leaf.description = model;
        this.data.set(leaf, { kind: 'variant', uri: promptUri, index: c.index, variant: v.name });
        return leaf;
      }),
    );
    return item;
  }

  // -------------------------------------------------------------------------------------------
  // Runs

  private async handle(request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: RunMode): Promise<void> {
    if (request.continuous && !mode.batch) return this.continuous(request, token, mode);
    await this.runRequest(request, token, mode);
  }

  /** The leaves (variant items) a request covers, resolving files it names that were never parsed; and the files that do not load. */
  private async leavesOf(request: vscode.TestRunRequest): Promise<{ leaves: vscode.TestItem[]; broken: vscode.TestItem[] }> {
    await this.discover();
    const roots: vscode.TestItem[] = [];
    if (request.include?.length) roots.push(...request.include);
    else this.controller.items.forEach((i) => roots.push(i));
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const leaves: vscode.TestItem[] = [];
    const broken: vscode.TestItem[] = [];
    const walk = async (item: vscode.TestItem) => {
      if (excluded.has(item.id)) return;
      const d = this.data.get(item);
      if (d?.kind === 'file' && !this.parsed.has(item.id)) await this.refresh(d.uri);
      if (d?.kind === 'file' && item.error) broken.push(item);
      if (d?.kind === 'variant') {
        leaves.push(item);
        return;
      }
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
    // A file that does not load has no cases: it is errored with its problems.
    for (const item of broken) {
      const error = item.error ?? '';
      this.errored(run, item, `${path.basename(item.uri?.fsPath ?? item.id)} cannot be run:\n${typeof error === 'string' ? error : error.value}`);
    }
    const byFile = new Map<string, vscode.TestItem[]>();
    for (const leaf of leaves) {
      const d = this.data.get(leaf) as Extract<ItemData, { kind: 'variant' }>;
      const key = d.uri.toString();
      byFile.set(key, [...(byFile.get(key) ?? []), leaf]);
      this.note(run, leaf, 'enqueued');
    }
    try {
      for (const [key, fileLeaves] of byFile) {
        if (token.isCancellationRequested) {
          for (const l of fileLeaves) this.note(run, l, 'skipped');
          continue;
        }
        await this.runFile(run, vscode.Uri.parse(key), fileLeaves, token, mode);
      }
    } finally {
      run.end();
    }
  }

  private async runFile(run: vscode.TestRun, uri: vscode.Uri, leaves: vscode.TestItem[], token: vscode.CancellationToken, mode: RunMode): Promise<void> {
    const runs = this.deps.runs;
    const byKey = new Map<string, vscode.TestItem>();
    const cases = new Set<number>();
    const variants = new Set<string>();
    for (const leaf of leaves) {
      const d = this.data.get(leaf) as Extract<ItemData, { kind: 'variant' }>;
      byKey.set(`${d.index}${LEAF_SEP}${d.variant}`, leaf);
      cases.add(d.index);
      variants.add(d.variant);
    }
    // Narrow the run only where the request does: the whole file is one run of every case and variant.
    const fileItem = this.controller.items.get(uri.toString());
    const allCases = fileItem?.children.size ?? 0;
    let allVariants = 0;
    fileItem?.children.forEach((c) => (allVariants = Math.max(allVariants, c.children.size)));
    const done = new Set<vscode.TestItem>();
    const fail = (l: vscode.TestItem, message: string) => {
      if (done.has(l)) return;
      done.add(l);
      this.errored(run, l, message);
    };
    const sub = runs.onDidRunEvent((e) => {
      if (e.promptUri.toString() === uri.toString()) this.follow(run, byKey, done, e);
    });
    // Cancel of a batch run stops the wait and leaves the batch on the provider, as Stop Waiting does for the command.
    const cancel = token.onCancellationRequested(() => (mode.batch ? runs.stopWaiting(uri) : runs.cancel(uri)));
    const name = path.basename(uri.fsPath);
    if (runs.isRunning(uri)) {
      for (const l of leaves) fail(l, `${name} is already running: try again when that run has finished.`);
      cancel.dispose();
      sub.dispose();
      return;
    }
    const batchIds = new Set<string>();
    this.own.add(uri.toString());
    try {
      const record = await runs.start(uri, {
        ...(cases.size < allCases ? { caseIndexes: [...cases].sort((a, b) => a - b) } : {}),
        ...(variants.size < allVariants ? { variants: [...variants] } : {}),
        noCache: mode.noCache,
        progress: 'window',
        ...(mode.batch ? { batch: 'all' as const, onBatch: this.batchProgress(run, name, leaves, done, batchIds) } : {}),
      });
      if (!record) {
        if (mode.batch && batchIds.size) {
          const text =
            `The batch ${[...batchIds].join(', ')} for ${name} keeps running on the provider. To collect its results, open it in the Prompt Ladder Runs view ` +
            `(Collect Batch Results), or run "Run via Batch API" again: it attaches to the same batch, nothing is submitted twice.`;
          run.appendOutput(`${text}\r\n`);
          for (const l of leaves) if (!done.has(l)) this.note(run, l, 'skipped', text);
          for (const l of leaves) done.add(l);
        }
        return;
      }
      if (record.status === 'failed' && record.statusReason) {
        for (const l of leaves) fail(l, `The run failed: ${record.statusReason}`);
      }
      run.appendOutput(
        `${record.promptName ?? record.promptFile}: ${record.status} — ${record.variants.map((v) => `${v.name} ${v.passed}/${v.passed + v.failed + v.errors}`).join(', ')}\r\n`,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      for (const l of leaves) fail(l, message);
    } finally {
      this.own.delete(uri.toString());
      sub.dispose();
      cancel.dispose();
      // Cancelled before these ran: skipped, not failed.
      for (const l of leaves) if (!done.has(l)) this.note(run, l, 'skipped');
    }
  }

  /** Marks a leaf started or reports its result, from one engine event. */
  private follow(run: vscode.TestRun, byKey: Map<string, vscode.TestItem>, done: Set<vscode.TestItem>, e: RunEventForFile): void {
    const ev = e.event;
    if (ev.type === 'case-started') {
      const leaf = byKey.get(`${ev.caseIndex}${LEAF_SEP}${ev.variant}`);
      if (leaf && !done.has(leaf)) this.note(run, leaf, 'started');
    } else if (ev.type === 'case-finished') {
      const leaf = byKey.get(`${ev.caseIndex}${LEAF_SEP}${ev.result.variant}`);
      if (leaf && !done.has(leaf)) {
        done.add(leaf);
        this.report(run, leaf, ev.result);
      }
    }
  }

  /** Prompt files being run from here (their events are followed by runFile). */
  private readonly own = new Set<string>();
  /** Runs started elsewhere (Run Eval, the panel, CodeLens, an agent), shown here too so the gutter marks follow every run. */
  private readonly mirrors = new Map<string, { run: vscode.TestRun; byKey: Map<string, vscode.TestItem>; done: Set<vscode.TestItem> }>();

  private mirror(e: RunEventForFile): void {
    const key = e.promptUri.toString();
    if (this.own.has(key)) return;
    const ev = e.event;
    if (ev.type === 'run-started') {
      this.mirrors.get(key)?.run.end();
      this.mirrors.delete(key);
      const file = this.controller.items.get(key);
      if (!file || !this.parsed.has(key) || file.error) return;
      const cases = new Set(ev.record.cases.map((c) => c.index));
      const variants = new Set(ev.variants);
      const byKey = new Map<string, vscode.TestItem>();
      const run = this.controller.createTestRun(new vscode.TestRunRequest([file]), `Prompt Ladder: ${path.basename(e.promptUri.fsPath)}`, true);
      file.children.forEach((caseItem) => {
        const d = this.data.get(caseItem);
        if (d?.kind !== 'case' || !cases.has(d.index)) return;
        caseItem.children.forEach((leaf) => {
          const v = this.data.get(leaf);
          if (v?.kind !== 'variant' || !variants.has(v.variant)) return;
          byKey.set(`${v.index}${LEAF_SEP}${v.variant}`, leaf);
          this.note(run, leaf, 'enqueued');
        });
      });
      this.mirrors.set(key, { run, byKey, done: new Set() });
      return;
    }
    const m = this.mirrors.get(key);
    if (!m) return;
    if (ev.type === 'run-finished') {
      for (const leaf of m.byKey.values()) if (!m.done.has(leaf)) this.note(m.run, leaf, 'skipped');
      m.run.end();
      this.mirrors.delete(key);
      return;
    }
    this.follow(m.run, m.byKey, m.done, e);
  }

  private report(run: vscode.TestRun, leaf: vscode.TestItem, result: CaseResult): void {
    const caseItem = leaf.parent;
    const cd = caseItem ? this.data.get(caseItem) : undefined;
    const expected = cd?.kind === 'case' ? cd.expected : undefined;
    const o = outcomeOf(result, expected);
    const location = cd?.kind === 'case' ? new vscode.Location(cd.caseUri, new vscode.Position(cd.line - 1, 0)) : undefined;
    if (o.state === 'passed') {
      run.passed(leaf, o.durationMs);
      this.record(leaf, { state: 'passed', durationMs: o.durationMs });
      return;
    }
    if (o.state === 'errored') {
      this.errored(run, leaf, o.message, location, o.durationMs);
      return;
    }
    const message = o.expected !== undefined ? vscode.TestMessage.diff(o.message, o.expected, o.actual) : new vscode.TestMessage(o.message);
    if (location) message.location = location;
    run.failed(leaf, message, o.durationMs);
    run.appendOutput(`✗ ${caseItem?.label ?? ''} [${result.variant}] ${result.category ?? ''}\r\n`, location, leaf);
    this.record(leaf, {
      state: 'failed',
      message: o.message,
      durationMs: o.durationMs,
      ...(o.expected !== undefined ? { diff: { expected: o.expected, actual: o.actual } } : {}),
      ...(location ? { location: { file: location.uri.fsPath, line: location.range.start.line } } : {}),
    });
  }

  private errored(run: vscode.TestRun, item: vscode.TestItem, text: string, location?: vscode.Location, durationMs?: number): void {
    const message = new vscode.TestMessage(text);
    if (location) message.location = location;
    run.errored(item, message, durationMs);
    this.record(item, { state: 'errored', message: text, ...(durationMs !== undefined ? { durationMs } : {}) });
  }

  private note(run: vscode.TestRun, item: vscode.TestItem, state: 'enqueued' | 'started' | 'skipped', message?: string): void {
    if (state === 'enqueued') run.enqueued(item);
    else if (state === 'started') run.started(item);
    else run.skipped(item);
    this.record(item, { state, ...(message ? { message } : {}) });
  }

  /**
   * Progress of a batch run in the test run: its leaves are started once their requests are on the provider, and
   * the output says which batch, its status and counts as they change. Results come when the batch completes.
   */
  private batchProgress(run: vscode.TestRun, name: string, leaves: vscode.TestItem[], done: Set<vscode.TestItem>, ids: Set<string>): (e: BatchEvent) => void {
    let last = '';
    return (e) => {
      if (e.type === 'submitted' || e.type === 'attached') {
        for (const p of e.parts) if (p.id) ids.add(p.id);
        const requests = e.parts.reduce((n, p) => n + p.requests, 0);
        run.appendOutput(
          `${name}: ${e.type === 'submitted' ? 'submitted' : 'attached to'} batch ${e.parts.map((p) => p.id ?? '(creating)').join(', ')} ` +
            `(${requests} request${requests === 1 ? '' : 's'}${e.phase > 1 ? `, evaluator phase ${e.phase}` : ''}); results come when it completes. ` +
            `Stopping this run leaves the batch running on the provider.\r\n`,
        );
        if (e.phase === 1) for (const l of leaves) if (!done.has(l)) this.note(run, l, 'started');
      } else if (e.type === 'waiting') {
        for (const p of e.parts) if (p.id) ids.add(p.id);
        const completed = e.parts.reduce((n, p) => n + p.completed, 0);
        const total = e.parts.reduce((n, p) => n + p.requests, 0);
        const status = [...new Set(e.parts.map((p) => p.status))].join(', ');
        const line = `batch ${status} · ${completed}/${total} done`;
        if (line !== last) run.appendOutput(`${line} · ${Math.round(e.elapsedMs / 1000)} s\r\n`);
        last = line;
      } else if (e.type === 'problem') {
        run.appendOutput(`${e.message}\r\n`);
      }
    };
  }

  private record(item: vscode.TestItem, r: Omit<ReportedResult, 'id'>): void {
    this.reported?.push({ id: item.id, ...r });
  }

  // -------------------------------------------------------------------------------------------
  // Continuous run: on save of a prompt file or an eval-set file, re-run the cases the edit affected.

  private continuous(request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: RunMode): Promise<void> {
    const scope = request.include?.length ? request.include : undefined;
    const inScope = (item: vscode.TestItem): boolean => {
      if (!scope) return true;
      for (let i: vscode.TestItem | undefined = item; i; i = i.parent) if (scope.some((s) => s.id === i!.id)) return true;
      return false;
    };
    let queue = Promise.resolve();
    // What each file was when last run (or when the continuous run began): an edit is judged against this,
    // not against the latest parse, which the editor refreshes as you type and as files change on disk.
    const baseline = new Map(this.parsed);
    const sub = vscode.workspace.onDidSaveTextDocument((doc) => {
      const prompts = this.affectedPrompts(doc.uri);
      if (isPromptFile(doc.uri) && !prompts.length) prompts.push(doc.uri.toString());
      for (const id of prompts) {
        queue = queue.then(async () => {
          if (token.isCancellationRequested) return;
          const pending = this.pending.get(id);
          if (pending) {
            clearTimeout(pending);
            this.pending.delete(id);
          }
          const { before: parsedBefore, after } = await this.refresh(vscode.Uri.parse(id));
          const before = baseline.get(id) ?? parsedBefore;
          const file = this.controller.items.get(id);
          if (!file || !after) return;
          baseline.set(id, after);
          const all = before === undefined || before.promptPrint !== after.promptPrint;
          const affected: vscode.TestItem[] = [];
          file.children.forEach((caseItem) => {
            const d = this.data.get(caseItem);
            if (d?.kind !== 'case') return;
            const changed = all || before?.casePrints.get(d.index) !== after.casePrints.get(d.index);
            if (!changed) return;
            if (inScope(caseItem)) affected.push(caseItem);
            else caseItem.children.forEach((leaf) => {
              if (inScope(leaf)) affected.push(leaf);
            });
          });
          if (!affected.length) return;
          this.deps.log.info(`continuous run: ${affected.length} affected case(s) of ${vscode.workspace.asRelativePath(vscode.Uri.parse(id))}`);
          await this.runRequest(new vscode.TestRunRequest(affected, undefined, request.profile, false), token, mode);
        });
      }
    });
    return new Promise((resolve) => {
      token.onCancellationRequested(() => {
        sub.dispose();
        void queue.then(resolve);
      });
    });
  }

  dispose(): void {
    for (const m of this.mirrors.values()) m.run.end();
    for (const t of this.pending.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
