// The store's file access: the one place that opens, writes, lists or removes anything under a `.promptladder/`
// folder (run records, the response cache, pending batches, and whatever else the tool keeps there). The store
// is ours alone: a cloned repository may ship `.promptladder/` with symlinks in it (a cache log linked to
// ~/.bashrc, the whole folder linked to ~/.ssh), and following one would make a run append model text to a file
// outside the project or read one into a record. So every folder from `.promptladder` down to the file must be
// a real folder (lstat, never a symlink), the file itself is opened with O_NOFOLLOW (a symlink fails to open)
// and O_NONBLOCK (a FIFO cannot hang the open), it must be a regular file once open (fstat), a file appended to
// in place must have one link (no hard link to a file elsewhere), and the folder's real path must be where its
// path says (realpath check). A path with no `.promptladder` folder above it (a cache folder a caller chose) gets
// the same checks for its own folder and file.

import { constants, promises as fs } from 'node:fs';
import type { Dirent, ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export const STORE_DIR = '.promptladder';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** A store path refused because a symlink (or something else than a plain folder or file) stands in the way. */
export class StoreRefusedError extends Error {
  readonly code = 'EPLSTORE';
  constructor(message: string) {
    super(message);
    this.name = 'StoreRefusedError';
  }
}

/** The nearest `.promptladder` folder at or above `p` (absolute), or undefined. */
export function storeTopOf(p: string): string | undefined {
  for (let d = path.resolve(p); ; d = path.dirname(d)) {
    if (path.basename(d) === STORE_DIR) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

function linkMessage(at: string): string {
  return path.basename(at) === STORE_DIR
    ? `${at} is a symbolic link: Prompt Ladder keeps runs and its cache only in a real .promptladder folder inside the project (remove the link; a new folder is made on the next run)`
    : `${at} is a symbolic link: Prompt Ladder never follows links inside .promptladder (remove it; it is made anew as a plain file or folder)`;
}

/** The folders from the store's top (or `dir` alone, outside a store) down to `dir`, top first. */
function chain(dir: string): string[] {
  const abs = path.resolve(dir);
  const top = storeTopOf(abs) ?? abs;
  const out = [abs];
  for (let d = abs; d !== top; d = path.dirname(d)) out.unshift(path.dirname(d));
  return out;
}

/**
 * Checks that each existing folder from the store's top down to `dir` is a real folder; returns whether `dir`
 * exists. Then the real path of `dir` must be the real path of the top's parent plus the path below it.
 */
async function checkDir(dir: string): Promise<boolean> {
  const folders = chain(dir);
  for (const d of folders) {
    let st;
    try {
      st = await fs.lstat(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    if (st.isSymbolicLink()) throw new StoreRefusedError(linkMessage(d));
    if (!st.isDirectory()) throw new StoreRefusedError(`${d} is not a folder: Prompt Ladder keeps its store in plain folders (remove it)`);
  }
  const top = folders[0];
  const expected = path.join(await fs.realpath(path.dirname(top)), path.relative(path.dirname(top), folders[folders.length - 1]));
  if ((await fs.realpath(folders[folders.length - 1])) !== expected) throw new StoreRefusedError(linkMessage(top));
  return true;
}

/** Makes `dir` and the store folders above it (each checked: never through a symlink). */
export async function ensureStoreDir(dir: string): Promise<void> {
  if (await checkDir(dir)) return;
  const folders = chain(dir);
  await fs.mkdir(path.dirname(folders[0]), { recursive: true });
  for (const d of folders) {
    try {
      await fs.mkdir(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  await checkDir(dir);
}

/**
 * What stands in a store's way before a run uses it: `fatal` when `.promptladder` (or its runs or batches folder)
 * is a symlink or not a folder (the run cannot keep its record), a warning when the cache folder is (the run goes
 * on without the cache, never writing through it), `warnings` for each entry in those
 * folders that is a symlink or not a plain file or folder (never read or written; the rest of the store works).
 */
export async function storeProblems(root: string): Promise<{ fatal?: string; warnings: string[] }> {
  const warnings: string[] = [];
  for (const sub of ['runs', 'cache', 'batches']) {
    const dir = path.join(root, STORE_DIR, sub);
    let entries: Dirent[];
    try {
      entries = await readStoreDir(dir);
    } catch (e) {
      // the cache is optional: a run without it still keeps its record (its writes fail and are reported)
      if (e instanceof StoreRefusedError && sub === 'cache') warnings.push(`warning: ${e.message}; answers of this run are not cached`);
      else if (e instanceof StoreRefusedError) return { fatal: e.message, warnings };
      continue; // not made yet
    }
    for (const d of entries) {
      if (d.isSymbolicLink()) warnings.push(`warning: ${linkMessage(path.join(dir, d.name))}`);
      else if (!d.isFile() && !d.isDirectory()) warnings.push(`warning: ${path.join(dir, d.name)} is not a plain file: Prompt Ladder does not read or write it (remove it)`);
    }
  }
  return { warnings };
}

/** Opens a file in a store folder without following a symlink; it must be a regular file. */
async function openChecked(file: string, flags: number, inPlaceWrite: boolean): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await fs.open(file, flags | NOFOLLOW | NONBLOCK, 0o666);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // O_NOFOLLOW on a symlink fails with ELOOP (EMLINK on some BSDs)
    if (code === 'ELOOP' || code === 'EMLINK') throw new StoreRefusedError(linkMessage(file));
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new StoreRefusedError(`${file} is not a regular file: Prompt Ladder reads and writes only plain files in its store (remove it)`);
    if (inPlaceWrite && st.nlink > 1) throw new StoreRefusedError(`${file} has other hard links: Prompt Ladder never writes through a link to another file (remove it)`);
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Reads a store file (whole). */
export async function readStoreFile(file: string): Promise<string>;
export async function readStoreFile(file: string, encoding: 'binary'): Promise<Buffer>;
export async function readStoreFile(file: string, encoding: 'utf8' | 'binary' = 'utf8'): Promise<string | Buffer> {
  if (!(await checkDir(path.dirname(file)))) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
  const fh = await openChecked(file, constants.O_RDONLY, false);
  try {
    return encoding === 'utf8' ? await fh.readFile('utf8') : await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** A read stream over a store file (its bytes `start`..`end` inclusive, if given); the stream closes the file. */
export async function storeReadStream(file: string, opts: { start?: number; end?: number } = {}): Promise<ReadStream> {
  if (!(await checkDir(path.dirname(file)))) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
  const fh = await openChecked(file, constants.O_RDONLY, false);
  return fh.createReadStream({ encoding: 'utf8', autoClose: true, ...opts });
}

/** The size of a store file and its last byte (undefined when empty). */
export async function storeFileTail(file: string): Promise<{ size: number; last?: number }> {
  await checkDir(path.dirname(file));
  const fh = await openChecked(file, constants.O_RDONLY, false);
  try {
    const { size } = await fh.stat();
    if (size === 0) return { size };
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return { size, last: b[0] };
  } finally {
    await fh.close();
  }
}

/** Appends text to a store file, making it (and its folders) if needed. */
export async function appendStoreFile(file: string, data: string): Promise<void> {
  await (await storeFolder(path.dirname(file))).append(path.basename(file), data);
}

/** A store folder checked (and made) once, for a burst of appends to files directly in it. */
export interface StoreFolder {
  /** Appends text to the file `name` in this folder as `appendStoreFile` does, without checking the folder again. */
  append(name: string, data: string): Promise<void>;
}

/**
 * Checks (and makes) `dir` once for several appends that follow at once: the folder chain is checked here, each
 * file is still opened without following a link and must be a regular file with one link. Use it for one burst
 * and then drop it, so a folder removed or replaced later is checked (and made) again by the next burst.
 */
export async function storeFolder(dir: string): Promise<StoreFolder> {
  await ensureStoreDir(dir);
  return {
    async append(name: string, data: string): Promise<void> {
      if (name !== path.basename(name) || name === '.' || name === '..') throw new StoreRefusedError(`${name} is not a file name in ${dir}`);
      const fh = await openChecked(path.join(dir, name), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, true);
      try {
        await fh.writeFile(data, 'utf8');
      } finally {
        await fh.close();
      }
    },
  };
}

/** Writes a store file so readers never see half of it: a new temp file beside it, then a rename over it. */
export async function writeStoreFileAtomic(file: string, text: string): Promise<void> {
  await ensureStoreDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // O_EXCL: the temp name must be new (never an existing link); the rename replaces a link at `file`, never follows it
    const fh = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o666);
    try {
      await fh.writeFile(text, 'utf8');
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** The entries of a store folder (with their types, as lstat sees them: a symlink is a symlink). */
export async function readStoreDir(dir: string): Promise<Dirent[]> {
  if (!(await checkDir(dir))) throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${dir}'`), { code: 'ENOENT' });
  return fs.readdir(dir, { withFileTypes: true });
}

/** lstat of a store file (a symlink is reported as one, never followed). */
export async function statStoreFile(file: string): Promise<import('node:fs').Stats> {
  await checkDir(path.dirname(file));
  return fs.lstat(file);
}

/** Removes a store file or folder (a symlink is removed itself, never what it points to). */
export async function removeStoreEntry(target: string, opts: { recursive?: boolean } = {}): Promise<void> {
  if (!(await checkDir(path.dirname(target)))) return;
  await fs.rm(target, { force: true, recursive: opts.recursive ?? false });
}

/** Whether a path lies under a `.promptladder` folder (then writes to it go through this module). */
export function isStorePath(p: string): boolean {
  return storeTopOf(path.dirname(path.resolve(p))) !== undefined;
}
