// Activation: wires the run controller, providers, inline results, Runs view, status bar, commands and the
// results panel, and pushes every disposable into context.subscriptions. Heavy modules (engine, loaders,
// the openai client) are imported on first use, so activation stays cheap.

import { initStoreLocation } from './runs/storeLocation';
import * as vscode from 'vscode';
import { fineTuneModule, panelModule, resolverModule } from './lazy';
import { registerCommands } from './commands';
import { ResultsCodeLensProvider } from './editor/codeLens';
import { ResultDecorations } from './editor/decorations';
import { ProblemDiagnostics, ResultDiagnostics } from './editor/diagnostics';
import { DidYouMeanFixes } from './editor/quickFixes';
import { openWalkthroughOnFirstStart } from './walkthrough';
import { ResultHoverProvider } from './editor/hover';
import { ResultsIndex } from './editor/resultsIndex';
import { RunsTreeProvider, type RunsTreeNode } from './runs/runsTree';
import { refreshWhileVisible } from './runs/refreshWhileVisible';
import { FineTuneJobsProvider, type StoredFineTuneJob } from './fineTune/jobsTree';
import { fineTuneEndpointFor, notifyWhenFinished, type FineTuneConfirmation, type FineTuneServices } from './fineTune/fineTuneCommands';
import { PanelBridge } from './panelBridge';
import type { PanelManager } from './panel/panelManager';
import type { PanelTestHost } from './panel/resultsPanel';
import { LanguageModelProvider } from './providers/languageModelProvider';
import { promptPathOf, EditorRunController } from './runs/runController';
import { ApiKeys } from './secrets';
import { affectsSettings, readSettings, type ExtensionSettings } from './settings';
import { BatchOffer } from './providers/batchOffer';
import { ProblemNotice } from './problemNotice';
import { ModelStatusBar } from './statusBar';
import { PromptTests } from './testing/promptTests';
import { registerLanguageModelTools, type LanguageModelTools } from './agent/lmTools';
import { registerClimb } from './climb/climbCommand';
import type { ProviderResolver } from '../core/providers/provider';
import { redactingLog } from './redactLog';
import { isPromptFile, onDidChangePromptFiles, promptFileSettingProblems, watchPromptFileSetting } from './promptFiles';
import { PromptFileContext } from './promptFileCommands';

/** What activate() returns: the pieces, for the integration tests (and other extensions that want them). */
export interface PromptLadderApi {
  runs: EditorRunController;
  index: ResultsIndex;
  decorations: ResultDecorations;
  problems: ProblemDiagnostics;
  results: ResultDiagnostics;
  /** A refused run's file problems, in the status bar until fixed. */
  problemNotice: ProblemNotice;
  tree: RunsTreeProvider;
  codeLens: ResultsCodeLensProvider;
  panels: PanelBridge;
  panelManager: PanelManager;
  /** Only under a test runner (ExtensionMode.Test): the results panel's test seam (see PanelTestHost). */
  setPanelTestHost?(host: PanelTestHost | undefined): void;
  statusBar: ModelStatusBar;
  createResolver(): Promise<ProviderResolver>;
  /** Fine-tuning jobs: the list behind the "Fine-Tuning Jobs" view. */
  fineTune: {
    jobs: FineTuneJobsProvider;
    /** Only under a test runner (ExtensionMode.Test): stand in for the modal confirmation, store a key. */
    testHooks?: {
      confirmWith(fn: ((c: FineTuneConfirmation) => Promise<boolean>) | undefined): void;
      /** Stands in for Export Fine-Tuning Dataset's save dialog. */
      chooseExportFileWith(fn: ((suggested: vscode.Uri) => Promise<vscode.Uri | undefined>) | undefined): void;
      setApiKey(provider: string, key: string): Promise<void>;
      deleteApiKey(provider: string): Promise<void>;
    };
  };
  /** The Test Explorer's controller (prompt file → cases → variants). */
  tests: PromptTests;
  /** The Language Model tools (registered with vscode.lm where the editor has the API). */
  lmTools: LanguageModelTools;
  /** Time activate() took, in ms. */
  activationMs: number;
  /** The one "is this a prompt file" predicate (default names + promptLadder.files), and the setting's problems. */
  promptFiles: { isPromptFile(uri: vscode.Uri): boolean; settingProblems(): string[] };
}

