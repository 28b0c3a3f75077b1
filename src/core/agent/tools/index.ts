// The agent tools — run_eval, list_runs, get_run, get_advice, climb — one module per tool in this folder,
// listed here. Each tool has its argument and result schemas (zod; the MCP server publishes them as
// inputSchema/outputSchema, package.json's languageModelTools carry the same JSON Schema) and its logic. Two
// hosts use them: the MCP server of the CLI (`prompt-ladder mcp`, src/cli/mcpCommand.ts) and the VS Code
// Language Model tools (src/extension/agent/lmTools.ts). A host supplies the project root, the providers and
// how a run is made (the CLI: the engine, as `prompt-ladder eval`; VS Code: the editor's run controller, so the
// run shows in the panel and the Runs view). Only run_eval and climb write anything. An agent never runs
// workspace code implicitly: run_eval over a prompt file with `code` evaluators (JavaScript from the project)
// refuses unless the host allows code (the MCP server's --allow-code; the editor asks the user, saying so).
// This module is what the hosts import: the list, and the host-facing types and checks the tools share.

import * as z from 'zod';
import type { AgentToolDefinition } from './host';
import { runEvalTool } from './runEval';
import { listRunsTool } from './listRuns';
import { getRunTool } from './getRun';
import { getAdviceTool } from './getAdvice';
import { climbTool } from './climb';

export { ToolError, resolveInRoot, type AgentToolDefinition, type AgentToolHost, type RunRequest, type ToolAnswer } from './host';
export { RunEvalInputSchema, planRun, codeEvaluatorNames, type RunEvalInput } from './runEval';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each tool has its own input and output types; the list holds them all
export const AGENT_TOOLS: readonly AgentToolDefinition<any, any>[] = [runEvalTool, listRunsTool, getRunTool, getAdviceTool, climbTool];

/** MCP tool annotations that tell the truth about a tool on this host. */
export function toolAnnotations(tool: AgentToolDefinition<z.ZodType, z.ZodType>, host: { allowCode?: boolean }): Record<string, boolean | string> {
  return {
    title: tool.title,
    readOnlyHint: tool.readOnly,
    // run_eval adds a run record and cache entries and deletes nothing; code evaluators, when allowed, can do anything
    destructiveHint: !tool.readOnly && Boolean(host.allowCode),
    idempotentHint: tool.readOnly,
    // run_eval sends the project's prompts to the model provider
    openWorldHint: tool.costsModelCalls,
  };
}

/** The JSON Schema of a tool's arguments, as package.json's languageModelTools declare it. */
export function inputJsonSchema(tool: AgentToolDefinition<z.ZodType, z.ZodType>): Record<string, unknown> {
  const schema = z.toJSONSchema(tool.input, { target: 'draft-7' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}
