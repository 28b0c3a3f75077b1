// The `promptLadder.files` setting: glob patterns that make other YAML files prompt files in the editor.
// Pure functions (no `vscode`), unit-tested under plain Node: validating the setting's value, matching a
// workspace-relative path, and writing a file's own path as a pattern that matches only that file.

export const FILES_SETTING = 'promptLadder.files';
/** What the editor recognises without the setting. */
export const DEFAULT_NAMES = '*.prompt.yml, *.prompt.yaml and *.prompty';
/** Only these files can be made prompt files by a pattern (the `.prompty` names already are). */
export const YAML_FILE_RE = /\.ya?ml$/i;

export interface PromptFileGlobs {
  /** Valid patterns, as written. */
  patterns: string[];
  /** One message per ignored value or entry, naming the setting. */
  problems: string[];
}

/**
 * Validates the setting's value: a list of non-empty glob strings, relative to the workspace folder. A value
 * that is not a list is ignored as a whole (the default names still apply); a bad entry is ignored on its own.
 */
export function parsePromptFileGlobs(raw: unknown): PromptFileGlobs {
  if (raw === undefined || raw === null) return { patterns: [], problems: [] };
  if (!Array.isArray(raw)) {
    const shown = typeof raw === 'string' ? `"${raw}"` : JSON.stringify(raw) ?? String(raw);
    return {
      patterns: [],
      problems: [
        `Setting ${FILES_SETTING} must be a list of glob patterns such as ["prompts/**/*.yml"], not ${shown}; only the default names (${DEFAULT_NAMES}) are prompt files.`,
      ],
    };
  }
  const patterns: string[] = [];
  const problems: string[] = [];
  raw.forEach((entry: unknown, i) => {
    const where = `Setting ${FILES_SETTING}[${i}]`;
    if (typeof entry !== 'string' || !entry.trim()) {
      problems.push(`${where} must be a non-empty glob pattern string, not ${JSON.stringify(entry) ?? String(entry)}; ignored.`);
      return;
    }
    const p = entry.trim();
    const why = globProblem(p);
    if (why) {
      problems.push(`${where} "${p}": ${why}; ignored.`);
      return;
    }
    patterns.push(p);
  });
  return { patterns, problems };
}

function globProblem(p: string): string | undefined {
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return 'patterns are relative to the workspace folder, not absolute paths';
  if (p.includes('\\')) return 'use forward slashes (/) in patterns';
  if (p.split('/').includes('..')) return 'a pattern cannot leave the workspace folder (..)';
  let braces = 0;
  let inClass = false;
  for (const ch of p) {
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '{') braces++;
    else if (ch === '}' && --braces < 0) return 'unbalanced "}"';
  }
  if (inClass) return 'unclosed "["';
  if (braces > 0) return 'unclosed "{"';
  return undefined;
}

const cache = new Map<string, RegExp>();

/**
 * The regular expression of a glob: `**` any number of folders, `*` and `?` within one path segment,
 * `{a,b}` alternatives, `[abc]`/`[!abc]` classes. A pattern without `/` matches a file name in any folder.
 */
export function globToRegExp(glob: string, ignoreCase = process.platform === 'win32'): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}:${glob}`;
  let re = cache.get(key);
  if (!re) {
    const full = glob.includes('/') ? glob.replace(/^\.\//, '') : `**/${glob}`;
    re = new RegExp(`^${translate(full)}$`, ignoreCase ? 'i' : '');
    cache.set(key, re);
  }
  return re;
}

function translate(g: string): string {
  let out = '';
  let i = 0;
  while (i < g.length) {
    const ch = g[i];
    if (ch === '*') {
      if (g[i + 1] === '*') {
        // `**/` any folders (also none); a trailing `**` anything below.
        const atStart = i === 0 || g[i - 1] === '/';
        if (atStart && g[i + 2] === '/') {
          out += '(?:[^/]+/)*';
          i += 3;
          continue;
        }
        if (atStart && i + 2 === g.length) {
          out += '.*';
          i += 2;
          continue;
        }
        out += '[^/]*';
        i += 2;
        continue;
      }
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = g.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
      } else {
        let body = g.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end + 1;
        continue;
      }
    } else if (ch === '{') {
      const end = matchingBrace(g, i);
      const alts = splitTopLevel(g.slice(i + 1, end));
      out += `(?:${alts.map(translate).join('|')})`;
      i = end + 1;
      continue;
    } else {
      out += ch.replace(/[.+^$()|\\]/g, '\\$&');
    }
    i++;
  }
  return out;
}

function matchingBrace(g: string, open: number): number {
  let depth = 0;
  for (let i = open; i < g.length; i++) {
    if (g[i] === '{') depth++;
    else if (g[i] === '}' && --depth === 0) return i;
  }
  return g.length - 1;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** The first pattern a workspace-relative path (forward slashes) matches, if any. Only YAML files match. */
export function matchingGlob(relPath: string, patterns: readonly string[]): string | undefined {
  if (!YAML_FILE_RE.test(relPath) || relPath.startsWith('../')) return undefined;
  return patterns.find((p) => globToRegExp(p).test(relPath));
}

/** A pattern matching exactly this relative path: glob characters are written as one-character classes. */
export function globForPath(relPath: string): string {
  return relPath.replace(/[*?[\]{}]/g, (c) => `[${c}]`);
}
