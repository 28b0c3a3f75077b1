// Runs the real `prompt-ladder` CLI (src/cli/main.ts through tsx) as a child process, the way the CLI tests do.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const MAIN = path.resolve('src/cli/main.ts');
const TSX = pathToFileURL(path.resolve('node_modules/tsx/dist/loader.mjs')).href;

/** Node arguments that start the CLI from source; append the CLI's own arguments. */
export const CLI_NODE_ARGS: readonly string[] = ['--import', TSX, MAIN];

/** A minimal environment for a CLI child: only PATH, HOME and an OpenAI key and base URL, plus `extra`. */
export function cliEnv(home: string, baseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, OPENAI_API_KEY: 'cli-key', OPENAI_BASE_URL: baseUrl, ...extra };
}

export interface CliExit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `done` settles when it exits, `stderr()` reads what it has written so far. */
export function spawnCli(
  args: readonly string[],
  opts: { cwd: string; env: Record<string, string>; onStderr?: (chunk: string, child: ChildProcess) => void },
): { child: ChildProcess; done: Promise<CliExit>; stderr: () => string } {
  const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args], { cwd: opts.cwd, env: opts.env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    opts.onStderr?.(String(d), child);
  });
  const done = new Promise<CliExit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

/** Runs the CLI to its exit; `code` is -1 when it was ended by a signal. */
export async function runCli(
  args: readonly string[],
  opts: { cwd: string; env: Record<string, string>; onStderr?: (chunk: string, child: ChildProcess) => void },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await spawnCli(args, opts).done;
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}
