// Minimal glob expansion for document patterns (Node 20 has no fs.glob): `**` (any folders), `*`, `?`,
// `{a,b}` alternatives and `[abc]` classes; patterns are relative to a base folder (absolute ones allowed).
// Dot-folders and node_modules are skipped unless the pattern names them. Folders are listed through the
// containment gate: symlinks inside the project are followed, those leading out of it are reported.

import * as path from 'node:path';
import { listProjectDir, resolveInProject } from '../paths';
import type { ReadProblem } from '../paths';

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

/**
 * Files matching the glob, as absolute paths, sorted. Only folders inside the project of `baseDir` are listed;
 * a folder or symlink the pattern reaches outside it is added to `skipped` (when given) instead of being read.
 */
export async function expandGlob(pattern: string, baseDir: string, skipped?: ReadProblem[]): Promise<string[]> {
  const normalized = pattern.replace(/\\/g, '/');
  const absolute = path.isAbsolute(normalized) || /^[A-Za-z]:\//.test(normalized);
  const root = absolute ? path.parse(normalized).root : baseDir;
  const rel = absolute ? normalized.slice(path.parse(normalized).root.length) : normalized.replace(/^\.\//, '');
  const matcher = globToRegExp(rel);
  const prefix = staticPrefix(rel);
  const start = path.join(root, prefix);
  const out: string[] = [];
  const wantsHidden = /(^|\/)\./.test(rel.replace(/^\.\.?\//, '').replace(/\.\.\//g, ''));
  const depthOf = (p: string) => p.split('/').length;
  // whether the pattern could match something below a folder at `relPath`
  const mayDescend = (relPath: string) => rel.includes('**') || depthOf(rel) > depthOf(relPath);
  const seen = new Set<string>();
  const refOf = (full: string) => path.relative(baseDir, full).split(path.sep).join('/') || '.';
  async function walk(dir: string, first: boolean): Promise<void> {
    const listing = await listProjectDir(baseDir, dir, refOf(dir));
    if (!listing.ok) {
      // a missing start folder just matches nothing; a folder outside the project is worth a warning
      if (listing.problem.kind === 'outside' || (!first && listing.problem.kind !== 'not-found')) skipped?.push(listing.problem);
      return;
    }
    if (seen.has(listing.real)) return; // a symlink loop
    seen.add(listing.real);
    for (const p of listing.problems) {
      const relPath = path.relative(root, p.abs).split(path.sep).join('/');
      if (matcher.test(relPath) || mayDescend(relPath)) skipped?.push(p);
    }
    for (const e of listing.entries) {
      const relPath = path.relative(root, e.abs).split(path.sep).join('/');
      if (e.kind === 'folder') {
        if ((e.name.startsWith('.') && !wantsHidden) || (e.name === 'node_modules' && !rel.includes('node_modules'))) continue;
        await walk(e.abs, false);
      } else if (matcher.test(relPath)) {
        out.push(e.abs);
      }
    }
  }
  // a plain file path (no wildcard)
  if (!/[*?{[]/.test(rel)) {
    const full = path.join(root, rel);
    const r = await resolveInProject(baseDir, refOf(full));
    if (!r.ok) {
      if (r.problem.kind === 'outside') skipped?.push(r.problem);
      return [];
    }
    return [full];
  }
  // relative patterns that climb (../docs/**) are matched against paths relative to the root as well
  await walk(start, true);
  return out.sort();
}
