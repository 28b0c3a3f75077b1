// Faults of the machine, said in one line: a write that failed (disk full, read-only, no permission, I/O
// error) names its path and cause; results that could not go where they belong go to the OS temp folder;
// damage found in the store (cache logs, run records) is counted and reported once.

import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
};

/** The cause of a file-system error in words, with its code: "no space left on device (ENOSPC)". */
export function describeIoError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && CAUSES[code]) return `${CAUSES[code]} (${code})`;
  const message = err instanceof Error ? err.message : String(err);
  // Node's messages repeat the syscall and path ("ENOSPC: no space left on device, write"): keep the cause
  return code ? `${message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '').replace(/, \w+$/, '')} (${code})` : message;
}

/** "cannot write PATH: CAUSE". */
export function writeProblem(file: string, err: unknown): string {
  return `cannot write ${file}: ${describeIoError(err)}`;
}

/** Where results go that could not be written where they belong: `<OS temp>/prompt-ladder`. */
export function rescueDir(): string {
  return path.join(os.tmpdir(), 'prompt-ladder');
}

/**
 * Writes text into the rescue folder under `name` (made unique); returns its path, or undefined when that
 * fails too.
 */
export async function writeRescue(name: string, text: string): Promise<string | undefined> {
  const dir = rescueDir();
  const file = path.join(dir, `${Date.now().toString(36)}-${process.pid}-${path.basename(name)}`);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.writeFile(file, text, { encoding: 'utf8', mode: 0o600 });
    return file;
  } catch {
    await fs.rm(file, { force: true }).catch(() => undefined);
    return undefined;
  }
}

/** Damage found in the store during one run, reported once at its end. */
export class StoreDamage {
  private readonly found = new Map<string, { what: string; where: string; count: number }>();

  /** Counts `count` damaged `what` (e.g. "damaged cache line") in `where` (a file or folder). */
  add(what: string, where: string, count = 1): void {
    if (count <= 0) return;
    const key = `${what}\u0000${where}`;
    const entry = this.found.get(key);
    if (entry) entry.count += count;
    else this.found.set(key, { what, where, count });
  }

  get empty(): boolean {
    return this.found.size === 0;
  }

  /** "skipped 3 damaged cache lines in …, 1 unreadable run record in …", or undefined when nothing was found. */
  summary(relative: (file: string) => string = (f) => f): string | undefined {
    if (this.found.size === 0) return undefined;
    const parts = [...this.found.values()].map((e) => `${e.count} ${e.what}${e.count === 1 ? '' : 's'} in ${relative(e.where)}`);
    return `skipped ${parts.join(', ')}`;
  }
}

/**
 * `mkdir -p` whose error names the real cause: a recursive mkdir under a read-only or full folder may report
 * ENOENT; the first missing folder is then made on its own, which fails with EROFS, EACCES or ENOSPC.
 */
export async function makeDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // from the top down, each folder on its own: the first that cannot be made says why
    const chain: string[] = [];
    for (let d = path.resolve(dir); path.dirname(d) !== d; d = path.dirname(d)) chain.unshift(d);
    for (const d of chain) {
      await fs.mkdir(d).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
    }
    throw err;
  }
}

/** A fault of the machine the user must hear about in one line (no stack): the message says what and where. */
export class FaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultError';
  }
}
