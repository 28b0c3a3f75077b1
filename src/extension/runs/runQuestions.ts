// What stops or questions a run before it starts: RunBlockedError (a problem the user must fix, with the
// buttons that fix it), the questions asked (strict mode with problems, an untrusted workspace), the editor's
// wording of a Batch API refusal, and the buttons shared by these messages.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SourceProblem } from '../../core/errors';

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

export const SELECT_MODEL = { title: 'Select Provider/Model', command: 'promptLadder.selectModel' };
export const SET_KEY = { title: 'Set API Key', command: 'promptLadder.setApiKey' };

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

export async function askStrictModal(file: string, problems: SourceProblem[]): Promise<StrictChoice | undefined> {
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
export async function confirmUntrustedRun(file: string, cases: number): Promise<boolean> {
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
