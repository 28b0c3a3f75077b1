// Entry points: load a prompt file (either format) into a PromptSpec, and check prompt or eval-set text for
// live diagnostics. Usable problems go to `spec.problems`; an unusable file throws SpecError with all of them.

import * as path from 'node:path';
import { SpecError } from '../errors';
import type { SourceProblem } from '../errors';
import type { PromptSpec } from './spec';
import { loadPromptYml } from './promptYml';
import type { LoadResult } from './promptYml';
import { loadPrompty } from './prompty';
import { casesFromText, rowsFormat } from '../cases/files';
import { sortProblems } from './common';
import { readProjectFile } from '../paths';
import { lintSpec } from './lint';
import { MAX_YAML_BYTES } from '../limits';

export type PromptFileKind = 'prompt.yml' | 'prompty';

/** Which loader handles a file, from its name; undefined when it is not a prompt file. */
export function promptFileKind(file: string): PromptFileKind | undefined {
  const f = file.toLowerCase();
  if (f.endsWith('.prompt.yml') || f.endsWith('.prompt.yaml')) return 'prompt.yml';
  if (f.endsWith('.prompty')) return 'prompty';
  return undefined;
}

export interface LoadOptions {
  /** The unsaved editor buffer (otherwise the file is read). */
  text?: string;
  /**
   * The file was named explicitly (a CLI argument, the editor's "Treat as Prompt File" or `promptLadder.files`):
   * any `.yml`/`.yaml` with the prompt-file shape (a top-level `messages`) loads as the GitHub Models format, as
   * `gh models eval sample_prompt.yml` does.
   */
  anyName?: boolean;
  /** Environment for `.prompty` `${env:NAME}` (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Whether YAML text has the prompt-file shape: a top-level `messages` key. */
export function hasPromptShape(text: string): boolean {
  return /^messages[ \t]*:/m.test(text.replace(/^\uFEFF/, ''));
}

async function load(file: string, text: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const r = await loadByKind(file, text, opts);
  if (r.spec && !r.fatal.length) {
    const lint = lintSpec(r.spec);
    if (lint.length) {
      r.spec.problems = sortProblems([...r.spec.problems, ...lint], file);
      r.soft = r.spec.problems;
    }
  }
  return r;
}

async function loadByKind(file: string, text: string, opts: LoadOptions): Promise<LoadResult> {
  const kind = promptFileKind(file) ?? (opts.anyName && /\.ya?ml$/i.test(file) ? 'prompt.yml' : undefined);
  if (kind === 'prompt.yml') {
    if (!promptFileKind(file) && !hasPromptShape(text)) {
      return { fatal: [{ file, line: 1, col: 1, message: 'not a prompt file: a GitHub Models prompt file is a YAML map with a top-level `messages` list', severity: 'error' }], soft: [] };
    }
    return loadPromptYml(file, text);
  }
  if (kind === 'prompty') return loadPrompty(file, text, opts.env ? { env: opts.env } : {});
  return { fatal: [{ file, line: 1, col: 1, message: 'not a prompt file: expected a name ending in .prompt.yml, .prompt.yaml or .prompty (or a YAML file with `messages`, named explicitly)', severity: 'error' }], soft: [] };
}

/**
 * The text of a prompt file, through the containment gate: a prompt file that is a symlink to somewhere
 * outside its own project is refused like any file it names. Throws SpecError naming the reason.
 */
export async function readPromptFile(file: string): Promise<string> {
  const abs = path.resolve(file);
  const r = await readProjectFile(path.dirname(abs), path.basename(abs), { maxBytes: MAX_YAML_BYTES });
  if (!r.ok) {
    const message = r.problem.kind === 'not-found' ? 'file not found' : r.problem.message;
    throw new SpecError([{ file: abs, line: 1, col: 1, message, severity: 'error' }]);
  }
  return r.content;
}

/**
 * Load a prompt file. `opts.text` is the unsaved editor buffer (otherwise the file is read).
 * Throws SpecError with every problem when the file cannot be used.
 */
export async function loadPromptFile(file: string, opts?: LoadOptions): Promise<PromptSpec> {
  const abs = path.resolve(file);
  let text = opts?.text;
  if (text === undefined) text = await readPromptFile(abs);
  const r = await load(abs, text, opts);
  if (!r.spec || r.fatal.length) throw new SpecError(sortProblems([...r.fatal, ...r.soft], abs));
  return r.spec;
}

/** Every problem of a prompt file's text, including those of the eval-set and example files it names. Never throws. */
export async function checkPromptText(file: string, text: string, opts?: Omit<LoadOptions, 'text'>): Promise<SourceProblem[]> {
  const abs = path.resolve(file);
  try {
    const r = await load(abs, text, opts);
    return sortProblems([...r.fatal, ...r.soft], abs);
  } catch (e) {
    return [{ file: abs, line: 1, col: 1, message: `cannot check this file: ${(e as Error).message}`, severity: 'error' }];
  }
}

/** Problems of an eval-set file being edited (JSONL, CSV, YAML). Never throws. */
export async function checkCasesText(file: string, text: string): Promise<SourceProblem[]> {
  const abs = path.resolve(file);
  if (!rowsFormat(abs)) return [];
  try {
    return (await casesFromText(abs, text, 0)).problems;
  } catch (e) {
    return [{ file: abs, line: 1, col: 1, message: `cannot check this file: ${(e as Error).message}`, severity: 'error' }];
  }
}
