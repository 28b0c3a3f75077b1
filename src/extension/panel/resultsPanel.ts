// One results panel (one per prompt file): owns the WebviewPanel and the run it shows (shownRun.ts: the record's
// header and its rows as a windowed source), folds streamed events into it, posts the webview coalesced updates
// at a bounded rate, and answers the webview's commands and requests (the rows in view, a cell's details).

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent } from '../../core/events';
import type { RunRecord } from '../../core/runs/schema';
import { parseWebviewMessage, type HostMessage, type Request, type WebviewMessage } from '../../shared/protocol';
import type { RunEventForFile, StartRunOptions } from '../runs/types';
import { storeModule } from '../lazy';
import { Coalescer } from './coalescer';
import { panelHtml } from './html';
import { addTestCase, executeAction, openRunFile } from './panelActions';
import { PanelCompare, wholeView } from './panelCompare';
import { openStoredRun } from './rowSource';
import { isStale } from './staleCheck';
import { ShownRun } from './shownRun';
import { finishedMessage, initMessage, requestResult, updateMessage } from './panelMessages';
import { Disposable } from '../common/lifecycle';
import type { PanelFocus, PanelRestore, ResultsPanelDeps } from './panelTypes';
import { currentRunOf, currentRunsOf, shownStatus } from '../runs/currentRun';

export type { PanelTestHost } from './panelTypes';

/** The panel gets at most one update per this interval while a run goes on. */
const UPDATE_MS = 250;

