// One results panel (one per prompt file): owns the WebviewPanel, keeps the full record of the run it shows
// (folding streamed events into it), answers the webview's commands and requests, and posts slim state.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent } from '../../core/events';
import type { RunRecord } from '../../core/runs/schema';
import { isAllowedActionCommand, parseAction } from '../../shared/actions';
import { checkAdvisorAction } from '../../core/analysis/advisor/commandArgs';
import { compareForPanel } from '../../shared/compareData';
import {
  parseWebviewMessage,
  type CompareData,
  type DetailsResult,
  type HostMessage,
  type Request,
  type WebviewMessage,
} from '../../shared/protocol';
import { applyRunEvent, emptyLiveRun, type LiveRun } from '../../shared/runState';
import { slimEvent, slimRecord } from '../../shared/slim';
import type { RunController, RunEventForFile, StartRunOptions } from '../runs/types';
import { rootOfRunFile, runRootFor } from '../promptFiles';
import { EventBatcher } from './eventBatcher';
import { panelHtml } from './html';
import { Disposable } from '../common/lifecycle';
import { currentRunOf, shownStatus } from '../runs/currentRun';

export interface PanelLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PanelFocus {
  caseIndex?: number;
  variant?: string;
  open?: boolean;
}

/**
 * The test seam of the results panel (set only by the integration suite, through the extension's test-mode API):
 * scripts of its own loaded into the webview before the panel's, the raw messages of a webview offered to it
 * first, and each webview that said `ready`. The panel's protocol knows nothing of it.
 */
export interface PanelTestHost {
  /** Files under dist/ loaded into the webview before the panel's script. */
  readonly scripts: readonly string[];
  /** True when `raw` was the test host's own message (the panel then ignores it). */
  receive(promptUri: vscode.Uri, raw: unknown): boolean;
  ready(promptUri: vscode.Uri, webview: vscode.Webview): void;
}

export interface ResultsPanelDeps {
  extensionUri: vscode.Uri;
  runs: RunController;
  log: PanelLog;
  testHost?: () => PanelTestHost | undefined;
}

export interface PanelRestore {
  runUri?: vscode.Uri;
  compareWith?: vscode.Uri;
}

const BATCH_MS = 75;

