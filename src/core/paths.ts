// Where files named in a prompt file may come from. A prompt file is workspace content (a cloned repo can hold
// anything), so the eval sets, examples, schemas and documents it names must live inside its project: the
// nearest folder above it holding .git, package.json or .promptladder (else the prompt file's own folder).
// Otherwise a repo could make the tool read ~/.ssh or /etc and send it to the model or into a run record.

import { existsSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

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

/** Whether `target` (absolute) lies inside the project of `baseDir`, following symlinks. */
export function isInsideProject(baseDir: string, target: string): boolean {
  const root = real(projectRoot(baseDir));
  const rel = path.relative(root, real(target));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The message for a path that leaves the project. */
export function outsideProjectMessage(ref: string, baseDir: string): string {
  return `${ref} is outside this project (${projectRoot(baseDir)}): files named in a prompt file must live inside its project`;
}
