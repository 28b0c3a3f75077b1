// Starts engine runs from the editor (progress notification with cancel, CancellationToken → AbortSignal),
// streams their events, and keeps the list of stored runs fresh: a FileSystemWatcher on .promptladder/runs
// makes runs from the CLI (or another window) appear live.
// Heavy modules (engine, loaders, the openai client, zod) are imported on first use, not at activation.

import * as path from 'node:path';
import { privateStoreRoot, storeRootFor } from './storeLocation';
import * as vscode from 'vscode';
import { batchModule, engineModule, loadModule, storeModule } from '../lazy';
import type { RunRecord } from '../../core/runs/schema';
import type { PromptSpec } from '../../core/prompt/spec';
import type { ProviderResolver } from '../../core/providers/provider';
import { isPromptFile, readText, relativeToRoot, rootOfRunFile, runRootFor } from '../promptFiles';
import { projectRoot } from '../../core/paths';
import type { PendingBatchRun, RunController, RunEventForFile, StartRunOptions, StoredRun } from './types';
import type { BatchEvent } from '../../core/batch/runBatch';
import type { RunEvent } from '../../core/events';
import { isStrict, type ExtensionSettings } from '../settings';
import type { SourceProblem } from '../../core/errors';
import { StoredRunCache } from './storedRuns';
import { askCancelBatch, listPendingBatches } from './batchRuns';
import { checkProviders, reportRun } from './runReport';
import { RunBlockedError, askStrictModal, confirmUntrustedRun, editorBatchRefusal, type StrictChoice } from './runQuestions';

export { RunBlockedError } from './runQuestions';
import { noCasesReason } from '../../core/cases/noCases';
import { Disposable } from '../common/lifecycle';

export interface RunControllerDeps {
  /** Settings of the moment (read on every run). */
  settings(): ExtensionSettings;
  /** Builds the resolver for a run (settings + SecretStorage keys + env + Language Model API). */
  createResolver(): Promise<ProviderResolver>;
  log: vscode.LogOutputChannel;
}

/** A run's inputs once every check before it passed. */
interface PreparedRun {
  spec: PromptSpec;
  text: string;
  resolver: ProviderResolver;
  settings: ExtensionSettings;
  root: string;
}

type Progress = vscode.Progress<{ message?: string; increment?: number }>;
/** How often a run's progress notification is updated. */
const PROGRESS_REPORT_MS = 250;

export class EditorRunController extends Disposable implements RunController {
  private readonly running = new Map<string, { abort: AbortController; runId?: string; record?: RunRecord; askCancel?: () => void; done?: Promise<void> }>();
  private readonly eventEmitter = new vscode.EventEmitter<RunEventForFile>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private cache: Promise<StoredRun[]> | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Strict mode (promptLadder.strict) asks before running a file with problems: 'run' runs anyway, 'problems'
   * opens the Problems view, undefined does nothing. A modal dialog; the integration tests answer it.
   */
  askStrict: (file: string, problems: SourceProblem[]) => Promise<StrictChoice | undefined> = askStrictModal;

  readonly onDidRunEvent = this.eventEmitter.event;
  readonly onDidChangeRuns = this.changeEmitter.event;

  /** Run roots besides the workspace folders (projects of prompt files and folders); those outside every folder are watched. */
  private readonly projectRoots = new Map<string, vscode.Disposable>();

  private readonly stored: StoredRunCache;