export class ResultsPanel extends Disposable {
  private readonly batcher: EventBatcher<RunEvent>;
  private live: LiveRun = emptyLiveRun();
  private runUri: vscode.Uri | undefined;
  private pinned = false;
  private compare: { data: CompareData; base: RunRecord; baseUri?: vscode.Uri } | null = null;
  /** Compare the next finished run with this record (set by "re-run failures"). */
  private compareNextWith: { base: RunRecord; baseUri?: vscode.Uri } | null = null;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private pendingFocus: PanelFocus | undefined;
  private loaded: Promise<void>;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private stale = false;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onDisposeCallbacks: (() => void)[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly promptUri: vscode.Uri,
    private readonly deps: ResultsPanelDeps,
    restore: PanelRestore = {},
  ) {
    super();
    this.batcher = new EventBatcher((events) => this.post({ type: 'runEvents', events }), BATCH_MS);
    panel.title = `Results: ${path.basename(promptUri.path)}`;
    panel.iconPath = {
      light: vscode.Uri.joinPath(deps.extensionUri, 'media', 'results-light.svg'),
      dark: vscode.Uri.joinPath(deps.extensionUri, 'media', 'results-dark.svg'),
    };
    // Set once: resetting html on view-state changes would reload the webview.
    panel.webview.html = panelHtml(panel.webview, deps.extensionUri, panel.title, deps.testHost?.()?.scripts);
    this._registerAll(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down (no retainContextWhenHidden); it says `ready` again when shown.
        if (!panel.visible) this.setNotReady();
      }),
      panel.onDidDispose(() => this.dispose()),
      deps.runs.onDidRunEvent((e) => this.onRunEvent(e)),
      deps.runs.onDidChangeRuns(() => this.scheduleReload()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === promptUri.toString()) this.scheduleStaleCheck();
      }),
    );
    this.loaded = this.load(restore);
  }

  onDidDispose(cb: () => void): void {
    this.onDisposeCallbacks.push(cb);
  }

  /** Reveals the panel and applies what `PanelManager.show` asked for. */
  async apply(opts: { runUri?: vscode.Uri; compareWith?: vscode.Uri; run?: boolean; focus?: PanelFocus }): Promise<void> {
    await this.loaded;
    if (opts.runUri && opts.runUri.toString() !== this.runUri?.toString()) {
      await this.pin(opts.runUri);
    }
    if (opts.compareWith) await this.setCompare(opts.compareWith);
    if (opts.focus && (opts.focus.caseIndex !== undefined || opts.focus.variant !== undefined)) {
      if (this.ready) this.post({ type: 'focus', focus: opts.focus });
      else this.pendingFocus = opts.focus;
    }
    if (opts.run) void this.start({});
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  // ---- data --------------------------------------------------------------------------------------------------

  private async load(restore: PanelRestore): Promise<void> {
    try {
      if (restore.runUri) {
        const rec = await this.deps.runs.readRun(restore.runUri);
        if (rec) {
          this.live = emptyLiveRun(rec, restore.runUri.fsPath);
          this.runUri = restore.runUri;
          this.pinned = true;
        }
      }
      if (!this.live.record) {
        // Opened while a run is under way (from the tree, a CodeLens, another command): show its results so far;
        // the events that follow fill the rest.
        const running = this.deps.runs.liveRecord(this.promptUri);
        if (running) {
          this.live = emptyLiveRun(running);
          this.live.running = true;
        }
      }
      if (!this.live.record) await this.loadLatest();
      if (restore.compareWith) await this.setCompare(restore.compareWith, false);
    } catch (err) {
      this.deps.log.error(`results panel: could not load runs of ${this.promptUri.fsPath}: ${String(err)}`);
    }
  }

  private async loadLatest(): Promise<boolean> {
    // the file's current results: the latest full run with the cells of later partial runs in place
    const last = currentRunOf((await this.deps.runs.listRuns(this.promptUri)).filter((r) => shownStatus(r.record)));
    if (!last) return false;
    if (this.live.running) return false;
    const changed = last.record.id !== this.live.record?.id || last.record.finishedAt !== this.live.record?.finishedAt;
    this.live = emptyLiveRun(last.record, last.uri.fsPath, last.updated);
    this.runUri = last.uri;
    return changed;
  }

  private async pin(runUri: vscode.Uri): Promise<void> {
    const rec = await this.deps.runs.readRun(runUri);
    if (!rec) {
      void vscode.window.showErrorMessage(`Prompt Ladder: could not read the run ${vscode.workspace.asRelativePath(runUri)}.`);
      return;
    }
    if (this.live.running) this.live.running = false;
    const view = await this.wholeView(rec);
    this.live = emptyLiveRun(view.record, runUri.fsPath, view.updated);
    this.runUri = runUri;
    this.pinned = true;
    if (this.compare) this.compare = { ...this.compare, data: compareForPanel(this.compare.base, rec, this.compare.baseUri?.toString()) };
    this.postInit();
  }

  /** A partial run as the file's results stood after it: merged over the full run before it (runs/partial.ts). */
  private async wholeView(rec: RunRecord): Promise<{ record: RunRecord; updated?: Set<string> }> {
    if (!rec.partial) return { record: rec };
    const runs = (await this.deps.runs.listRuns(this.promptUri)).filter((r) => shownStatus(r.record) || r.record.id === rec.id);
    return currentRunOf(runs, rec) ?? { record: rec };
  }

  private async showLatest(): Promise<void> {
    this.pinned = false;
    await this.loadLatest();
    this.recompare();
    this.postInit();
  }

  /** Runs appeared or changed on disk (CLI, another window): follow the newest unless pinned or running. */
  private scheduleReload(): void {
    if (this.pinned || this.disposed) return;
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      if (this.pinned || this.live.running || this.deps.runs.isRunning(this.promptUri)) return;
      void this.loadLatest().then((changed) => {
        if (changed) {
          this.recompare();
          this.postInit();
        }
      });
    }, 300);
  }

  private async setCompare(baseUri: vscode.Uri, post = true): Promise<CompareData | null> {
    const read = await this.deps.runs.readRun(baseUri);
    // never the few cases of a partial run against the whole set: compare what the file's results were then
    const base = read && (await this.wholeView(read)).record;
    if (!base) {
      void vscode.window.showErrorMessage(`Prompt Ladder: could not read the run ${vscode.workspace.asRelativePath(baseUri)}.`);
      return null;
    }
    const head = this.live.record;
    if (!head) return null;
    this.compare = { base, baseUri, data: compareForPanel(base, head, baseUri.toString()) };
    if (post) this.post({ type: 'compare', compare: this.compare.data });
    return this.compare.data;
  }

  private recompare(): void {
    if (this.compare && this.live.record) {
      this.compare = { ...this.compare, data: compareForPanel(this.compare.base, this.live.record, this.compare.baseUri?.toString()) };
    }
  }

  /** True when the prompt file's current text (open editor or disk) does not hash to the shown run's promptHash. */
  private async computeStale(): Promise<boolean> {
    const hash = this.live.record?.promptHash;
    if (!hash || this.live.running) return false;
    let text: string;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.promptUri.toString());
    if (doc) text = doc.getText();
    else {
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(this.promptUri));
      } catch {
        return false;
      }
    }
    return createHash('sha256').update(text).digest('hex') !== hash;
  }

  private scheduleStaleCheck(): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      void this.computeStale().then((stale) => {
        if (stale === this.stale) return;
        this.stale = stale;
        this.post({ type: 'stale', stale });
      });
    }, 300);
  }

  // ---- run events --------------------------------------------------------------------------------------------

  private onRunEvent(e: RunEventForFile): void {
    if (this.disposed || e.promptUri.toString() !== this.promptUri.toString()) return;
    const ev = e.event;
    if (ev.type === 'run-started') {
      this.pinned = false;
      this.runUri = undefined;
      if (this.compare) {
        // the comparison is redone when the run finishes
        this.compareNextWith ??= { base: this.compare.base, baseUri: this.compare.baseUri };
        this.compare = null;
        this.post({ type: 'compare', compare: null });
      }
    } else if (ev.type !== 'run-finished' && ev.type !== 'progress' && this.live.record?.id !== e.runId) {
      return; // events of a run this panel did not see start
    }
    applyRunEvent(this.live, ev);
    if (ev.type === 'run-finished') {
      this.runUri = ev.path ? vscode.Uri.file(ev.path) : undefined;
      const next = this.compareNextWith;
      this.compareNextWith = null;
      // the shown results (a partial run merged over the full one), not the partial record alone
      const head = this.live.record ?? ev.record;
      if (next) this.compare = { ...next, data: compareForPanel(next.base, head, next.baseUri?.toString()) };
    }
    if (!this.ready) return; // the next `ready` gets the whole state
    this.batcher.push(slimEvent(ev));
    if (ev.type === 'run-started' || ev.type === 'run-finished') this.batcher.flushNow();
    if (ev.type === 'run-finished' && this.compare) this.post({ type: 'compare', compare: this.compare.data });
    if (ev.type === 'run-finished') this.scheduleStaleCheck();
  }

  private async start(opts: StartRunOptions): Promise<void> {
    try {
      await this.deps.runs.start(this.promptUri, opts);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error(`run of ${this.promptUri.fsPath} failed: ${message}`);
      this.post({ type: 'error', message });
    } finally {
      if (!this.deps.runs.isRunning(this.promptUri) && this.live.running) {
        this.live.running = false;
        this.post({ type: 'running', running: false });
      }
    }
  }

  // ---- messages ----------------------------------------------------------------------------------------------

  private post(message: HostMessage): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(message).then(undefined, (err: unknown) => this.deps.log.warn(`results panel: post failed: ${String(err)}`));
  }

  private setNotReady(): void {
    this.ready = false;
    this.batcher.clear();
  }

  private postInit(): void {
    if (!this.ready) return;
    this.batcher.clear();
    const running = this.live.running || this.deps.runs.isRunning(this.promptUri);
    const focus = this.pendingFocus;
    this.pendingFocus = undefined;
    this.post({
      type: 'init',
      promptUri: this.promptUri.toString(),
      promptLabel: vscode.workspace.asRelativePath(this.promptUri, false),
      record: this.live.record ? slimRecord(this.live.record) : null,
      ...(this.live.updated.size ? { updated: [...this.live.updated] } : {}),
      ...(this.runUri ? { runUri: this.runUri.toString() } : {}),
      pinned: this.pinned,
      running,
      compare: this.compare?.data ?? null,
      progress: running ? this.live.progress : null,
      ...(focus ? { focus } : {}),
      stale: this.stale,
    });
    this.scheduleStaleCheck();
  }

  private receive(raw: unknown): void {
    if (this.deps.testHost?.()?.receive(this.promptUri, raw)) return;
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.deps.log.warn(`results panel dropped a message from the webview: ${parsed.error}`);
      return;
    }
    void this.handle(parsed.message).catch((err: unknown) => {
      this.deps.log.error(`results panel: '${parsed.message.type}' failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    });
  }

  private async handle(msg: WebviewMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        await this.loaded;
        this.ready = true;
        this.postInit();
        for (const w of this.readyWaiters.splice(0)) w();
        this.deps.testHost?.()?.ready(this.promptUri, this.panel.webview);
        return;
      case 'run':
        void this.start({
          ...(msg.caseIndexes ? { caseIndexes: msg.caseIndexes } : {}),
          ...(msg.variants ? { variants: msg.variants } : {}),
          ...(msg.noCache ? { noCache: true } : {}),
        });
        return;
      case 'cancel':
        this.deps.runs.cancel(this.promptUri);
        return;
      case 'rerunFailures':
        return this.rerunFailures(msg.variants);
      case 'openFile':
        return this.openFile(msg.file, msg.line);
      case 'executeAction':
        return this.executeAction(msg.action);
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        vscode.window.setStatusBarMessage('Prompt Ladder: copied', 2000);
        return;
      case 'clearCompare':
        this.compare = null;
        this.compareNextWith = null;
        this.post({ type: 'compare', compare: null });
        return;
      case 'showLatest':
        return this.showLatest();
      case 'addTestCase':
        return this.addTestCase(msg.caseIndex, msg.variant);
      case 'log':
        this.deps.log[msg.level](`webview: ${msg.message}`);
        return;
      case 'request':
        return this.answer(msg.id, msg.request);
    }
  }

  private async answer(id: number, request: Request): Promise<void> {
    try {
      let result: unknown;
      switch (request.method) {
        case 'details':
          result = this.details(request.caseIndex, request.variant);
          break;
        case 'pickRunToCompare':
          result = await this.pickRunToCompare();
          break;
        case 'compareWith':
          result = await this.setCompare(vscode.Uri.parse(request.runUri), false);
          break;
      }
      this.post({ type: 'response', id, ok: true, result });
    } catch (err) {
      this.post({ type: 'response', id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** The full (not slimmed) case and this variant's results, from the record the host keeps. */
  details(caseIndex: number, variant: string): DetailsResult {
    const c = this.live.record?.cases.find((x) => x.index === caseIndex);
    if (!c) throw new Error('That case is not in this run.');
    return {
      caseIndex,
      variant,
      ...(c.file ? { file: c.file } : {}),
      line: c.line,
      vars: c.vars,
      ...(c.expected !== undefined ? { expected: c.expected } : {}),
      results: c.results.filter((r) => r.variant === variant).sort((a, b) => (a.repeat ?? 0) - (b.repeat ?? 0)),
    };
  }

  private async pickRunToCompare(): Promise<CompareData | null> {
    const head = this.live.record;
    if (!head) return null;
    const runs = (await this.deps.runs.listRuns(this.promptUri)).filter((r) => r.record.id !== head.id);
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(`Prompt Ladder: there is no other run of ${path.basename(this.promptUri.path)} to compare with.`);
      return null;
    }
    const items = runs.map((r) => ({
      label: `$(history) ${new Date(r.record.startedAt).toLocaleString()}`,
      description: r.record.variants.map((v) => `${v.name} ${Math.round(v.passRate * 100)}%`).join(' · '),
      detail: `${r.record.status} · ${r.record.cases.length} case${r.record.cases.length === 1 ? '' : 's'} · ${vscode.workspace.asRelativePath(r.uri, false)}`,
      run: r,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: `Compare ${path.basename(this.promptUri.path)} with…`,
      placeHolder: 'Pick an earlier run (the base); the shown run is compared against it',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return null;
    const base = (await this.wholeView(picked.run.record)).record;
    this.compare = { base, baseUri: picked.run.uri, data: compareForPanel(base, head, picked.run.uri.toString()) };
    return this.compare.data;
  }

  private async rerunFailures(variants: string[] | undefined): Promise<void> {
    const rec = this.live.record;
    if (!rec) return;
    const failing = rec.cases
      .filter((c) => c.results.some((r) => (!variants || variants.includes(r.variant)) && (!r.passed || r.error)))
      .map((c) => c.index);
    if (failing.length === 0) {
      this.post({ type: 'error', message: 'No case failed in this run.' });
      return;
    }
    // Show what the re-run changed: compare it with the run the failures came from.
    this.compareNextWith = { base: rec, baseUri: this.runUri };
    await this.start({ caseIndexes: failing, ...(variants ? { variants } : {}) });
  }

  private runRoot(): vscode.Uri {
    return vscode.Uri.file(runRootFor(this.promptUri));
  }

  private async openFile(file: string | undefined, line: number): Promise<void> {
    let target = this.promptUri;
    if (file) {
      const root = this.runRoot();
      const candidate = vscode.Uri.joinPath(root, file);
      const rel = path.relative(root.path, candidate.path);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        this.deps.log.warn(`results panel: refused to open ${file} (outside the workspace folder)`);
        return;
      }
      target = candidate;
    }
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.toString());
    const pos = new vscode.Position(Math.max(0, line - 1), 0);
    try {
      await vscode.window.showTextDocument(target, {
        viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One,
        selection: new vscode.Range(pos, pos),
        preview: false,
      });
    } catch (err) {
      void vscode.window.showErrorMessage(`Prompt Ladder: could not open ${vscode.workspace.asRelativePath(target)}: ${String(err)}`);
    }
  }

  private async addTestCase(caseIndex: number, variant: string): Promise<void> {
    const command = 'promptLadder.addTestCaseFromResult';
    if (!this.runUri) {
      this.post({ type: 'error', message: 'This run has not been written yet; try again when it finished.' });
      return;
    }
    if (!(await vscode.commands.getCommands(true)).includes(command)) {
      void vscode.window.showInformationMessage('Prompt Ladder: adding a test case from a result is not available in this version.');
      return;
    }
    await vscode.commands.executeCommand(command, { runUri: this.runUri.toString(), caseIndex, variant });
  }

  private async executeAction(action: string): Promise<void> {
    const a = parseAction(action);
    if (!a.command) {
      void vscode.window.showInformationMessage(a.label);
      return;
    }
    // the action comes from a run record on disk (data a cloned repository may ship): checked before it runs
    const checked = checkAdvisorAction(action, this.runUri ? { runRoot: rootOfRunFile(this.runUri.fsPath), promptFile: this.promptUri.fsPath } : undefined);
    if (!isAllowedActionCommand(a.command) || !checked.ok) {
      const why = checked.ok ? `'${a.command}' is not a Prompt Ladder command` : checked.reason;
      this.deps.log.warn(`results panel: advisor action not run: ${why}`);
      void vscode.window.showWarningMessage(`Prompt Ladder did not run this advice: ${why}.`);
      return;
    }
    const known = await vscode.commands.getCommands(true);
    if (!known.includes(a.command)) {
      this.deps.log.warn(`results panel: advisor action '${a.command}' is not a registered command`);
      void vscode.window.showInformationMessage(`Prompt Ladder: "${a.label}" is not available in this version.`);
      return;
    }
    await vscode.commands.executeCommand(checked.command, this.promptUri, ...checked.args);
  }

  // ---- test hooks --------------------------------------------------------------------------------------------

  /** Resolves once the webview has said `ready` (test hook). */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Test hook: the full record the panel shows. */
  get record(): RunRecord | null {
    return this.live.record;
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    clearTimeout(this.reloadTimer);
    clearTimeout(this.staleTimer);
    this.batcher.dispose();
    super.dispose();
    this.panel.dispose();
    for (const cb of this.onDisposeCallbacks.splice(0)) cb();
  }
}
