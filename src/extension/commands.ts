// Command registrations (category "Prompt Ladder"): one table of ids and handlers per command area
// (runCommands, editCommands, settingsCommands, runsViewCommands, advisorCommands, fineTuneCommands,
// generateTestCases, promptFileCommands), registered here with one error wrapper. Commands that need a prompt
// file take a Uri (explorer, CodeLens, tree) or use the active editor, else offer a pick. User-caused errors
// become messages, never stacks.

import * as vscode from 'vscode';
import type { SourceProblem } from '../core/errors';
import type { ProviderResolver } from '../core/providers/provider';
import type { ProblemDiagnostics } from './editor/diagnostics';
import type { ResultsIndex } from './editor/resultsIndex';
import type { RunsTreeNode, RunsTreeProvider } from './runs/runsTree';
import type { PanelBridge } from './panelBridge';
import { ADVISOR_COMMAND_IDS, advisorCommandTable } from './advisorCommands';
import { GENERATE_COMMAND_IDS, generateCommandTable } from './generate/generateTestCases';
import { FINE_TUNE_COMMAND_IDS, fineTuneCommandTable, type FineTuneServices } from './fineTune/fineTuneCommands';
import { RunBlockedError, type EditorRunController } from './runs/runController';
import type { ProblemNotice } from './problemNotice';
import type { ApiKeys } from './secrets';
import { readSettings } from './settings';
import { PROMPT_FILE_COMMAND_IDS, stopTreatingAsPromptFile, treatAsPromptFile } from './promptFileCommands';
import { RUN_COMMAND_IDS, runCommandTable } from './runCommands';
import { EDIT_COMMAND_IDS, editCommandTable } from './editCommands';
import { SETTINGS_COMMAND_IDS, settingsCommandTable } from './settingsCommands';
import { RUNS_VIEW_COMMAND_IDS, runsViewCommandTable } from './runsViewCommands';
import { CLIMB_COMMAND_IDS, climbCommandTable } from './climb/climbCommand';

export interface CommandServices {
  context: vscode.ExtensionContext;
  runs: EditorRunController;
  index: ResultsIndex;
  keys: ApiKeys;
  panels: PanelBridge;
  problems: ProblemDiagnostics;
  tree: RunsTreeProvider;
  treeView: vscode.TreeView<RunsTreeNode>;
  log: vscode.LogOutputChannel;
  onSettingsChanged(): void;
  createResolver(): Promise<ProviderResolver>;
  fineTune: FineTuneServices;
  /** Where a refused run's file problems are shown until fixed. */
  problemNotice?: ProblemNotice;
}

/** A command area's handlers by command id. */
export type CommandTable<Id extends string> = Record<Id, (...args: unknown[]) => unknown>;

export const COMMAND_IDS = [
  ...RUN_COMMAND_IDS,
  ...EDIT_COMMAND_IDS,
  ...SETTINGS_COMMAND_IDS,
  ...RUNS_VIEW_COMMAND_IDS,
  ...ADVISOR_COMMAND_IDS,
  ...FINE_TUNE_COMMAND_IDS,
  ...GENERATE_COMMAND_IDS,
  ...PROMPT_FILE_COMMAND_IDS,
  ...CLIMB_COMMAND_IDS,
] as const;

/**
 * Shows a user-caused problem as a message (with fixing buttons); a file's problems in the status bar until fixed
 * (`notice`; without one, as a message); anything else is logged and summarised.
 */
export function showFailure(err: unknown, log: vscode.LogOutputChannel, notice?: ProblemNotice): void {
  if (err instanceof RunBlockedError) {
    log.warn(err.message);
    void vscode.window.showErrorMessage(err.message, ...err.actions.map((a) => a.title)).then((choice) => {
      const action = err.actions.find((a) => a.title === choice);
      if (action) void vscode.commands.executeCommand(action.command, ...(action.args ?? []));
    });
    return;
  }
  const problems = (err as { problems?: SourceProblem[] }).problems;
  if (Array.isArray(problems) && problems.length) {
    const first = problems[0];
    const where = `${vscode.workspace.asRelativePath(first.file)}:${first.line}:${first.col}`;
    const more = problems.length > 1 ? ` (+${problems.length - 1} more in the Problems panel)` : '';
    const message = `Prompt Ladder: ${where}: ${first.message}${more}`;
    log.warn(message);
    if (notice) return notice.show(problems, message);
    void vscode.window.showErrorMessage(message, 'Go to Problem', 'Show Problems').then(async (choice) => {
      if (choice === 'Go to Problem') {
        const pos = new vscode.Position(Math.max(0, first.line - 1), Math.max(0, first.col - 1));
        await vscode.window.showTextDocument(vscode.Uri.file(first.file), { selection: new vscode.Range(pos, pos) });
      } else if (choice === 'Show Problems') {
        await vscode.commands.executeCommand('workbench.actions.view.problems');
      }
    });
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  log.error(err instanceof Error ? (err.stack ?? message) : message);
  void vscode.window.showErrorMessage(`Prompt Ladder: ${message}`);
}

export function registerCommands(s: CommandServices): vscode.Disposable[] {
  const { runs, log } = s;
  const wrap =
    (fn: (...args: unknown[]) => unknown) =>
    async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        showFailure(err, log, s.problemNotice);
        return undefined;
      }
    };
  const table: CommandTable<(typeof COMMAND_IDS)[number]> = {
    ...runCommandTable(s),
    ...editCommandTable(s),
    ...settingsCommandTable(s),
    ...runsViewCommandTable(s),
    'promptLadder.treatAsPromptFile': treatAsPromptFile,
    'promptLadder.stopTreatingAsPromptFile': stopTreatingAsPromptFile,
    ...advisorCommandTable(runs, s.fineTune),
    ...fineTuneCommandTable(s.fineTune),
    ...generateCommandTable({
      runs,
      log,
      createResolver: s.createResolver,
      maxConcurrency: () => readSettings().maxConcurrency,
      isTestMode: s.context.extensionMode === vscode.ExtensionMode.Test,
    }),
    ...climbCommandTable({ context: s.context, createResolver: s.createResolver, log, fineTuneJobs: () => s.fineTune.jobs.list() }),
  };
  return COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, wrap(table[id])));
}