export class ResultsPanel extends Disposable {
  private readonly updates: Coalescer;
  private readonly shown = new ShownRun();
  private runUri: vscode.Uri | undefined;
  private pinned = false;
  private readonly compare: PanelCompare;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private pendingFocus: PanelFocus | undefined;
  private loaded: Promise<void>;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private stale = false;
  /** The shown results when they are a partial run merged over a full one (no single record file holds them). */
  private merged: RunRecord | undefined;
  /** A partial run under way: the shown results stay whole until it finishes, then show its cells merged in. */
  private partialRunId: string | undefined;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onDisposeCallbacks: (() => void)[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly promptUri: vscode.Uri,
    private readonly deps: ResultsPanelDeps,
    restore: PanelRestore = {},
  ) {
    super();
    this.updates = new Coalescer(() => this.postUpdate(), UPDATE_MS);
    this.compare = new PanelCompare({
      promptUri,
      runs: deps.runs,
      head: () => this.headRecord(),
      post: (compare) => this.post({ type: 'compare', compare }),
    });
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
      this.updates,
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
    if (opts.compareWith) await this.compare.set(opts.compareWith);
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

  /**
   * Shows a finished record held in memory (e.g. the merged record of a partial run) with its file, as if it
   * had just been read: the panel follows it until another run starts or is picked.
   */
  showRecord(record: RunRecord, runUri?: vscode.Uri): void {
    this.shown.showRecord(record, runUri?.fsPath);
    this.runUri = runUri;
    this.postInit();
  }

  // ---- data --------------------------------------------------------------------------------------------------

  private async load(restore: PanelRestore): Promise<void> {
    try {
      if (restore.runUri && (await this.readStored(restore.runUri))) this.pinned = true;
      if (!this.shown.header) {
        // Opened while a run is under way (from the tree, a CodeLens, another command): show its results so far;
        // the events that follow fill the rest.
        const running = this.deps.runs.liveRecord(this.promptUri);
        if (running) this.shown.showLive(running);
      }
      if (!this.shown.header) await this.loadLatest();
      if (restore.compareWith) await this.compare.set(restore.compareWith, false);
    } catch (err) {
      this.deps.log.error(`results panel: could not load runs of ${this.promptUri.fsPath}: ${String(err)}`);
    }
  }

  /** Reads a stored run's header and rows (a streamed run's case lines are only indexed, not kept). */
  private async readStored(runUri: vscode.Uri): Promise<boolean> {
    try {
      this.shown.showStored(await openStoredRun(runUri.fsPath, storeModule().readRun), runUri.fsPath);
      this.runUri = runUri;
      return true;
    } catch (err) {
      this.deps.log.warn(err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  private async loadLatest(): Promise<boolean> {
    // the file's current results: the latest full run with the cells of later partial runs in place
    const runs = this.deps.runs;
    const used = currentRunsOf((await runs.listRuns(this.promptUri)).filter((r) => shownStatus(r.record)));
    // the current results are named after their newest run: read them only when that is not the one shown
    const newest = used[0]?.record;
    if (!newest || this.shown.running) return false;
    if (newest.id === this.shown.header?.id && newest.finishedAt === this.shown.header?.finishedAt && this.shown.rows) return false;
    const last = await currentRunOf(used, (r) => runs.readRun(r.uri));
    if (!last || this.shown.running) return false;
    this.showView(last.record, last.uri, last.updated);
    return true;
  }

  /** Shows a finished record from the Runs view's copy (its rows from the file when streamed), or a merged view. */
  private showView(record: RunRecord, uri: vscode.Uri, updated?: ReadonlySet<string>): void {
    this.merged = updated?.size ? record : undefined;
    this.shown.showRecord(record, uri.fsPath, updated);
    this.runUri = uri;
  }

  private async pin(runUri: vscode.Uri): Promise<void> {
    if (!(await this.readStored(runUri))) {
      void vscode.window.showErrorMessage(`Prompt Ladder: could not read the run ${vscode.workspace.asRelativePath(runUri)}.`);
      return;
    }
    this.merged = undefined;
    // a partial run is shown as the file's results stood after it
    const header = this.shown.header;
    if (header?.partial) {
      const view = await wholeView(this.deps.runs, this.promptUri, header);
      if (view.updated?.size) this.showView(view.record, runUri, view.updated);
    }
    this.pinned = true;
    await this.compare.redo();
    this.postInit();
  }

  private async showLatest(): Promise<void> {
    this.pinned = false;
    await this.loadLatest();
    await this.compare.redo();
    this.postInit();
  }

  /** Runs appeared or changed on disk (CLI, another window): follow the newest unless pinned or running. */
  private scheduleReload(): void {
    if (this.pinned || this.disposed) return;
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      if (this.pinned || this.shown.running || this.deps.runs.isRunning(this.promptUri)) return;
      void this.loadLatest().then(async (changed) => {
        if (!changed) return;
        await this.compare.redo();
        this.postInit();
      });
    }, 300);
  }

  /** The shown run's whole record, read for a moment (comparisons); never kept. */
  private async headRecord(): Promise<RunRecord | undefined> {
    if (this.merged) return this.merged;
    if (this.shown.running || !this.shown.path) return undefined;
    return this.deps.runs.readRun(vscode.Uri.file(this.shown.path));
  }

  private scheduleStaleCheck(): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      const hash = this.shown.running ? undefined : this.shown.header?.promptHash;
      void isStale(this.promptUri, hash).then((stale) => {
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
    if (this.keepWholeDuringPartial(e.runId, ev)) return;
    if (ev.type === 'run-started') this.runStarted();
    else if (ev.type !== 'run-finished' && ev.type !== 'progress' && this.shown.runId !== e.runId) return; // a run this panel did not see start
    const applied = this.shown.apply(ev);
    if (ev.type === 'run-finished') void this.runFinished(ev);
    // the run controller still counts a finished run as running until its start() returns
    if (applied === 'reset') this.postInit(this.shown.running);
    else if (applied === 'finished') this.postFinished();
    else if (applied === 'changed' && this.ready) this.updates.mark();
  }

  private runStarted(): void {
    this.merged = undefined;
    this.pinned = false;
    this.runUri = undefined;
    this.compare.runStarted();
  }

  /**
   * A partial run (one case from the Test Explorer, "Run shown") over finished results: the matrix stays whole
   * while it runs, and its cells are merged in, marked updated, when it finishes. True when the event is handled.
   */
  private keepWholeDuringPartial(runId: string, ev: RunEvent): boolean {
    if (ev.type === 'run-started') {
      if (!ev.record.partial || !this.shown.header || this.shown.running) return false;
      this.partialRunId = runId;
      this.post({ type: 'running', running: true });
      return true;
    }
    if (runId !== this.partialRunId) return false;
    if (ev.type === 'run-finished') {
      this.partialRunId = undefined;
      void this.partialFinished(ev);
    }
    return true;
  }

  private async partialFinished(ev: Extract<RunEvent, { type: 'run-finished' }>): Promise<void> {
    const uri = ev.path ? vscode.Uri.file(ev.path) : undefined;
    const view = uri ? await wholeView(this.deps.runs, this.promptUri, ev.record, uri) : { record: ev.record };
    if (uri && view.updated?.size) this.showView(view.record, uri, view.updated);
    else this.shown.showRecord(ev.record, ev.path);
    this.pinned = false;
    await this.compare.runFinished(view.record, false, true);
    this.postInit(false);
  }

  private async runFinished(ev: Extract<RunEvent, { type: 'run-finished' }>): Promise<void> {
    this.runUri = ev.path ? vscode.Uri.file(ev.path) : undefined;
    await this.compare.runFinished(ev.record, true, false);
    this.scheduleStaleCheck();
  }

  private async start(opts: StartRunOptions): Promise<void> {
    try {
      await this.deps.runs.start(this.promptUri, opts);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error(`run of ${this.promptUri.fsPath} failed: ${message}`);
      this.post({ type: 'error', message });
    } finally {
      if (!this.deps.runs.isRunning(this.promptUri) && this.shown.running) {
        this.shown.running = false;
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
    this.updates.clear();
  }

  private postUpdate(): void {
    const m = updateMessage(this.shown);
    if (m) this.post(m);
  }

  /** The followed run finished: its header and the rows that changed, not every row again. */
  private postFinished(): void {
    const m = this.ready ? finishedMessage(this.shown, this.runUri?.toString()) : undefined;
    if (!m) return this.postInit(false);
    this.updates.clear();
    this.post(m);
    this.scheduleStaleCheck();
  }

  private postInit(running = this.shown.running || this.deps.runs.isRunning(this.promptUri)): void {
    if (!this.ready) return;
    this.updates.clear();
    const focus = this.pendingFocus;
    this.pendingFocus = undefined;
    this.post(
      initMessage(this.shown, {
        promptUri: this.promptUri.toString(),
        promptLabel: vscode.workspace.asRelativePath(this.promptUri, false),
        ...(this.runUri ? { runUri: this.runUri.toString() } : {}),
        pinned: this.pinned,
        running,
        compare: this.compare.data,
        ...(focus ? { focus } : {}),
        stale: this.stale,
      }),
    );
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
        return openRunFile(this.promptUri, msg.file, msg.line, this.deps.log);
      case 'executeAction':
        return executeAction(msg.action, this.promptUri, this.runUri, this.deps.log);
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        vscode.window.setStatusBarMessage('Prompt Ladder: copied', 2000);
        return;
      case 'clearCompare':
        return this.compare.clear();
      case 'showLatest':
        return this.showLatest();
      case 'addTestCase': {
        const error = await addTestCase(this.runUri, msg.caseIndex, msg.variant);
        if (error) this.post({ type: 'error', message: error });
        return;
      }
      case 'log':
        this.deps.log[msg.level](`webview: ${msg.message}`);
        return;
      case 'request':
        return this.answer(msg.id, msg.request);
    }
  }

  private async answer(id: number, request: Request): Promise<void> {
    const compare = { pick: (shownId: string) => this.compare.pick(shownId), compareWith: (runUri: string) => this.compare.set(vscode.Uri.parse(runUri), false) };
    try {
      this.post({ type: 'response', id, ok: true, result: await requestResult(this.shown, request, compare) });
    } catch (err) {
      this.post({ type: 'response', id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async rerunFailures(variants: string[] | undefined): Promise<void> {
    const failing = this.shown.rows?.failing(variants) ?? [];
    if (failing.length === 0) {
      this.post({ type: 'error', message: 'No case failed in this run.' });
      return;
    }
    // Show what the re-run changed: compare it with the run the failures came from.
    if (this.runUri) this.compare.compareNextWith(this.runUri);
    await this.start({ caseIndexes: failing, ...(variants ? { variants } : {}) });
  }

  // ---- test hooks --------------------------------------------------------------------------------------------

  /** Resolves once the webview has said `ready` (test hook). */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Test hook: what the panel keeps of the shown run (its header and the number of rows it indexes). */
  get held(): { header: RunRecord | null; rows: number; running: boolean } {
    return { header: this.shown.header, rows: this.shown.rows?.size ?? 0, running: this.shown.running };
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    clearTimeout(this.reloadTimer);
    clearTimeout(this.staleTimer);
    super.dispose();
    this.panel.dispose();
    for (const cb of this.onDisposeCallbacks.splice(0)) cb();
  }
}
