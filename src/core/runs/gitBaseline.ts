// A prompt file's project as it was at a git commit, for `eval --baseline <git ref>`: every tracked file of the
// project (its eval sets, examples, schemas, documents) is read with git itself (ls-tree, then cat-file --batch,
// the batch form of `git show <commit>:<path>`) into a fresh temporary folder, never into the user's tree.
// Symlinks and submodules are not copied; the copy is marked as a project (.promptladder) so the containment
// gate stops at the copy's root.

import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Files larger than this are left out of the copy (a baseline needs prompts and eval sets, not assets). */
const MAX_FILE_BYTES = 50 * 1024 * 1024;
const MAX_TOTAL_BYTES = 500 * 1024 * 1024;

export interface GitCheckout {
  /** The full commit id the ref named. */
  commit: string;
  /** The copy of the project. */
  root: string;
  /** The prompt file in the copy; undefined when it did not exist at that commit. */
  promptFile?: string;
  dispose(): Promise<void>;
}

function git(cwd: string, args: string[], input?: string): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err.trim() }));
    if (child.stdin) {
      // git may exit before reading all of its input (a bad object): its exit code says so, not an EPIPE
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

/** The commit `ref` names in the repository holding `dir`, or undefined when it names none (or there is no git). */
export async function resolveCommit(dir: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) return undefined;
  try {
    const r = await git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    return r.code === 0 ? r.stdout.toString().trim() : undefined;
  } catch {
    return undefined;
  }
}

interface TreeEntry {
  mode: string;
  hash: string;
  size: number;
  /** Relative to the project root. */
  rel: string;
}

async function projectEntries(top: string, commit: string, projectRel: string): Promise<TreeEntry[]> {
  const spec = projectRel ? [projectRel] : [];
  const r = await git(top, ['ls-tree', '-r', '-z', '--long', '--full-tree', commit, '--', ...spec]);
  if (r.code !== 0) throw new Error(`git ls-tree failed: ${r.stderr}`);
  const entries: TreeEntry[] = [];
  for (const line of r.stdout.toString('utf8').split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\s+(-|\d+)\t(.*)$/s.exec(line);
    if (!m || m[2] !== 'blob' || m[1] === '120000') continue;
    const rel = projectRel ? path.posix.relative(projectRel, m[5]) : m[5];
    if (rel.startsWith('..') || rel.split('/').includes('.promptladder')) continue;
    entries.push({ mode: m[1], hash: m[3], size: Number(m[4]), rel });
  }
  return entries;
}

/** Reads the blobs through one `git cat-file --batch` and writes them under `dest`. */
async function writeBlobs(top: string, entries: TreeEntry[], dest: string): Promise<void> {
  if (entries.length === 0) return;
  const r = await git(top, ['cat-file', '--batch'], entries.map((e) => e.hash).join('\n') + '\n');
  if (r.code !== 0) throw new Error(`git cat-file failed: ${r.stderr}`);
  let at = 0;
  for (const e of entries) {
    const nl = r.stdout.indexOf(0x0a, at);
    const header = r.stdout.subarray(at, nl).toString();
    const size = Number(header.split(' ')[2]);
    if (!header.startsWith(e.hash) || !Number.isFinite(size)) throw new Error(`git cat-file: unexpected answer "${header}"`);
    const body = r.stdout.subarray(nl + 1, nl + 1 + size);
    at = nl + 1 + size + 1;
    const file = path.join(dest, ...e.rel.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, body);
  }
}

/**
 * Copies the project holding `promptFile` (its folder `projectDir`) as it was at `commit` into a new temporary
 * folder. The caller disposes of it.
 */
export async function checkoutProjectAt(promptFile: string, projectDir: string, commit: string): Promise<GitCheckout> {
  const top = (await git(projectDir, ['rev-parse', '--show-toplevel'])).stdout.toString().trim();
  if (!top) throw new Error(`${projectDir} is not inside a git repository`);
  const realTop = await fs.realpath(top);
  const realProject = await fs.realpath(projectDir);
  const projectRel = path.relative(realTop, realProject).split(path.sep).join('/');
  const all = await projectEntries(realTop, commit, projectRel);
  const entries = all.filter((e) => e.size <= MAX_FILE_BYTES);
  const total = entries.reduce((s, e) => s + e.size, 0);
  if (total > MAX_TOTAL_BYTES) throw new Error(`the project holds ${Math.round(total / 1048576)} MB at ${commit.slice(0, 8)}, above the ${MAX_TOTAL_BYTES / 1048576} MB a baseline copies`);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'prompt-ladder-baseline-'));
  const dispose = () => fs.rm(root, { recursive: true, force: true });
  try {
    await writeBlobs(realTop, entries, root);
    await fs.mkdir(path.join(root, '.promptladder'), { recursive: true });
    const rel = path.relative(realProject, await fs.realpath(promptFile));
    const copy = path.join(root, rel);
    const exists = await fs.stat(copy).then(
      (s) => s.isFile(),
      () => false,
    );
    return { commit, root, ...(exists ? { promptFile: copy } : {}), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