export function activate(context: vscode.ExtensionContext): PromptLadderApi {
  const started = performance.now();
  const core = wireCore(context);
  const { subs, log, runs, index } = core;
  const batchOffer = new BatchOffer(core.settings, core.keys);
  void batchOffer.check().catch((e: unknown) => log.warn(`Batch API check: ${String(e)}`));
  const editor = wireEditor(subs, core, batchOffer);
  const runsView = wireRunsView(subs, core);
  const fineTune = wireFineTune(context, core);
  const tests = new PromptTests({ runs, log, afterFirstLenses: (uri) => editor.codeLens.afterFirstLenses(uri, 1000) });
  const lmTools = registerLanguageModelTools({ runs, createResolver: core.createResolver, log });
  subs.push(tests, ...lmTools.disposables, ...registerClimb({ context, createResolver: core.createResolver, log }));
  const statusBar = wireStatusBar(subs, core.settings, log);
  subs.push(
    batchOffer,
    ...registerCommands({
      context,
      runs,
      index,
      keys: core.keys,
      panels: core.panels,
      problems: editor.problems,
      tree: runsView.tree,
      treeView: runsView.treeView,
      log,
      createResolver: core.createResolver,
      fineTune: fineTune.services,
      problemNotice: editor.problemNotice,
      onSettingsChanged: () => statusBar.update(),
    }),
  );
  afterActivation(context, core);
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    runs,
    index,
    ...editor,
    tree: runsView.tree,
    panels: core.panels,
    get panelManager() {
      return core.panelManager();
    },
    ...(context.extensionMode === vscode.ExtensionMode.Test ? { setPanelTestHost: core.setPanelTestHost } : {}),
    statusBar,
    createResolver: core.createResolver,
    tests,
    lmTools: lmTools.tools,
    fineTune: fineTuneApi(fineTune, core.keys),
    activationMs,
    promptFiles: { isPromptFile, settingProblems: promptFileSettingProblems },
  };
}

/** What every other part is wired from: the log, settings, keys, providers, the run controller, the results index and panels. */
interface Core {
  subs: vscode.Disposable[];
  log: vscode.LogOutputChannel;
  keys: ApiKeys;
  settings: () => ExtensionSettings;
  createResolver: () => Promise<ProviderResolver>;
  runs: EditorRunController;
  index: ResultsIndex;
  panels: PanelBridge;
  panelManager: () => PanelManager;
  setPanelTestHost: (host: PanelTestHost | undefined) => void;
}

function wireCore(context: vscode.ExtensionContext): Core {
  const subs = context.subscriptions;
  const channel = vscode.window.createOutputChannel('Prompt Ladder', { log: true });
  subs.push(channel);
  const log = redactingLog(channel);
  // an untrusted workspace's runs and cache live in the extension's own storage, not in the workspace
  initStoreLocation(context);
  subs.push(watchPromptFileSetting((m) => warnAboutPromptFileSetting(log, m)));

  const keys = new ApiKeys(context.secrets);
  const settings = () => readSettings((m) => log.warn(m));
  const languageModels = new LanguageModelProvider();
  const createResolver = async (): Promise<ProviderResolver> => {
    const s = settings();
    const { createSettingsResolver, keyedProviderNames } = resolverModule();
    const found = await keys.getMany(keyedProviderNames(s));
    return createSettingsResolver({ settings: s, keys: found, env: process.env, languageModels });
  };

  const runs = new EditorRunController({ settings, createResolver, log });
  stopRuns = () => runs.stopAll(STOP_GRACE_MS);
  const index = new ResultsIndex(runs);
  const panels = new PanelBridge(runs);
  let panelTestHost: PanelTestHost | undefined;
  const panelManager = lazyPanelManager(context, runs, log, () => panelTestHost);
  attachPanels(panels, panelManager, runs);
  subs.push(runs, index);
  const setPanelTestHost = (host: PanelTestHost | undefined): void => {
    panelTestHost = host;
  };
  return { subs, log, keys, settings, createResolver, runs, index, panels, panelManager, setPanelTestHost };
}

