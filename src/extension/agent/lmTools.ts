// The agent tools (src/core/agent/tools/: run_eval, list_runs, get_run, get_advice, climb) as VS Code Language
// Model tools, so Copilot agent mode can run an eval and read the advice. package.json's
// `contributes.languageModelTools` declares them (same JSON Schema as the MCP server's inputSchema, checked by
// a unit test). Runs go through the editor's run controller: the same run, record, Runs view and live panel as
// Run Eval. A run costs model calls, so VS Code asks before one (prepareInvocation); reads do not ask.
// The tools module (engine, loaders) loads on the first call, not at activation.

import * as path from 'node:path';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { agentModule } from '../lazy';
import { escapeMarkdown as md } from '../../shared/markdown';
import { readText } from '../promptFiles';
import { RunBlockedError, type EditorRunController } from '../runs/runController';
import type { AgentToolHost, RunEvalInput } from '../../core/agent/tools';
import type { ProviderResolver } from '../../core/providers/provider';
import { climbConfirmation } from '../climb/climbConfirmation';

/** Tool names as package.json declares them: `promptLadder_<core name>`. */
export const LM_TOOL_PREFIX = 'promptLadder_';
export const LM_TOOL_NAMES = ['run_eval', 'list_runs', 'get_run', 'get_advice', 'climb'] as const;

export interface LmToolDeps {
  runs: EditorRunController;
  createResolver(): Promise<ProviderResolver>;
  log: vscode.LogOutputChannel;
}

/** The workspace folder a tool call works in: the one holding `file`, else the first. */
function rootFor(file: string | undefined): string | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (file && folders.length > 1) {
    const hit = folders.find((f) => existsSync(path.resolve(f.uri.fsPath, file)));
    if (hit) return hit.uri.fsPath;
  }
  return folders[0]?.uri.fsPath;
}

export function editorHost(root: string, deps: LmToolDeps): AgentToolHost {
  const { ToolError } = agentModule();
  return {
    root,
    // the user confirms each run, and the confirmation names the code evaluators that will run (prepareInvocation)
    allowCode: true,
    providers: () => deps.createResolver(),
    readText: (file) => readText(vscode.Uri.file(file)),
    async run(req) {
      const uri = vscode.Uri.file(req.file);
      let recordPath: string | undefined;
      const sub = deps.runs.onDidRunEvent((e) => {
        if (e.promptUri.toString() === uri.toString() && e.event.type === 'run-finished') recordPath = e.event.path;
      });
      const abort = () => deps.runs.cancel(uri);
      req.signal?.addEventListener('abort', abort, { once: true });
      try {
        const record = await deps.runs.start(uri, {
          ...(req.variants ? { variants: req.variants } : {}),
          ...(req.caseIndexes ? { caseIndexes: req.caseIndexes } : {}),
        });
        if (!record) throw new ToolError(`${path.basename(req.file)} is already running in this window: call again when that run has finished.`);
        return { record, ...(recordPath ? { path: recordPath } : {}) };
      } catch (err) {
        // A run blocked by the setup (no model, no key) is the user's to fix: say so to the agent.
        if (err instanceof RunBlockedError || (err instanceof Error && err.name === 'SpecError')) throw new ToolError(err.message);
        throw err;
      } finally {
        sub.dispose();
        req.signal?.removeEventListener('abort', abort);
      }
    },
  };
}

function signalOf(token: vscode.CancellationToken): AbortSignal {
  const c = new AbortController();
  if (token.isCancellationRequested) c.abort();
  token.onCancellationRequested(() => c.abort());
  return c.signal;
}

