// What every agent tool shares: the host it runs in (project root, providers, how a run is made), the shape of
// a tool and of its answer, the error an agent can fix, and the gate that keeps every path an agent names
// inside the project.

import * as path from 'node:path';
import type * as z from 'zod';
import { resolveInProject } from '../../paths';
import type { PromptSpec } from '../../prompt/spec';
import type { ProviderResolver } from '../../providers/provider';
import type { RunRecord } from '../../runs/schema';

/** A problem the caller (an agent) caused or can fix: returned as a tool error, never a crash. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface RunRequest {
  /** Absolute path of the prompt file (inside the root). */
  file: string;
  spec: PromptSpec;
  text: string;
  variants?: string[];
  caseIndexes?: number[];
  signal?: AbortSignal;
  /** Engine progress, for hosts that can report it (done of total calls). */
  onProgress?: (done: number, total: number) => void;
}

export interface AgentToolHost {
  /** The project root: prompt files are named relative to it; runs live in <root>/.promptladder/runs. */
  readonly root: string;
  /** Providers with endpoints and keys from the user's environment or settings, never from a workspace file. */
  providers(): Promise<ProviderResolver>;
  /** Reads a prompt file's text (the editor's unsaved buffer where there is one). */
  readText(file: string): Promise<string>;
  /** Makes one run the way this host's own runs are made; resolves with the record and where it was written. */
  run(req: RunRequest): Promise<{ record: RunRecord; path?: string }>;
  /** Whether run_eval may run a prompt file's `code` evaluators (default false: such a run is refused). */
  readonly allowCode?: boolean;
}

/** A tool's answer: text for the model to read, and the same as structured data. */
export interface ToolAnswer<T> {
  text: string;
  data: T;
}

export interface AgentToolDefinition<I extends z.ZodType, O extends z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  /** Whether a call costs model calls (VS Code asks before running it). */
  costsModelCalls: boolean;
  readOnly: boolean;
  call(host: AgentToolHost, args: z.infer<I>, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ToolAnswer<z.infer<O>>>;
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/** `root`-relative, forward slashes. */
export function rel(root: string, abs: string): string {
  return toPosix(path.relative(root, abs)) || path.basename(abs);
}

/**
 * Resolves a path an agent named to an absolute path inside the project root, through the containment gate
 * (symlinks followed). Anything else is refused: an agent may be steered by text it read, and must not make
 * us read /etc. `mustExist`: a missing file is an error too.
 */
export async function resolveInRoot(root: string, ref: string, what: string, mustExist = false): Promise<string> {
  const outside = new ToolError(`${what} "${ref}" is outside the project (${root}): only files inside it can be used`);
  if (ref.includes('\0')) throw new ToolError(`${what} "${ref}" is not a valid path`);
  const abs = path.resolve(root, ref);
  const lexical = path.relative(root, abs);
  if (lexical.startsWith('..') || path.isAbsolute(lexical)) throw outside;
  const r = await resolveInProject(root, abs);
  if (r.ok) return r.abs;
  if (r.problem.kind === 'outside') throw outside;
  if (r.problem.kind === 'not-found' && !mustExist) return abs;
  throw new ToolError(r.problem.kind === 'not-found' ? `${what} "${ref}": no such file in the project (${root})` : `${what} "${ref}": ${r.problem.message.replace(abs, ref)}`);
}
