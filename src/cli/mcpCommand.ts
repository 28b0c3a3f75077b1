// `prompt-ladder mcp`: a Model Context Protocol server over stdio (the official SDK) offering the agent tools
// of src/core/agent/tools/. Runs are made as `prompt-ladder eval` makes them: the engine, providers from the
// environment (and the user's ~/.config profile file), records in <root>/.promptladder/runs.
// stdout carries the protocol: nothing else may be written there. The CLI loads this module only for `mcp`
// (bundled apart as dist/mcp.js), so the SDK costs nothing to the other commands.

import { promises as fs } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { AGENT_TOOLS, ToolError, toolAnnotations, type AgentToolHost } from '../core/agent/tools';
import { runEval } from '../core/engine';
import { createEnvResolver, loadUserConfig } from '../core/providers/resolve';
import type { ProviderResolver } from '../core/providers/provider';
import { LineTransport } from './mcpTransport';

export interface McpArgs {
  root: string;
  version: string;
  /** Use the response cache (default true, as `prompt-ladder eval`). */
  cache: boolean;
  concurrency?: number;
  /** Run prompt files' `code` evaluators for agents (--allow-code; default: run_eval refuses such files). */
  allowCode?: boolean;
}

/** The host for a CLI process: the engine and the environment's providers. */
export function engineHost(args: McpArgs, env: NodeJS.ProcessEnv = process.env): AgentToolHost {
  let providers: Promise<ProviderResolver> | undefined;
  return {
    root: args.root,
    allowCode: args.allowCode === true,
    providers: () => (providers ??= loadUserConfig(env).then((config) => createEnvResolver(env, config))),
    readText: (file) => fs.readFile(file, 'utf8'),
    async run(req) {
      return runEval(req.spec, {
        providers: await this.providers(),
        root: args.root,
        cache: args.cache,
        ...(args.concurrency ? { concurrency: args.concurrency } : {}),
        ...(req.variants ? { variants: req.variants } : {}),
        ...(req.caseIndexes ? { caseIndexes: req.caseIndexes } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
        promptText: req.text,
        workspaceTrusted: args.allowCode === true,
        onEvent: req.onProgress
          ? (e) => {
              if (e.type === 'progress') req.onProgress!(e.done, e.total);
            }
          : undefined,
      });
    },
  };
}

export function createMcpServer(host: AgentToolHost, version: string): McpServer {
  const server = new McpServer({ name: 'prompt-ladder', version });
  for (const tool of AGENT_TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: toolAnnotations(tool, host),
      },
      async (args: unknown, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => {
        const token = extra._meta?.progressToken;
        const onProgress =
          token === undefined
            ? undefined
            : (done: number, total: number) => {
                void extra
                  .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message: `${done}/${total} results` } })
                  .catch(() => undefined);
              };
        try {
          const answer = await tool.call(host, args, extra.signal, onProgress);
          return { content: [{ type: 'text' as const, text: answer.text }], structuredContent: answer.data as Record<string, unknown> };
        } catch (err) {
          const message = err instanceof ToolError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
          return { content: [{ type: 'text' as const, text: message }], isError: true };
        }
      },
    );
  }
  return server;
}

/** Serves until stdin closes. Returns the exit code. */
export async function mcpCommand(args: McpArgs): Promise<number> {
  const server = createMcpServer(engineHost(args), args.version);
  // malformed and oversized lines get their JSON-RPC error and the server keeps serving
  const transport = new LineTransport(process.stdin, process.stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.stdin.once('close', () => resolve());
  });
  await server.connect(transport);
  process.stderr.write(`prompt-ladder mcp: serving ${AGENT_TOOLS.map((t) => t.name).join(', ')} for ${args.root}\n`);
  await closed;
  await server.close().catch(() => undefined);
  return 0;
}
