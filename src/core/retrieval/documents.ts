// Loads the documents a `retrieval.documents` glob names: Markdown and plain text as they are, HTML with
// its tags stripped, PDF (via the optional `unpdf` package) and DOCX (via the optional `mammoth` package),
// both loaded lazily so they cost nothing unless such a file is in the corpus. Every file is read through the
// containment gate; documents or folders outside the project (symlinks included) are skipped, named.

import * as path from 'node:path';
import { expandGlob } from './glob';
import { readProjectFile } from '../paths';
import { dynamicImport } from '../dynamicImport';
import type { ReadProblem } from '../paths';

export interface SourceDocument {
  /** Path relative to the base folder, with '/' separators. */
  source: string;
  text: string;
}

export interface LoadResult {
  documents: SourceDocument[];
  /** Files that matched but could not be read (message per file). */
  skipped: { source: string; reason: string }[];
}

const TEXT_EXT = new Set(['.md', '.markdown', '.mdx', '.txt', '.text', '.rst', '.adoc', '.csv', '.tsv', '.json', '.jsonl', '.yml', '.yaml', '.xml']);
const HTML_EXT = new Set(['.html', '.htm', '.xhtml']);

export async function loadDocuments(globs: string[], baseDir: string): Promise<LoadResult> {
  const files = new Set<string>();
  const refused: ReadProblem[] = [];
  for (const g of globs) for (const f of await expandGlob(g, baseDir, refused)) files.add(f);
  const documents: SourceDocument[] = [];
  const skipped: LoadResult['skipped'] = [];
  const seen = new Set<string>();
  for (const p of refused) {
    const source = path.relative(baseDir, p.abs).split(path.sep).join('/');
    if (!seen.has(source)) skipped.push({ source, reason: p.message });
    seen.add(source);
  }
  for (const file of [...files].sort()) {
    const source = path.relative(baseDir, file).split(path.sep).join('/');
    try {
      const text = await readDocument(baseDir, source);
      if (text === undefined) {
        skipped.push({ source, reason: `unsupported file type '${path.extname(file) || '(none)'}'` });
      } else if (text.trim()) {
        documents.push({ source, text });
      }
    } catch (e) {
      skipped.push({ source, reason: (e as Error).message });
    }
  }
  return { documents, skipped };
}

/**
 * Text of one document (`ref` relative to `baseDir`, read through the containment gate), or undefined for a
 * file type we do not read. Throws with the reason when the file cannot be read.
 */
export async function readDocument(baseDir: string, ref: string): Promise<string | undefined> {
  const ext = path.extname(ref).toLowerCase();
  const known = TEXT_EXT.has(ext) || HTML_EXT.has(ext) || ext === '.pdf' || ext === '.docx';
  if (!known) return undefined;
  if (TEXT_EXT.has(ext) || HTML_EXT.has(ext)) {
    const r = await readProjectFile(baseDir, ref);
    if (!r.ok) throw new Error(r.problem.message);
    return HTML_EXT.has(ext) ? htmlToText(r.content) : r.content;
  }
  const r = await readProjectFile(baseDir, ref, { encoding: 'binary' });
  if (!r.ok) throw new Error(r.problem.message);
  return ext === '.pdf' ? readPdf(r.content) : readDocx(r.content);
}

/** Visible text of an HTML page: scripts, styles and comments dropped, block tags become line breaks, entities decoded. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<(script|style|noscript|template|svg|head)\b[\s\S]*?<\/\1\s*>/gi, '')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/?(p|div|section|article|header|footer|li|ul|ol|h[1-6]|tr|table|blockquote|pre|dd|dt|main|nav|aside)\b[^>]*>/gi, '\n\n')
      .replace(/<[^>]+>/g, ''),
  )
    .replace(/[ \t\f\v]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function decodeEntities(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…', copy: '©' };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
    }
    return named[code.toLowerCase()] ?? m;
  });
}

// Optional dependencies: imported by a computed name so bundlers leave them out unless installed.
async function optionalImport<T>(name: string): Promise<T> {
  try {
    return (await dynamicImport(name)) as T;
  } catch {
    throw new Error(`reading this file type needs the '${name}' package (npm install ${name})`);
  }
}

async function readPdf(data: Uint8Array): Promise<string> {
  const unpdf = await optionalImport<typeof import('unpdf')>('unpdf');
  const pdf = await unpdf.getDocumentProxy(data);
  const { text } = await unpdf.extractText(pdf, { mergePages: false });
  return (Array.isArray(text) ? text : [text]).join('\n\n');
}

type Mammoth = typeof import('mammoth');

async function readDocx(data: Uint8Array): Promise<string> {
  const mammoth = await optionalImport<Partial<Mammoth> & { default?: Mammoth }>('mammoth');
  // as an ES module import, mammoth's CommonJS exports may sit under `default`
  const m = (mammoth.extractRawText ? mammoth : mammoth.default) as Mammoth;
  const { value } = await m.extractRawText({ buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
  return value as string;
}
