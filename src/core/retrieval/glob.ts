// Minimal glob expansion for document patterns (Node 20 has no fs.glob): `**` (any folders), `*`, `?`,
// `{a,b}` alternatives and `[abc]` classes; patterns are relative to a base folder (absolute ones allowed).
// Dot-folders and node_modules are skipped unless the pattern names them.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Converts a glob (with '/' separators) into an anchored RegExp over '/'-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let braces = 0;
  while (i < glob.length) {
    const ch = glob[i];
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        // '**/' matches zero or more folders; a trailing '**' matches everything below
        if (glob[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 3;
        } else {
          re += '.*';
          i += 2;
        }
      } else {
        re += '[^/]*';
        i++;
      }
    } else if (ch === '?') {
      re += '[^/]';
      i++;
    } else if (ch === '{') {
      braces++;
      re += '(?:';
      i++;
    } else if (ch === '}' && braces > 0) {
      braces--;
      re += ')';
      i++;
    } else if (ch === ',' && braces > 0) {
      re += '|';
      i++;
    } else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        i++;
      } else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end + 1;
      }
    } else {
      re += /[.+^$()|\\]/.test(ch) ? `\\${ch}` : ch;
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

/** The folder part of a glob before its first wildcard segment. */
function staticPrefix(glob: string): string {
  const parts = glob.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (/[*?{[]/.test(p)) break;
    out.push(p);
  }
  // the last static part may be a file name
  return out.length === parts.length ? out.slice(0, -1).join('/') : out.join('/');
}

/** Files matching the glob, as absolute paths, sorted. */
export async function expandGlob(pattern: string, baseDir: string): Promise<string[]> {
  const normalized = pattern.replace(/\\/g, '/');
  const absolute = path.isAbsolute(normalized) || /^[A-Za-z]:\//.test(normalized);
  const root = absolute ? path.parse(normalized).root : baseDir;
  const rel = absolute ? normalized.slice(path.parse(normalized).root.length) : normalized.replace(/^\.\//, '');
  const matcher = globToRegExp(rel);
  const prefix = staticPrefix(rel);
  const start = path.join(root, prefix);
  const out: string[] = [];
  const wantsHidden = /(^|\/)\./.test(rel.replace(/^\.\.?\//, '').replace(/\.\.\//g, ''));
  async function walk(dir: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const relPath = path.relative(root, full).split(path.sep).join('/');
      if (e.isDirectory()) {
        if ((e.name.startsWith('.') && !wantsHidden) || (e.name === 'node_modules' && !rel.includes('node_modules'))) continue;
        await walk(full);
      } else if (e.isFile() && matcher.test(relPath)) {
        out.push(full);
      }
    }
  }
  // a plain file path (no wildcard)
  if (!/[*?{[]/.test(rel)) {
    const full = path.join(root, rel);
    try {
      if ((await fs.stat(full)).isFile()) return [full];
    } catch {
      return [];
    }
  }
  // relative patterns that climb (../docs/**) are matched against paths relative to the root as well
  await walk(start);
  return out.sort();
}