/** Which YAML files are prompt files (promptLadder.files): a bad value is said once, the default names stay. */
function warnAboutPromptFileSetting(log: vscode.LogOutputChannel, message: string): void {
  log.warn(message);
  void vscode.window.showWarningMessage(`Prompt Ladder: ${message}`, 'Open Settings').then((c) => {
    if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'promptLadder.files');
  });
}

function attachPanels(panels: PanelBridge, panelManager: () => PanelManager, runs: EditorRunController): void {
  panels.attach({
    show: (promptUri, opts) => panelManager().show(promptUri, { runUri: opts?.runUri }),
    showCell: async (runUri, caseIndex, variant) => {
      const record = await runs.readRun(runUri);
      if (!record) return;
      const promptUri = vscode.Uri.file(promptPathOf({ uri: runUri, record }));
      await panelManager().show(promptUri, { runUri, focusCase: caseIndex, focusVariant: variant });
    },
    compare: (promptUri, headUri, baseUri) => panelManager().show(promptUri, { runUri: headUri, compareWith: baseUri }),
  });
}

/** Results in the editor: CodeLens, decorations, Problems, hovers and quick fixes. */
function wireEditor(subs: vscode.Disposable[], core: Core, batchOffer: BatchOffer) {
  const { index, runs, log } = core;
  const codeLens = new ResultsCodeLensProvider(index, runs, batchOffer);
  const decorations = new ResultDecorations(index);
  // Checking a file loads the heavy module (loaders, yaml, ajv): a newly opened file's first CodeLens goes first.
  const problems = new ProblemDiagnostics((uri) => index.hasCaseFile(uri.fsPath), log, (uri) => codeLens.afterFirstLenses(uri, 1000));
  const results = new ResultDiagnostics(index);
  const problemNotice = new ProblemNotice();
  const selector: vscode.DocumentSelector = { scheme: 'file' };
  subs.push(
    codeLens,
    decorations,
    problems,
    results,
    problemNotice,
    vscode.languages.registerCodeLensProvider(selector, codeLens),
    vscode.languages.registerHoverProvider(selector, new ResultHoverProvider(index)),
    vscode.languages.registerCodeActionsProvider(selector, new DidYouMeanFixes(), DidYouMeanFixes.metadata),
  );
  return { codeLens, decorations, problems, results, problemNotice };
}

/** The Runs view, and the batches a previous window submitted (they keep running on the provider: wait for them again). */
function wireRunsView(subs: vscode.Disposable[], core: Core) {
  const tree = new RunsTreeProvider(core.runs);
  const treeView = vscode.window.createTreeView<RunsTreeNode>('promptLadder.runs', {
    treeDataProvider: tree,
    canSelectMany: true,
    showCollapseAll: true,
  });
  // "3 min ago" stays true while the view is open
  subs.push(tree, treeView, refreshWhileVisible(treeView, () => tree.refresh()));
  const resumeTimer = setTimeout(() => void core.runs.resumePendingBatches().catch((e: unknown) => core.log.warn(`pending batches: ${String(e)}`)), 1500);
  subs.push({ dispose: () => clearTimeout(resumeTimer) });
  return { tree, treeView };
}

