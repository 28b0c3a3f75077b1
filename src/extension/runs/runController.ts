// Starts engine runs from the editor (progress notification with cancel, CancellationToken → AbortSignal),
// streams their events, and keeps the list of stored runs fresh: a FileSystemWatcher on .promptladder/runs
// makes runs from the CLI (or another window) appear live.
// Heavy modules (engine, loaders, the openai client, zod) are imported on first use, not at activation.

import { markInterrupted } from '../../core/runs/completeness';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { privateStoreRoot, storeRootFor } from './storeLocation';
import * as vscode from 'vscode';
import { batchModule, batchStateModule, engineModule, loadModule, storeModule } from '../lazy';
import type { RunRecord } from '../../core/runs/schema';
import type { PromptSpec } from '../../core/prompt/spec';
import type { ProviderResolver } from '../../core/providers/provider';
import { isPromptFile, readText, relativeToRoot, rootOfRunFile, runRootFor } from '../promptFiles';
import { projectRoot } from '../../core/paths';
import type { PendingBatchRun, RunController, RunEventForFile, StartRunOptions, StoredRun } from './types';
import type { BatchEvent } from '../../core/batch/runBatch';
import { isStrict, type ExtensionSettings } from '../settings';
import type { SourceProblem } from '../../core/errors';
import { noCasesReason } from '../../core/cases/noCases';
import { Disposable } from '../common/lifecycle';

export interface RunControllerDeps {
  /** Settings of the moment (read on every run). */
  settings(): ExtensionSettings;
  /** Builds the resolver for a run (settings + SecretStorage keys + env + Language Model API). */
  createResolver(): Promise<ProviderResolver>;
  log: vscode.LogOutputChannel;
}

/** A user-facing problem that stops a run before it starts; `actions` are buttons that fix it. */
export class RunBlockedError extends Error {
  constructor(
    message: string,
    readonly actions: { title: string; command: string; args?: unknown[] }[] = [],
  ) {
    super(message);
    this.name = 'RunBlockedError';
  }
}

const SELECT_MODEL = { title: 'Select Provider/Model', command: 'promptLadder.selectModel' };
const SET_KEY = { title: 'Set API Key', command: 'promptLadder.setApiKey' };

export class EditorRunController extends Disposable implements RunController {
  private readonly running = new Map<string, { abort: AbortController; runId?: string; record?: RunRecord; askCancel?: () => void; done?: Promise<void> }>();
  /** Unreadable run records already reported in the output channel (each once, not at every refresh). */
  private readonly reportedUnreadable = new Set<string>();
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