/** One Language Model tool over a core tool. */
function lmTool(name: (typeof LM_TOOL_NAMES)[number], deps: LmToolDeps): vscode.LanguageModelTool<Record<string, unknown>> {
  const definition = () => agentModule().AGENT_TOOLS.find((t) => t.name === name)!;
  const hostFor = (input: Record<string, unknown>): AgentToolHost => {
    const root = rootFor(typeof input.file === 'string' ? input.file : undefined);
    if (!root) throw new Error('Prompt Ladder tools need a folder open in VS Code (the project whose prompt files they run).');
    return editorHost(root, deps);
  };
  return {
    async prepareInvocation(options) {
      const input = options.input ?? {};
      if (name === 'climb') return climbConfirmation(input, () => hostFor(input));
      if (name !== 'run_eval') {
        return { invocationMessage: name === 'list_runs' ? 'Listing prompt eval runs' : `Reading ${name === 'get_advice' ? 'the advice of ' : ''}a prompt eval run` };
      }
      const args = input as RunEvalInput;
      const file = String(args.file ?? '');
      // the file name comes from the agent, the rest from the prompt file: all shown as text, never as Markdown
      let plan = `run **${md(file)}** over its eval set`;
      let code = '';
      try {
        const p = await agentModule().planRun(hostFor(input), agentModule().RunEvalInputSchema.parse(input));
        const calls = p.caseCount * p.variantNames.length;
        plan = `run **${md(file)}**: ${p.caseCount} case${p.caseCount === 1 ? '' : 's'} × ${p.variantNames.length} variant${p.variantNames.length === 1 ? '' : 's'} (${md(p.variantNames.join(', '))}), up to ${calls} model call${calls === 1 ? '' : 's'} with ${md(p.models.join(', '))}`;
        if (p.codeEvaluators.length) {
          code = vscode.workspace.isTrusted
            ? `\n\n**This runs code from the workspace**: its code evaluators (${md(p.codeEvaluators.join(', '))}) execute the project's JavaScript with your permissions. Continue only if you trust this project.`
            : `\n\nIts code evaluators (${md(p.codeEvaluators.join(', '))}) will not run: this workspace is not trusted.`;
        }
      } catch {
        // the call will report what is wrong; the confirmation still asks
      }
      return {
        invocationMessage: `Running the eval of ${file}`,
        confirmationMessages: {
          title: 'Run a prompt eval?',
          message: new vscode.MarkdownString(
            `Prompt Ladder will ${plan}. Responses already in the cache cost nothing; the run record goes to ${vscode.workspace.isTrusted ? '`.promptladder/runs/`' : "the editor's own storage (this workspace is not trusted)"}.${code}`,
          ),
        },
      };
    },
    async invoke(options, token) {
      const { ToolError } = agentModule();
      const tool = definition();
      const parsed = tool.input.safeParse(options.input ?? {});
      if (!parsed.success) {
        throw new Error(`Invalid arguments for ${LM_TOOL_PREFIX}${name}: ${parsed.error.issues.map((i: { path: PropertyKey[]; message: string }) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
      }
      try {
        const answer = await tool.call(hostFor(parsed.data as Record<string, unknown>), parsed.data, signalOf(token));
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answer.text)]);
      } catch (err) {
        if (err instanceof ToolError) throw new Error(err.message, { cause: err });
        deps.log.error(`${LM_TOOL_PREFIX}${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        throw err;
      }
    },
  };
}

export type LanguageModelTools = Map<(typeof LM_TOOL_NAMES)[number], vscode.LanguageModelTool<Record<string, unknown>>>;

/** Registers the tools where the editor offers Language Model tools (guarded: older hosts lack the API). */
export function registerLanguageModelTools(deps: LmToolDeps): { tools: LanguageModelTools; disposables: vscode.Disposable[] } {
  const tools: LanguageModelTools = new Map(LM_TOOL_NAMES.map((name) => [name, lmTool(name, deps)]));
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  if (typeof lm?.registerTool !== 'function') {
    deps.log.info('this editor has no Language Model tools API: the Prompt Ladder tools are not offered to agents');
    return { tools, disposables: [] };
  }
  return { tools, disposables: [...tools].map(([name, tool]) => lm.registerTool!(`${LM_TOOL_PREFIX}${name}`, tool)) };
}