function wireFineTune(context: vscode.ExtensionContext, core: Core): { jobs: FineTuneJobsProvider; services: FineTuneServices } {
  const { keys, settings, log } = core;
  const jobs = new FineTuneJobsProvider({
    state: context.workspaceState,
    log,
    fetchStatus: async (job) =>
      fineTuneModule().getJob(await fineTuneEndpointFor({ keys, settings }, `${job.providerName}/${job.baseModel}`), job.id),
  });
  const view = vscode.window.createTreeView<StoredFineTuneJob>('promptLadder.fineTuneJobs', { treeDataProvider: jobs });
  const services: FineTuneServices = {
    runs: core.runs,
    jobs,
    keys,
    settings,
    log,
    state: context.workspaceState,
    isTestMode: context.extensionMode === vscode.ExtensionMode.Test,
  };
  core.subs.push(jobs, view, notifyWhenFinished(jobs));
  return { jobs, services };
}

function fineTuneApi(fineTune: { jobs: FineTuneJobsProvider; services: FineTuneServices }, keys: ApiKeys): PromptLadderApi['fineTune'] {
  if (!fineTune.services.isTestMode) return { jobs: fineTune.jobs };
  return {
    jobs: fineTune.jobs,
    testHooks: {
      confirmWith: (fn) => {
        fineTune.services.confirmForTests = fn;
      },
      chooseExportFileWith: (fn) => {
        fineTune.services.chooseFileForTests = fn;
      },
      setApiKey: (provider, key) => keys.set(provider, key),
      deleteApiKey: (provider) => keys.delete(provider),
    },
  };
}

function wireStatusBar(subs: vscode.Disposable[], settings: () => ExtensionSettings, log: vscode.LogOutputChannel): ModelStatusBar {
  const statusBar = new ModelStatusBar(settings);
  subs.push(
    statusBar,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSettings(e)) statusBar.update();
    }),
    onDidChangePromptFiles(() => statusBar.update()),
    new PromptFileContext(log),
  );
  return statusBar;
}

/**
 * Work that waits until activation is over. Reading the runs needs the store (and zod): not during activation, and
 * not before the first CodeLens of an open prompt file (the provider starts it once its lenses are out); at the
 * latest 1.5 s after activation.
 */
function afterActivation(context: vscode.ExtensionContext, core: Core): void {
  const first = setTimeout(() => void core.index.ready(), 1500);
  core.subs.push({ dispose: () => clearTimeout(first) });
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  void openWalkthroughOnFirstStart(context.globalState, context.extension.id, folders).catch((e: unknown) => core.log.warn(`walkthrough: ${String(e)}`));
}

/** Must match RESULTS_VIEW_TYPE of the panel module (not imported here: that would load it). */
const RESULTS_VIEW_TYPE = 'promptLadder.results';

/**
 * The panel module (and zod with its message schemas) loads on first use. Until then a small serializer stands
 * in, so a panel left open before a reload still comes back: it creates the manager (which registers the real
 * serializer) and hands the panel over.
 */
function lazyPanelManager(
  context: vscode.ExtensionContext,
  runs: EditorRunController,
  log: vscode.LogOutputChannel,
  testHost: () => PanelTestHost | undefined,
): () => PanelManager {
  let manager: PanelManager | undefined;
  let standIn: vscode.Disposable | undefined;
  const get = (): PanelManager => {
    if (!manager) {
      standIn?.dispose();
      standIn = undefined;
      manager = new (panelModule().PanelManager)(context, runs, log, testHost);
    }
    return manager;
  };
  standIn = vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel, state) => {
      await get().deserialize(panel, state);
    },
  });
  context.subscriptions.push({ dispose: () => standIn?.dispose() });
  return get;
}

/** How long deactivation waits for partial records (VS Code allows an extension about five seconds). */
const STOP_GRACE_MS = 4000;

/** Set at activation: stops the runs under way and waits briefly for their partial records. */
let stopRuns: (() => Promise<void>) | undefined;

/**
 * The window is closing (or the extension is being turned off) mid-run: the runs stop and their partial
 * records are written before the host goes (VS Code waits for the returned promise a few seconds).
 * Everything else is disposed through context.subscriptions.
 */
export function deactivate(): Promise<void> | undefined {
  return stopRuns?.();
}
