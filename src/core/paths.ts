// The containment gate: the one place that opens a file or lists a folder a prompt file names. A prompt file
// is workspace content (a cloned repo can hold anything), so every eval set (named or the implicit sibling),
// example file, schema, sample, `${file:}` reference, retrieval document and code evaluator it makes us read
// must live inside its project: the nearest folder above it holding .git, package.json or .promptladder
// (else the prompt file's own folder). Otherwise a repo could make the tool read ~/.ssh or /etc and send it
// to the model or into a run record. Symlinks are resolved before the check; the real path is what is read.
// Modules outside this file never call fs read functions on user-named paths (test/unit/paths/readers.test.ts).

import { existsSync, realpathSync, promises as fs } from 'node:fs';
import type { Dirent } from 'node:fs';
import * as path from 'node:path';
import type { SourceProblem } from './errors';
import { fileTooLargeMessage } from './limits';

const MARKERS = ['.git', 'package.json', '.promptladder'];
const roots = new Map<string, string>();

/** The project folder of a directory holding a prompt file. */
export function projectRoot(dir: string): string {
  const start = path.resolve(dir);
  let root = roots.get(start);
  if (root === undefined) {
    root = start;
    for (let d = start; ; d = path.dirname(d)) {
      if (MARKERS.some((m) => existsSync(path.join(d, m)))) {
        root = d;
        break;
      }
      if (path.dirname(d) === d) break;
    }
    roots.set(start, root);
  }
  return root;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    // not there (yet): judge the parent, so a missing file is reported as missing, not as outside
    const parent = path.dirname(p);
    return parent === p ? p : path.join(real(parent), path.basename(p));
  }
}

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Whether `target` (absolute) lies inside the project of `baseDir`, following symlinks. */
export function isInsideProject(baseDir: string, target: string): boolean {
  return inside(real(projectRoot(baseDir)), real(target));
}

/** The message for a path that leaves the project. */
export function outsideProjectMessage(ref: string, baseDir: string): string {
  return `${ref} is outside this project (${projectRoot(baseDir)}): files named in a prompt file must live inside its project`;
}

/** Why a named file cannot be read. */
export type ReadProblemKind = 'outside' | 'not-found' | 'folder' | 'not-a-folder' | 'permission' | 'too-large' | 'unreadable';

export interface ReadProblem {
  kind: ReadProblemKind;
  /** The reference as written (or the path relative to the base folder). */
  ref: string;
  /** The path the reference resolves to (before symlinks). */
  abs: string;
  /** A sentence naming the reference and the reason; never includes the file's content. */
  message: string;
}

export type Resolved = { ok: true; abs: string; real: string } | { ok: false; abs: string; problem: ReadProblem };
export type ProjectRead<T> = { ok: true; abs: string; real: string; content: T } | { ok: false; abs: string; problem: ReadProblem };

function problem(kind: ReadProblemKind, ref: string, abs: string, baseDir: string, detail?: string): ReadProblem {
  const message =
    kind === 'outside'
      ? detail
        ? `${ref} is a symlink to a place outside this project (${projectRoot(baseDir)}): files named in a prompt file must live inside its project`
        : outsideProjectMessage(ref, baseDir)
      : kind === 'not-found'
        ? `file not found: ${ref}`
        : kind === 'folder'
          ? `${ref} is a folder, not a file`
          : kind === 'not-a-folder'
            ? `${ref} is not a folder`
            : kind === 'permission'
              ? `cannot read ${ref}: permission denied`
              : kind === 'too-large'
                ? `cannot read ${ref}: ${detail}`
                : `cannot read ${ref}: ${detail ?? 'unknown error'}`;
  return { kind, ref, abs, message };
}

function errnoProblem(e: unknown, ref: string, abs: string, baseDir: string): ReadProblem {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return problem('not-found', ref, abs, baseDir);
  if (code === 'EACCES' || code === 'EPERM') return problem('permission', ref, abs, baseDir);
  if (code === 'EISDIR') return problem('folder', ref, abs, baseDir);
  if (code === 'ELOOP') return problem('unreadable', ref, abs, baseDir, 'too many levels of symbolic links');
  return problem('unreadable', ref, abs, baseDir, code ?? (e as Error).message);
}

/**
 * Resolve `ref` (relative to `baseDir`, or absolute) to a real path inside the project of `baseDir`.
 * A problem says why not: outside the project (also through a symlink), not found, or unreadable.
 */
export async function resolveInProject(baseDir: string, ref: string): Promise<Resolved> {
  const abs = path.resolve(baseDir, ref);
  const root = real(projectRoot(baseDir));
  let target: string;
  try {
    target = await fs.realpath(abs);
  } catch (e) {
    // a dangling symlink or a missing file: judge where it would be, so "outside" wins over "not found"
    const code = (e as NodeJS.ErrnoException).code;
    if (!inside(root, real(abs))) return { ok: false, abs, problem: problem('outside', ref, abs, baseDir) };
    if (code === 'ENOENT') {
      const link = await fs.readlink(abs).catch(() => undefined);
      if (link !== undefined && !inside(root, path.resolve(path.dirname(real(abs)), link))) {
        return { ok: false, abs, problem: problem('outside', ref, abs, baseDir, 'symlink') };
      }
    }
    return { ok: false, abs, problem: errnoProblem(e, ref, abs, baseDir) };
  }
  if (!inside(root, target)) {
    const viaLink = inside(projectRoot(baseDir), abs) || inside(root, abs);
    return { ok: false, abs, problem: problem('outside', ref, abs, baseDir, viaLink ? 'symlink' : undefined) };
  }
  return { ok: true, abs, real: target };
}

