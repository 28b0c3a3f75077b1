// Every relative link in README.md, CHANGELOG.md and docs/**/*.md points at a file of the repository, and
// every #anchor at a heading of its page (GitHub's slugs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

export interface Link {
  /** Repository-relative path of the page the link is in. */
  from: string;
  line: number;
  target: string;
}

function markdownPages(): string[] {
  const docs = path.join(root, 'docs');
  const found = ['README.md', 'CHANGELOG.md'].filter((f) => existsSync(path.join(root, f)));
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.md')) found.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  if (existsSync(docs)) walk(docs);
  return found;
}

/**
 * The lines of a page outside fenced code blocks. Inline code spans are blanked (a link there is not a link),
 * or, with `keepCode`, kept without their backticks (a heading's text includes them).
 */
function proseLines(text: string, keepCode = false): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const opener = /^\s*(```+|~~~+)/.exec(raw);
    if (opener) {
      if (!fence) fence = opener[1];
      else if (raw.trim().startsWith(fence)) fence = undefined;
      return;
    }
    if (!fence) out.push({ line: i + 1, text: raw.replace(/(`+)([^`]*?)\1/g, keepCode ? '$2' : '') });
  });
  return out;
}

export function linksIn(from: string, text: string): Link[] {
  const links: Link[] = [];
  for (const { line, text: l } of proseLines(text)) {
    for (const m of l.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ from, line, target: m[1] });
    const ref = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(l);
    if (ref) links.push({ from, line, target: ref[1] });
  }
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text: l } of proseLines(text, true)) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (h) {
      const plain = h[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*~]/g, '');
      const slug = plain.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      anchors.add(n ? `${slug}-${n}` : slug);
    }
    for (const a of l.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(a[1]);
  }
  return anchors;
}

type Resolved = { kind: 'external' } | { kind: 'ok' } | { kind: 'broken'; why: string };

export function resolveLink(link: Link, read: (repoPath: string) => string | undefined): Resolved {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return { kind: 'external' };
  const [rawPath, fragment] = link.target.split('#', 2);
  const target = rawPath ? path.posix.normalize(path.posix.join(path.posix.dirname(link.from), decodeURI(rawPath))) : link.from;
  if (target.startsWith('..')) return { kind: 'broken', why: `${target} is outside the repository` };
  const full = path.join(root, target);
  if (!existsSync(full)) return { kind: 'broken', why: `${target} does not exist` };
  if (fragment && target.endsWith('.md')) {
    const anchors = anchorsOf(read(target) ?? '');
    if (!anchors.has(fragment)) return { kind: 'broken', why: `${target} has no heading for #${fragment}` };
  }
  return { kind: 'ok' };
}

const pages = markdownPages();
const cache = new Map<string, string>();
const read = (p: string): string | undefined => {
  if (!cache.has(p)) cache.set(p, readFileSync(path.join(root, p), 'utf8'));
  return cache.get(p);
};
const results = pages.flatMap((page) => linksIn(page, read(page) ?? '').map((link) => ({ link, r: resolveLink(link, read) })));
const where = (l: Link) => `${l.from}:${l.line} → ${l.target}`;

test('every relative link in README.md and docs/ points at an existing file and heading', () => {
  assert.ok(pages.includes('README.md') && pages.length > 5, `pages found: ${pages.join(', ')}`);
  assert.ok(results.length > 50, `only ${results.length} links found: the link parser is broken`);
  const broken = results.flatMap(({ link, r }) => (r.kind === 'broken' ? [`${where(link)}: ${r.why}`] : []));
  assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`);
});
