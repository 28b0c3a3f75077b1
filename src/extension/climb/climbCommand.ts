// Prompt Ladder: Climb… (palette, editor title menu, the advisor card): asks for a budget with the estimate in
// view, then climbs with a cancellable progress notification (cancel stops after the run in flight) and
// shows the Climb view, which follows the record as it is written.

import * as vscode from 'vscode';
import * as path from 'node:path';
import { climbModule } from '../lazy';
import { readText } from '../promptFiles';
import type { ProviderResolver } from '../../core/providers/provider';
import type { FineTuneJobLike } from '../../core/climb/fineTuned';
import { CLIMB_VIEW_TYPE } from './viewType';

export const CLIMB_COMMAND = 'promptLadder.climb';
export const CLIMB_COMMAND_IDS = [CLIMB_COMMAND] as const;

export interface ClimbDeps {
  context: vscode.ExtensionContext;
  createResolver(): Promise<ProviderResolver>;
  log: vscode.LogOutputChannel;
  /** The Fine-Tuning Jobs list: a job that succeeded for the file makes its model a move. */
  fineTuneJobs?: () => readonly FineTuneJobLike[];
}

/** The command's handler, registered with the other command areas (commands.ts). */
export function climbCommandTable(deps: ClimbDeps): Record<(typeof CLIMB_COMMAND_IDS)[number], (arg?: unknown) => unknown> {
  return { [CLIMB_COMMAND]: (arg?: unknown) => climbFile(deps, arg) };
}

/** The serializer that reopens a Climb view after a reload (the view itself loads on first use). */
export function registerClimb(deps: ClimbDeps): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(CLIMB_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => climbModule().ClimbPanel.deserialize(deps.context, deps.log, panel, state),
    }),
  ];
}

/** The budget the user gives, in dollars or (prices unknown) calls; undefined when they cancel. */
async function askBudget(priced: boolean, estimateUsd: number | undefined, calls: number, provider: string, name: string): Promise<number | undefined> {
  const sends = `The climb sends the eval set's cases to ${provider}.`;
  const value = await vscode.window.showInputBox({
    title: `Prompt Ladder: Climb ${name}`,
    prompt: priced
      ? `Budget in dollars. Estimate: up to $${(estimateUsd ?? 0).toFixed(4)} and ${calls} calls (an upper bound: the cache answers what was already asked). ${sends}`
      : `No price is known for this model: the budget is in calls. Estimate: up to ${calls} calls. ${sends}`,
    value: priced ? String(Number((estimateUsd ?? 0).toPrecision(2))) : String(calls),
    validateInput: (v) => (Number(v) > 0 && (priced || Number.isInteger(Number(v))) ? undefined : priced ? 'A number of dollars above 0' : 'A whole number of calls'),
  });
  return value === undefined ? undefined : Number(value);
}

async function climbFile(deps: ClimbDeps, arg: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('Prompt Ladder: open a prompt file to climb.');
    return;
  }
  const m = climbModule();
  const file = uri.fsPath;
  const name = path.basename(file);
  let text: string;
  let providers: ProviderResolver;
  let plan: Awaited<ReturnType<typeof m.planClimb>>;
  const root = m.runRootOf(file);
  try {
    text = await readText(uri);
    providers = await deps.createResolver();
    plan = await m.planClimb({ file, text, root, providers, fineTuneJobs: deps.fineTuneJobs?.() ?? [] });
  } catch (e) {
    void vscode.window.showErrorMessage(`Prompt Ladder: cannot climb ${name}: ${(e as Error).message}`);
    return;
  }
  const priced = plan.unpriced.length === 0;
  let budget: number | undefined;
  if (plan.cases >= 24) {
    budget = await askBudget(priced, plan.estimate.usd, plan.estimate.calls, plan.provider, name);
    if (budget === undefined) return;
  }
  const panel = m.ClimbPanel.show(deps.context, file, deps.log);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Climbing ${name}`, cancellable: true }, async (progress, token) => {
    const stop = new AbortController();
    token.onCancellationRequested(() => stop.abort());
    try {
      const { record, file: recordFile } = await m.climb({
        file,
        text,
        root,
        providers,
        fineTuneJobs: deps.fineTuneJobs?.() ?? [],
        ...(budget !== undefined ? (priced ? { budgetUsd: budget } : { maxCalls: budget }) : {}),
        workspaceTrusted: vscode.workspace.isTrusted,
        signal: stop.signal,
        onEvent: (e) => {
          if (e.type === 'saved') panel.update(e.record, e.file);
          else if (e.type === 'step-started') progress.report({ message: `step ${e.round.round}: ${e.round.moves.map((x) => x.label).join(', ')}` });
          else if (e.type === 'run') {
            if (e.event.type === 'run-started') progress.report({ message: `${e.what} (${e.event.total} cases)` });
          }
        },
      });
      panel.update(record, recordFile);
      const kept = record.steps.filter((s) => s.kept).length;
      const said = `Climb of ${name}: ${kept ? `${kept} move${kept === 1 ? '' : 's'} kept` : 'nothing better found'}${record.stopReason ? ` (${record.stopReason})` : ''}.`;
      if (record.steps[0]?.move.kind === 'evaluation') {
        const generate = 'Generate Test Cases…';
        void vscode.window.showInformationMessage(said, generate).then((pick) => (pick === generate ? vscode.commands.executeCommand('promptLadder.generateTestCases', uri) : undefined));
      } else void vscode.window.showInformationMessage(said);
    } catch (e) {
      deps.log.error(`climb ${name}: ${(e as Error).stack ?? String(e)}`);
      void vscode.window.showErrorMessage(`Prompt Ladder: the climb of ${name} failed: ${(e as Error).message}`);
    }
  });
}