export async function readProjectFile(baseDir: string, ref: string, opts?: { encoding?: 'utf8'; maxBytes?: number }): Promise<ProjectRead<string>>;
export async function readProjectFile(baseDir: string, ref: string, opts: { encoding: 'binary'; maxBytes?: number }): Promise<ProjectRead<Uint8Array>>;
/**
 * Read a file a prompt file names, through the gate: the real path must lie inside the project of `baseDir`
 * and be a readable file. Never throws for a user-caused problem; the problem says why (see ReadProblemKind).
 * `maxBytes` refuses a larger file before reading it (the limits of ./limits.ts).
 */
export async function readProjectFile(baseDir: string, ref: string, opts?: { encoding?: 'utf8' | 'binary'; maxBytes?: number }): Promise<ProjectRead<string | Uint8Array>> {
  const r = await resolveInProject(baseDir, ref);
  if (!r.ok) return r;
  try {
    const st = await fs.stat(r.real);
    if (st.isDirectory()) return { ok: false, abs: r.abs, problem: problem('folder', ref, r.abs, baseDir) };
    // a FIFO would block the read for ever, a device never ends: refused before opening
    const odd = specialFileKind(st);
    if (odd) return { ok: false, abs: r.abs, problem: problem('unreadable', ref, r.abs, baseDir, `it is ${odd}, not a regular file`) };
    if (opts?.maxBytes !== undefined && st.size > opts.maxBytes) {
      return { ok: false, abs: r.abs, problem: problem('too-large', ref, r.abs, baseDir, fileTooLargeMessage('the file', st.size, opts.maxBytes)) };
    }
    const bytes = await fs.readFile(r.real);
    if (opts?.encoding === 'binary') return { ...r, content: new Uint8Array(bytes) };
    const utf16 = utf16Bom(bytes);
    if (utf16) return { ok: false, abs: r.abs, problem: problem('unreadable', ref, r.abs, baseDir, `it is ${utf16} (BOM): save it as UTF-8`) };
    return { ...r, content: bytes.toString('utf8') };
  } catch (e) {
    return { ok: false, abs: r.abs, problem: errnoProblem(e, ref, r.abs, baseDir) };
  }
}

/** What a non-regular file is, in words ("a FIFO (named pipe)"), or undefined for a regular file or folder. */
export function specialFileKind(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string | undefined {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return undefined;
}

/** "UTF-16LE" / "UTF-16BE" when the bytes open with a UTF-16 byte-order mark. */
export function utf16Bom(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16BE';
  return undefined;
}

/** A located problem (for the prompt file or eval-set line that named the file). */
export function locateProblem(p: ReadProblem, at: { file: string; line: number; col?: number }, prefix = ''): SourceProblem {
  return { file: at.file, line: at.line, col: at.col ?? 1, message: `${prefix}${p.message}`, severity: 'error' };
}

export interface ProjectDirEntry {
  name: string;
  /** The path as seen through the folder listed (symlinks not resolved). */
  abs: string;
  /** The real path. */
  real: string;
  kind: 'file' | 'folder';
  /** Whether the entry is a symlink (to somewhere inside the project). */
  symlink: boolean;
}

/**
 * List a folder a prompt file names (for retrieval globs), through the gate. Symlinks are followed when
 * their target lies inside the project; those pointing outside (or dangling) are returned as problems, so
 * the caller can warn naming them. `ref` names the folder in messages.
 */
export async function listProjectDir(
  baseDir: string,
  dir: string,
  ref = path.relative(baseDir, path.resolve(baseDir, dir)).split(path.sep).join('/') || '.',
): Promise<{ ok: true; real: string; entries: ProjectDirEntry[]; problems: ReadProblem[] } | { ok: false; abs: string; problem: ReadProblem }> {
  const r = await resolveInProject(baseDir, dir);
  if (!r.ok) return r;
  let dirents: Dirent[];
  try {
    dirents = await fs.readdir(r.real, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, abs: r.abs, problem: code === 'ENOTDIR' ? problem('not-a-folder', ref, r.abs, baseDir) : errnoProblem(e, ref, r.abs, baseDir) };
  }
  const entries: ProjectDirEntry[] = [];
  const problems: ReadProblem[] = [];
  const root = real(projectRoot(baseDir));
  for (const d of dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const abs = path.join(r.abs, d.name);
    const childRef = ref === '.' ? d.name : `${ref.replace(/\/$/, '')}/${d.name}`;
    if (d.isDirectory() || d.isFile()) {
      entries.push({ name: d.name, abs, real: path.join(r.real, d.name), kind: d.isDirectory() ? 'folder' : 'file', symlink: false });
      continue;
    }
    if (!d.isSymbolicLink()) continue; // sockets, fifos, devices: never documents
    let target: string;
    try {
      target = await fs.realpath(path.join(r.real, d.name));
    } catch (e) {
      const link = await fs.readlink(path.join(r.real, d.name)).catch(() => '');
      const outside = link !== '' && !inside(root, path.resolve(r.real, link));
      problems.push(outside ? problem('outside', childRef, abs, baseDir, 'symlink') : errnoProblem(e, childRef, abs, baseDir));
      continue;
    }
    if (!inside(root, target)) {
      problems.push(problem('outside', childRef, abs, baseDir, 'symlink'));
      continue;
    }
    try {
      const st = await fs.stat(target);
      if (st.isDirectory() || st.isFile()) entries.push({ name: d.name, abs, real: target, kind: st.isDirectory() ? 'folder' : 'file', symlink: true });
    } catch (e) {
      problems.push(errnoProblem(e, childRef, abs, baseDir));
    }
  }
  return { ok: true, real: r.real, entries, problems };
}