  constructor(private readonly deps: RunControllerDeps) {
    super();
    this.stored = new StoredRunCache(deps.log);
    this._registerAll(
      this.watch('**/.promptladder/runs/*.json'),
      this.watch('**/.promptladder/batches/*.json'),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watchFolderProjects();
        this.runsChanged();
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (isPromptFile(doc.uri) && this.addRunRoot(runRootFor(doc.uri))) this.runsChanged();
      }),
      this.eventEmitter,
      this.changeEmitter,
      { dispose: () => this.projectRoots.forEach((d) => d.dispose()) },
      this.stored,
    );
    this.watchFolderProjects();
    for (const doc of vscode.workspace.textDocuments) if (isPromptFile(doc.uri)) this.addRunRoot(runRootFor(doc.uri));
  }

  private watch(pattern: vscode.GlobPattern): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const subs = [watcher.onDidCreate(() => this.runsChanged()), watcher.onDidChange(() => this.runsChanged()), watcher.onDidDelete(() => this.runsChanged())];
    return { dispose: () => [...subs, watcher].forEach((d) => d.dispose()) };
  }

  /** The project of each workspace folder (the folder itself, or the repository it sits in). */
  private watchFolderProjects(): void {
    for (const f of vscode.workspace.workspaceFolders ?? []) this.addRunRoot(projectRoot(f.uri.fsPath));
  }

  /**
   * Makes runs under `root` part of the Runs view: roots inside a workspace folder are covered by the workspace
   * watcher; others get a watcher of their own. Returns whether the root is new.
   */
  addRunRoot(root: string): boolean {
    if (this.projectRoots.has(root) || this.folderRoots().includes(root)) return false;
    const inside = (vscode.workspace.workspaceFolders ?? []).some((f) => isWithin(f.uri.fsPath, root));
    this.projectRoots.set(
      root,
      inside ? { dispose: () => undefined } : this.watch(new vscode.RelativePattern(vscode.Uri.file(root), '.promptladder/runs/*.json')),
    );
    return true;
  }

  private folderRoots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  }

  /** Debounced: a run rewrites its record as cells finish. */
  runsChanged(immediate = false): void {
    this.cache = undefined;
    if (this.changeTimer) clearTimeout(this.changeTimer);
    if (immediate) {
      this.changeTimer = undefined;
      this.changeEmitter.fire();
      return;
    }
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.changeEmitter.fire();
    }, 150);
  }

  isRunning(promptUri: vscode.Uri): boolean {
    return this.running.has(promptUri.toString());
  }

  /** The record in memory of a run under way whose record is `file` (named after the run: runFileName). */
  private liveRecordOf(file: string): RunRecord | undefined {
    const name = path.basename(file);
    for (const r of this.running.values()) if (r.record && name === storeModule().runFileName(r.record)) return r.record;
    return undefined;
  }

  liveRecord(promptUri: vscode.Uri): RunRecord | undefined {
    return this.running.get(promptUri.toString())?.record;
  }

  get anyRunning(): boolean {
    return this.running.size > 0;
  }

  cancel(promptUri: vscode.Uri): void {
    const r = this.running.get(promptUri.toString());
    if (r?.askCancel) r.askCancel();
    else r?.abort.abort();
  }

  /** A batch run: stop waiting for it and leave the batch running on the provider (no question asked); other runs are cancelled. */
  stopWaiting(promptUri: vscode.Uri): void {
    this.running.get(promptUri.toString())?.abort.abort();
  }

  cancelAll(): void {
    for (const r of this.running.values()) r.abort.abort();
  }

  /**
   * Stops every run and waits (at most `graceMs`) for their partial records to be written: the window is
   * closing (extension deactivation), and results already paid for must not be lost.
   */
  async stopAll(graceMs: number): Promise<void> {
    const done = [...this.running.values()].map((r) => r.done);
    this.cancelAll();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(done), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  /** Loads a prompt file (the open document's text when it is open). Throws SpecError for invalid files. */
  async loadSpec(promptUri: vscode.Uri): Promise<{ spec: PromptSpec; text: string }> {
    const text = await readText(promptUri);
    const { loadPromptFile } = loadModule();
    const spec = await loadPromptFile(promptUri.fsPath, { text });
    return { spec, text };
  }

  /** Throws RunBlockedError when a variant's model has no usable provider. */
  preflight(spec: PromptSpec, resolver: ProviderResolver, variants?: string[]): void {
    checkProviders(spec, resolver, variants);
  }

  async start(promptUri: vscode.Uri, opts: StartRunOptions = {}): Promise<RunRecord | undefined> {
    if (!isPromptFile(promptUri)) {
      throw new RunBlockedError(`${promptUri.fsPath} is not a prompt file (*.prompt.yml or *.prompty, or a YAML file the setting promptLadder.files names).`, [
        { title: 'Treat as Prompt File', command: 'promptLadder.treatAsPromptFile', args: [promptUri] },
      ]);
    }
    const key = promptUri.toString();
    if (this.running.has(key)) {
      vscode.window.showInformationMessage(`Prompt Ladder: ${path.basename(promptUri.fsPath)} is already running.`);
      return undefined;
    }
    const abort = new AbortController();
    let settle = () => {};
    this.running.set(key, { abort, done: new Promise<void>((resolve) => (settle = resolve)) });
    void vscode.commands.executeCommand('setContext', 'promptLadder.running', true);
    try {
      const ready = await this.prepare(promptUri, opts);
      if (!ready) return undefined;
      const outcome = await this.runWithProgress(promptUri, opts, ready, abort);
      if (!outcome.record) {
        void vscode.window.showInformationMessage(
          `Prompt Ladder: the batch for ${path.basename(promptUri.fsPath)} keeps running on the provider. It is listed in the Runs view; open it there to collect the results.`,
        );
        return undefined;
      }
      reportRun(outcome.record, promptUri, this.deps.log);
      return outcome.record;
    } finally {
      settle();
      this.running.delete(key);
      void vscode.commands.executeCommand('setContext', 'promptLadder.running', this.running.size > 0);
      // The views re-read the runs once it is over (those that show "running" see it ended), the record from memory.
      this.runsChanged(true);
    }
  }

  /**
   * Everything a run needs before it starts, checked: the prompt file loads and has cases, strict mode and an
   * untrusted workspace agree, every model has a provider, the Batch API can take it. Undefined when the user
   * declined; throws RunBlockedError for what the user must fix.
   */
  private async prepare(promptUri: vscode.Uri, opts: StartRunOptions): Promise<PreparedRun | undefined> {
    const { spec, text } = await this.loadSpec(promptUri);
    const empty = noCasesReason(spec);
    if (empty) {
      this.deps.log.info(`not run: ${empty}`);
      throw new RunBlockedError(`Prompt Ladder did not run: ${empty}`, [{ title: 'Show Problems', command: 'workbench.actions.view.problems' }]);
    }
    if (spec.problems.length && isStrict(promptUri, (m) => this.deps.log.warn(m))) {
      const choice = await this.askStrict(path.basename(promptUri.fsPath), spec.problems);
      if (choice !== 'run') {
        this.deps.log.info(`strict mode: ${path.basename(promptUri.fsPath)} not run (${spec.problems.length} problem(s))`);
        if (choice === 'problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
        return undefined;
      }
    }
    const resolver = await this.deps.createResolver();
    this.preflight(spec, resolver, opts.variants);
    if (!(await confirmUntrustedRun(path.basename(promptUri.fsPath), spec.cases.length))) return undefined;
    const settings = this.deps.settings();
    const root = runRootFor(promptUri);
    this.addRunRoot(root);
    if (opts.batch) {
      const why = batchModule().batchRefusal(spec, resolver, { ...(opts.variants ? { variants: opts.variants } : {}), mode: opts.batch, judgeModel: settings.judgeModel });
      if (why) throw new RunBlockedError(`Prompt Ladder cannot run ${path.basename(spec.file)} via the Batch API: ${editorBatchRefusal(why)}`);
    }
    this.deps.log.info(
      `run ${relativeToRoot(root, promptUri.fsPath)} (${spec.variants.length} variant(s), ${spec.cases.length} case(s))${opts.batch ? ` via the Batch API (${opts.batch})` : ''}`,
    );
    return { spec, text, resolver, settings, root };
  }

  /** Runs the engine (or the Batch API) under a progress notification whose Cancel stops it. */
  private runWithProgress(promptUri: vscode.Uri, opts: StartRunOptions, ready: PreparedRun, abort: AbortController): Thenable<{ record: RunRecord | undefined }> {
    const title = `Prompt Ladder: ${ready.spec.name || path.basename(promptUri.fsPath)}${opts.batch ? ' (Batch API)' : ''}`;
    return vscode.window.withProgress(
      opts.progress === 'window' ? { location: vscode.ProgressLocation.Window, title } : { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        let stateFile: string | undefined;
        const entry = this.running.get(promptUri.toString());
        if (opts.batch && entry) entry.askCancel = () => void askCancelBatch(promptUri, () => stateFile, ready.resolver, abort, this.deps.log);
        token.onCancellationRequested(() => (entry?.askCancel ? entry.askCancel() : abort.abort()));
        const runOptions = this.engineOptions(promptUri, opts, ready, abort.signal, progress);
        if (!opts.batch) {
          const r = await engineModule().runEval(ready.spec, runOptions);
          this.reportProblems(r.problems ?? []);
          return { record: r.record };
        }
        const onBatch = this.batchEvents(promptUri, opts, progress, (file) => (stateFile = file));
        const r = await batchModule().runEvalViaBatch(ready.spec, { ...runOptions, mode: opts.batch, onBatch });
        return r.kind === 'finished' ? { record: r.record } : { record: undefined };
      },
    );
  }

  /** The engine's options for a run: settings of the moment, and events to the progress and the listeners. */
  private engineOptions(promptUri: vscode.Uri, opts: StartRunOptions, ready: PreparedRun, signal: AbortSignal, progress: Progress) {
    const { settings, root, resolver, text } = ready;
    const key = promptUri.toString();
    let reported = 0;
    let reportedAt = 0;
    const onEvent = (event: RunEvent) => {
      if (event.type === 'run-started') {
        const r = this.running.get(key);
        if (r) {
          r.runId = event.runId;
          r.record = event.record;
        }
      }
      // the notification says where the run is a few times a second (each report crosses to the window), and its end
      if (event.type === 'progress' && (event.done === event.total || performance.now() - reportedAt >= PROGRESS_REPORT_MS)) {
        reportedAt = performance.now();
        const pct = event.total ? (event.done / event.total) * 100 : 100;
        progress.report({
          increment: pct - reported,
          message: `${event.done}/${event.total} · ${event.passed} passed · ${event.failed} failed${event.errors ? ` · ${event.errors} errors` : ''}`,
        });
        reported = pct;
      }
      // the finished record is written whole: the views that refresh now read it from memory, not its file
      if (event.type === 'run-finished' && event.path) this.stored.remember(event.path, event.record);
      this.eventEmitter.fire({ promptUri, runId: this.running.get(key)?.runId ?? '', event });
    };
    return {
      providers: resolver,
      root,
      storeRoot: storeRootFor(root),
      cache: opts.noCache ? false : settings.cacheEnabled,
      concurrency: settings.maxConcurrency || undefined,
      ...(settings.timeoutSeconds ? { timeoutMs: settings.timeoutSeconds * 1000 } : {}),
      signal,
      variants: opts.variants,
      caseIndexes: opts.caseIndexes,
      promptText: text,
      judgeModel: settings.judgeModel,
      workspaceTrusted: vscode.workspace.isTrusted,
      onEvent,
    };
  }

  /** Batch events: the pending-batch file, the wait's progress, problems to the log. */
  private batchEvents(promptUri: vscode.Uri, opts: StartRunOptions, progress: Progress, setStateFile: (file: string) => void): (e: BatchEvent) => void {
    return (e) => {
      opts.onBatch?.(e);
      if (e.type === 'submitted' || e.type === 'attached') {
        setStateFile(e.stateFile);
        const ids = e.parts.map((p) => p.id ?? '(creating)').join(', ');
        this.deps.log.info(`${e.type === 'submitted' ? 'submitted' : 'attached to'} batch ${ids} for ${path.basename(promptUri.fsPath)}`);
        this.runsChanged();
      } else if (e.type === 'waiting') {
        const done = e.parts.reduce((n, p) => n + p.completed, 0);
        const total = e.parts.reduce((n, p) => n + p.requests, 0);
        const status = [...new Set(e.parts.map((p) => p.status))].join(', ');
        progress.report({ message: `batch ${status} · ${done}/${total} done · ${Math.round(e.elapsedMs / 1000)} s (runs on the provider; closing VS Code keeps it)` });
      } else if (e.type === 'problem') {
        this.deps.log.warn(e.message);
      }
    };
  }

  /** Faults met by a run (a record or cache write that failed, store damage): the output channel, and a warning for a failed write. */
  private reportProblems(problems: string[]): void {
    for (const p of problems) this.deps.log.warn(p);
    const failed = problems.find((p) => p.startsWith('cannot write '));
    if (failed) void vscode.window.showWarningMessage(`Prompt Ladder: ${failed}`);
  }

  async listPendingBatches(): Promise<PendingBatchRun[]> {
    // the same run roots as the Runs view: workspace folders and the projects of prompt files
    const roots = new Set([...this.folderRoots(), ...this.projectRoots.keys()]);
    return listPendingBatches(roots, (promptPath) => this.running.has(vscode.Uri.file(promptPath).toString()));
  }

  /** Cancels the batches of a pending-batch file on the provider (from the Runs view). */
  async cancelPendingBatch(file: string): Promise<string[]> {
    const resolver = await this.deps.createResolver();
    const ids = await batchModule().cancelPendingBatches(file, resolver);
    this.runsChanged(true);
    return ids;
  }

  /** Attaches to a pending batch (after a reload, or from the Runs view): waits for it, then fills the panel. */
  collectBatchResults(pending: PendingBatchRun, background = false): Promise<RunRecord | undefined> {
    return this.start(vscode.Uri.file(pending.promptPath), {
      batch: pending.mode,
      variants: pending.variants,
      ...(pending.caseIndexes ? { caseIndexes: pending.caseIndexes } : {}),
      ...(pending.cache ? {} : { noCache: true }),
      ...(background ? { progress: 'window' as const } : {}),
    });
  }

  /** At start-up: wait again, in the background, for every batch a previous window submitted. */
  async resumePendingBatches(): Promise<void> {
    for (const p of await this.listPendingBatches()) {
      if (p.waiting || !p.batches.some((b) => b.id)) continue;
      this.deps.log.info(`resuming the wait for ${p.batches.map((b) => b.id).join(', ')} (${path.basename(p.promptPath)})`);
      this.collectBatchResults(p, true).catch((err: unknown) => this.deps.log.warn(`resuming ${p.file}: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  async listAllRuns(): Promise<StoredRun[]> {
    if (!this.cache) {
      // Workspace folders (runs stored there before the run root was the project) and every project seen, each
      // also with its store in the extension's storage (runs made while the workspace was untrusted).
      const projects = [...this.folderRoots(), ...this.projectRoots.keys()];
      this.cache = this.stored.load([...new Set([...projects, ...projects.map(privateStoreRoot).filter((r): r is string => r !== undefined)])], (file) => this.liveRecordOf(file));
    }
    return this.cache;
  }

  async listRuns(promptUri: vscode.Uri): Promise<StoredRun[]> {
    // A prompt file asked about before any of its documents was opened (a results panel restored after a window
    // reload, whose editor tab is not resolved yet): its project joins the Runs view now, and the views refresh.
    if (this.addRunRoot(runRootFor(promptUri))) this.runsChanged(true);
    const all = await this.listAllRuns();
    return all.filter((r) => promptPathOf(r) === promptUri.fsPath);
  }

  async lastRun(promptUri: vscode.Uri): Promise<StoredRun | undefined> {
    // a partial run holds a few cases: whole-file readers (export, examples from passing cases) want a full run
    return (await this.listRuns(promptUri)).find((r) => (r.record.status === 'completed' || r.record.status === 'cancelled') && !r.record.partial);
  }

  async readRun(runUri: vscode.Uri): Promise<RunRecord | undefined> {
    try {
      return await this.stored.read(runUri.fsPath, (file) => this.liveRecordOf(file));
    } catch (err) {
      this.deps.log.warn(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  async deleteRun(runUri: vscode.Uri): Promise<void> {
    await vscode.workspace.fs.delete(runUri, { useTrash: false });
    this.runsChanged(true);
  }

  override dispose(): void {
    this.cancelAll();
    if (this.changeTimer) clearTimeout(this.changeTimer);
    super.dispose();
  }
}

function isWithin(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Absolute path of the prompt file a stored run belongs to. */
export function promptPathOf(run: { uri: vscode.Uri; record: { promptFile: string } }): string {
  return path.resolve(rootOfRunFile(run.uri.fsPath), run.record.promptFile);
}