  constructor(private readonly deps: RunControllerDeps) {
    super();
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
    const wanted = variants?.length ? new Set(variants) : undefined;
    const refs = new Set<string>();
    for (const v of spec.variants) {
      if (wanted && !wanted.has(v.name)) continue;
      const ref = v.model ?? spec.model ?? resolver.defaultModel;
      if (!ref) {
        throw new RunBlockedError(
          `${path.basename(spec.file)} names no model and the setting promptLadder.defaultModel is empty: pick a model to run it with.`,
          [SELECT_MODEL],
        );
      }
      refs.add(ref);
    }
    for (const ref of refs) {
      try {
        resolver.resolve(ref);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new RunBlockedError(`Prompt Ladder cannot run ${path.basename(spec.file)}: ${message}`, [SET_KEY, SELECT_MODEL]);
      }
    }
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
      const { runEval } = engineModule();
      const name = spec.name || path.basename(promptUri.fsPath);
      if (opts.batch) {
        const why = batchModule().batchRefusal(spec, resolver, { ...(opts.variants ? { variants: opts.variants } : {}), mode: opts.batch, judgeModel: settings.judgeModel });
        if (why) throw new RunBlockedError(`Prompt Ladder cannot run ${path.basename(spec.file)} via the Batch API: ${editorBatchRefusal(why)}`);
      }
      this.deps.log.info(
        `run ${relativeToRoot(root, promptUri.fsPath)} (${spec.variants.length} variant(s), ${spec.cases.length} case(s))${opts.batch ? ` via the Batch API (${opts.batch})` : ''}`,
      );
      const outcome = await vscode.window.withProgress(
        opts.progress === 'window'
          ? { location: vscode.ProgressLocation.Window, title: `Prompt Ladder: ${name}${opts.batch ? ' (Batch API)' : ''}` }
          : { location: vscode.ProgressLocation.Notification, title: `Prompt Ladder: ${name}${opts.batch ? ' (Batch API)' : ''}`, cancellable: true },
        async (progress, token) => {
          let stateFile: string | undefined;
          const entry = this.running.get(key);
          if (opts.batch && entry) entry.askCancel = () => void this.askCancelBatch(promptUri, () => stateFile, resolver, abort);
          token.onCancellationRequested(() => (entry?.askCancel ? entry.askCancel() : abort.abort()));
          let reported = 0;
          const onBatch = (e: BatchEvent) => {
            opts.onBatch?.(e);
            if (e.type === 'submitted' || e.type === 'attached') {
              stateFile = e.stateFile;
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
          const runOptions = {
            providers: resolver,
            root,
            storeRoot: storeRootFor(root),
            cache: opts.noCache ? false : settings.cacheEnabled,
            concurrency: settings.maxConcurrency || undefined,
            ...(settings.timeoutSeconds ? { timeoutMs: settings.timeoutSeconds * 1000 } : {}),
            signal: abort.signal,
            variants: opts.variants,
            caseIndexes: opts.caseIndexes,
            promptText: text,
            judgeModel: settings.judgeModel,
            workspaceTrusted: vscode.workspace.isTrusted,
            onEvent: (event: Parameters<NonNullable<Parameters<typeof runEval>[1]['onEvent']>>[0]) => {
              if (event.type === 'run-started') {
                const r = this.running.get(key);
                if (r) {
                  r.runId = event.runId;
                  r.record = event.record;
                }
              }
              if (event.type === 'progress') {
                const pct = event.total ? (event.done / event.total) * 100 : 100;
                progress.report({
                  increment: pct - reported,
                  message: `${event.done}/${event.total} · ${event.passed} passed · ${event.failed} failed${event.errors ? ` · ${event.errors} errors` : ''}`,
                });
                reported = pct;
              }
              const runId = this.running.get(key)?.runId ?? '';
              this.eventEmitter.fire({ promptUri, runId, event });
            },
          };
          if (!opts.batch) {
            const r = await runEval(spec, runOptions);
            this.reportProblems(r.problems ?? []);
            return { record: r.record };
          }
          const r = await batchModule().runEvalViaBatch(spec, { ...runOptions, mode: opts.batch, onBatch });
          return r.kind === 'finished' ? { record: r.record } : { record: undefined };
        },
      );
      this.runsChanged(true);
      if (!outcome.record) {
        void vscode.window.showInformationMessage(
          `Prompt Ladder: the batch for ${path.basename(promptUri.fsPath)} keeps running on the provider. It is listed in the Runs view; open it there to collect the results.`,
        );
        return undefined;
      }
      this.report(outcome.record, promptUri);
      return outcome.record;
    } finally {
      settle();
      this.running.delete(key);
      void vscode.commands.executeCommand('setContext', 'promptLadder.running', this.running.size > 0);
      // Listeners that show "running" (CodeLens, tree) re-read now that it is over.
      this.changeEmitter.fire();
    }
  }

  /** Faults met by a run (a record or cache write that failed, store damage): the output channel, and a warning for a failed write. */
  private reportProblems(problems: string[]): void {
    for (const p of problems) this.deps.log.warn(p);
    const failed = problems.find((p) => p.startsWith('cannot write '));
    if (failed) void vscode.window.showWarningMessage(`Prompt Ladder: ${failed}`);
  }

  /** Cancel on a batch run: cancel the batch on the provider (its answered part is kept), or only stop waiting. */
  private async askCancelBatch(promptUri: vscode.Uri, stateFile: () => string | undefined, resolver: ProviderResolver, abort: AbortController): Promise<void> {
    const CANCEL = 'Cancel Batch on Provider';
    const STOP = 'Stop Waiting';
    const choice = await vscode.window.showWarningMessage(
      `The batch for ${path.basename(promptUri.fsPath)} runs on the provider. Cancel it there too?`,
      { modal: true, detail: 'Cancelling it keeps the requests it has already answered. Stopping only the wait leaves it running: the Runs view lists it, and the results are collected when you open it again.' },
      CANCEL,
      STOP,
    );
    if (choice === STOP) abort.abort();
    if (choice !== CANCEL) return;
    const file = stateFile();
    if (!file) return abort.abort();
    try {
      const ids = await batchModule().cancelPendingBatches(file, resolver);
      this.deps.log.info(`cancelled batch ${ids.join(', ') || '(none running)'} on the provider`);
    } catch (err) {
      void vscode.window.showErrorMessage(`Prompt Ladder: cancelling the batch failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Cancels the batches of a pending-batch file on the provider (from the Runs view). */
  async cancelPendingBatch(file: string): Promise<string[]> {
    const resolver = await this.deps.createResolver();
    const ids = await batchModule().cancelPendingBatches(file, resolver);
    this.runsChanged(true);
    return ids;
  }

  async listPendingBatches(): Promise<PendingBatchRun[]> {
    const { listStates } = batchStateModule();
    const out: PendingBatchRun[] = [];
    // The same run roots as the Runs view: workspace folders and the projects of prompt files.
    for (const root of new Set([...this.folderRoots(), ...this.projectRoots.keys()])) {
      const stores = [root, privateStoreRoot(root)].filter((r): r is string => r !== undefined);
      for (const { file, state } of (await Promise.all(stores.map((s) => listStates(s)))).flat()) {
        const promptPath = path.resolve(root, state.promptFile);
        const parts = state.phases.flatMap((p) => p.parts);
        out.push({
          file,
          promptPath,
          mode: state.mode,
          variants: state.variants,
          ...(state.caseIndexes ? { caseIndexes: state.caseIndexes } : {}),
          cache: state.cache !== false,
          submittedAt: state.phases[0]?.submittedAt ?? state.createdAt,
          batches: parts.map((p) => ({
            ...(p.batchId ? { id: p.batchId } : {}),
            model: p.modelRef,
            status: p.status ?? 'not submitted',
            requests: p.requests,
            completed: p.counts?.completed ?? 0,
            failed: p.counts?.failed ?? 0,
          })),
          waiting: this.running.has(vscode.Uri.file(promptPath).toString()),
        });
      }
    }
    return out;
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

  private report(record: RunRecord, promptUri: vscode.Uri): void {
    const file = path.basename(promptUri.fsPath);
    const parts = record.variants.map((v) => `${v.name} ${v.passed}/${v.passed + v.failed + v.errors}`);
    this.deps.log.info(`${record.status}: ${file} — ${parts.join(', ')}`);
    // a refused key is one message for the run (the engine stopped calling that provider), not one per case
    const refused = (record.problems ?? []).filter((p) => / was refused \(HTTP 40[13]/.test(p));
    if (refused.length) {
      for (const p of refused) this.deps.log.error(p);
      void vscode.window
        .showErrorMessage(`Prompt Ladder: ${file}: ${refused[0].replace(/^error: /, '')}`, SET_KEY.title)
        .then((choice) => {
          if (choice === SET_KEY.title) void vscode.commands.executeCommand(SET_KEY.command);
        });
      return;
    }
    if (record.status === 'failed') {
      void vscode.window.showErrorMessage(`Prompt Ladder: the run of ${file} failed: ${record.statusReason ?? 'see the output'}`);
      return;
    }
    const errors = record.variants.reduce((n, v) => n + v.errors, 0);
    const total = record.variants.reduce((n, v) => n + v.passed + v.failed + v.errors, 0);
    if (total > 0 && errors === total) {
      const first = record.cases.flatMap((c) => c.results).find((r) => r.error)?.error ?? '';
      void vscode.window
        .showErrorMessage(`Prompt Ladder: every call failed for ${file}. ${first}`, SET_KEY.title, SELECT_MODEL.title)
        .then((choice) => {
          if (choice === SET_KEY.title) void vscode.commands.executeCommand(SET_KEY.command);
          if (choice === SELECT_MODEL.title) void vscode.commands.executeCommand(SELECT_MODEL.command);
        });
    }
  }

  async listAllRuns(): Promise<StoredRun[]> {
    if (!this.cache) this.cache = this.loadAll();
    return this.cache;
  }

  /** Parsed records by file, reused while the file's mtime and size are unchanged (runs rewrite often while running). */
  private readonly parsed = new Map<string, { mtimeMs: number; size: number; record: RunRecord }>();

  private async loadAll(): Promise<StoredRun[]> {
    const { readRun, runsDir } = storeModule();
    // Workspace folders (runs stored there before the run root was the project) and every project seen, each
    // also with its store in the extension's storage (runs made while the workspace was untrusted).
    const projects = [...this.folderRoots(), ...this.projectRoots.keys()];
    const roots = new Set([...projects, ...projects.map(privateStoreRoot).filter((r): r is string => r !== undefined)]);
    const seen = new Set<string>();
    const all: StoredRun[] = [];
    await Promise.all(
      [...roots].map(async (root) => {
        const dir = runsDir(root);
        let names: string[];
        try {
          names = await fs.readdir(dir);
        } catch {
          return;
        }
        await Promise.all(
          names
            .filter((n) => n.endsWith('.json'))
            .map(async (n) => {
              const file = path.join(dir, n);
              seen.add(file);
              try {
                const st = await fs.stat(file);
                let hit = this.parsed.get(file);
                if (!hit || hit.mtimeMs !== st.mtimeMs || hit.size !== st.size) {
                  hit = { mtimeMs: st.mtimeMs, size: st.size, record: await readRun(file) };
                  this.parsed.set(file, hit);
                }
                // a record left running by a process that is gone since it was read reads as interrupted now
                all.push({ uri: vscode.Uri.file(file), record: markInterrupted(hit.record) });
              } catch (err) {
                this.parsed.delete(file);
                if (!this.reportedUnreadable.has(file)) {
                  this.reportedUnreadable.add(file);
                  this.deps.log.warn(`skipped 1 unreadable run record in ${file}: ${err instanceof Error ? err.message : String(err)}`);
                }
              }
            }),
        );
      }),
    );
    for (const file of [...this.parsed.keys()]) if (!seen.has(file)) this.parsed.delete(file);
    return all.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
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
    const { readRun } = storeModule();
    try {
      return await readRun(runUri.fsPath);
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
export function promptPathOf(run: StoredRun): string {
  return path.resolve(rootOfRunFile(run.uri.fsPath), run.record.promptFile);
}

export const RUN_UNTRUSTED = 'Run Anyway';

export type StrictChoice = 'run' | 'problems';
export const STRICT_RUN = 'Run anyway';
export const STRICT_PROBLEMS = 'Open Problems';

/** "line 7: unknown key …" per problem (the file's name when it is another file, e.g. a testFile). */
export function strictProblemLines(file: string, problems: SourceProblem[], max = 10): string[] {
  const lines = problems.slice(0, max).map((p) => {
    const other = p.file && path.basename(p.file) !== file ? `${path.basename(p.file)} ` : '';
    return `${other}line ${p.line}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
  });
  if (problems.length > max) lines.push(`… and ${problems.length - max} more in the Problems view`);
  return lines;
}

async function askStrictModal(file: string, problems: SourceProblem[]): Promise<StrictChoice | undefined> {
  const n = problems.length;
  const choice = await vscode.window.showWarningMessage(
    `Strict mode: ${file} has ${n} problem${n === 1 ? '' : 's'}, so it is not run.`,
    {
      modal: true,
      detail: `${strictProblemLines(file, problems).join('\n')}\n\nThe setting promptLadder.strict is on (as the CLI's --strict, the default in CI). Fix the problems, or run anyway.`,
    },
    STRICT_RUN,
    STRICT_PROBLEMS,
  );
  return choice === STRICT_RUN ? 'run' : choice === STRICT_PROBLEMS ? 'problems' : undefined;
}

/**
 * In an untrusted workspace (Workspace Trust) a run needs the user's explicit yes: it sends the workspace's
 * prompts and eval sets to the model provider with the user's key. Code evaluators stay off either way.
 */
async function confirmUntrustedRun(file: string, cases: number): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    `Run ${file} in an untrusted workspace?`,
    {
      modal: true,
      detail:
        `This workspace is not trusted. Running sends ${cases} case${cases === 1 ? '' : 's'} from its files to your model provider with your API key. ` +
        "Evaluators of kind 'code' will not run until you trust the workspace.",
    },
    RUN_UNTRUSTED,
  );
  return choice === RUN_UNTRUSTED;
}

/** The CLI's one-line batch refusal, in the editor's words (no flags to type here). */
export function editorBatchRefusal(why: string): string {
  return why
    .replace(/^--batch: /, '')
    .replace(/; run without --batch/, '; run it with live calls instead (Run Eval, or the Test Explorer\'s Run profile)')
    .replace(/, or use --batch=calls to run evaluator calls live/, ', or set promptLadder.judgeModel to a model on an OpenAI or Azure OpenAI endpoint');
}
