// Where generated cases go, and the text that appends them without touching a byte of what is there: JSONL lines,
// CSV rows under the existing header, YAML list items, or items of the prompt file's inline `testData` (and a
// proposed evaluator under `evaluators`). Every edit is an insertion of whole lines at one offset of the current text.

import * as path from 'node:path';
import { Document, parseDocument, isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { csv } from '../lazy/load';
import { rowsFormat, casesFromText } from '../cases/files';
import { readProjectFile } from '../paths';
import { GenerationError } from './client';

export type TargetFormat = 'jsonl' | 'csv' | 'yaml' | 'inline';

export interface EvalSetTarget {
  /** Absolute path of the file the cases are appended to. */
  file: string;
  format: TargetFormat;
  /** Whether the file exists (a new JSONL/CSV/YAML file is created with the cases). */
  exists: boolean;
  /** Its current text ('' for a new file). */
  text: string;
  /** For `inline`: the prompt file is a .prompty (edit its front matter). */
  prompty: boolean;
  /** Why this file: 'out' (named by the user), 'testFile', 'sibling' (NAME.cases.jsonl) or 'inline'. */
  reason: 'out' | 'testFile' | 'sibling' | 'inline';
  /** CSV: the header's columns (empty for a new file). */
  columns?: string[];
}

/** One insertion into a file's current text. */
export interface TextInsertion {
  file: string;
  /** Offset in the current text, and the same place as a 0-based line and column (for editor edits). */
  offset: number;
  line: number;
  character: number;
  text: string;
  /** The file does not exist yet: create it with `text`. */
  create: boolean;
}

const FRONT_MATTER = /^(---[^\S\r\n]*\r?\n)([\s\S]*?\r?\n)(---[^\S\r\n]*(?:\r?\n|$)[\s\S]*)$/;

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function withEol(s: string, eol: string): string {
  return eol === '\n' ? s : s.replace(/\r?\n/g, eol);
}

function position(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, character: offset - start };
}

function insertion(file: string, text: string, offset: number, insert: string, create = false): TextInsertion {
  return { file, offset, ...position(text, offset), text: insert, create };
}

/** The YAML part of a prompt file (all of a .prompt.yml, the front matter of a .prompty) and where it starts. */
function yamlPart(text: string, prompty: boolean, file: string): { yaml: string; start: number } {
  if (!prompty) return { yaml: text, start: 0 };
  const m = FRONT_MATTER.exec(text);
  if (!m) throw new GenerationError(`${path.basename(file)}: the .prompty file has no YAML front matter (between --- lines)`, 'usage');
  return { yaml: m[2], start: m[1].length };
}

function promptRoot(text: string, prompty: boolean, file: string): { root: YAMLMap; yaml: string; start: number } {
  const { yaml, start } = yamlPart(text, prompty, file);
  const doc = parseDocument(yaml);
  if (doc.errors.length || !isMap(doc.contents)) throw new GenerationError(`${path.basename(file)}: not a valid prompt file (fix it first)`, 'usage');
  return { root: doc.contents, yaml, start };
}

/** An eval set's text through the containment gate (it must live in the prompt's project); undefined when missing. */
export async function readEvalSet(promptDir: string, file: string): Promise<string | undefined> {
  const r = await readProjectFile(promptDir, file);
  if (r.ok) return r.content;
  if (r.problem.kind === 'not-found') return undefined;
  throw new GenerationError(r.problem.message, 'usage');
}

async function fileTarget(promptDir: string, file: string, reason: EvalSetTarget['reason']): Promise<EvalSetTarget> {
  const format = rowsFormat(file);
  if (!format) throw new GenerationError(`${path.basename(file)}: unknown eval set format; use .jsonl, .csv or .yaml`, 'usage');
  if (file.toLowerCase().endsWith('.json')) {
    throw new GenerationError(`${path.basename(file)}: cases cannot be appended to a JSON array without rewriting its last line; use a .jsonl or .yaml eval set`, 'usage');
  }
  const text = await readEvalSet(promptDir, file);
  const target: EvalSetTarget = { file, format, exists: text !== undefined, text: text ?? '', prompty: false, reason };
  if (format === 'csv' && text && text.trim()) {
    const records = csv().parseCsv(text.replace(/\r\n?/g, '\n'), { bom: true, to: 1, relax_column_count: true, skip_empty_lines: true }) as string[][];
    target.columns = (records[0] ?? []).map((h) => h.trim());
  }
  return target;
}

/**
 * The eval set to append to: `out` when given (the prompt file itself means inline `testData`), else the prompt's
 * first `testFile`, else (for .prompty) its sibling NAME.cases.jsonl, else the inline `testData` of the prompt file.
 */
export async function chooseTarget(promptFile: string, promptText: string, out?: string): Promise<EvalSetTarget> {
  const prompty = promptFile.toLowerCase().endsWith('.prompty');
  const inline: EvalSetTarget = { file: promptFile, format: 'inline', exists: true, text: promptText, prompty, reason: 'inline' };
  const dir = path.dirname(promptFile);
  if (out) {
    const abs = path.resolve(out);
    if (abs === promptFile) return inline;
    return fileTarget(dir, abs, 'out');
  }
  const { root } = promptRoot(promptText, prompty, promptFile);
  const tf: unknown = root.toJSON().testFile;
  const first = typeof tf === 'string' ? tf : Array.isArray(tf) && typeof tf[0] === 'string' ? tf[0] : undefined;
  if (first) return fileTarget(dir, path.resolve(dir, first), 'testFile');
  if (prompty && !root.has('testData')) {
    return fileTarget(dir, path.join(dir, `${path.basename(promptFile).replace(/\.prompty$/i, '')}.cases.jsonl`), 'sibling');
  }
  return inline;
}

/** Checks, before any model call, that the target can hold cases with these columns. Returns warnings. */
export function checkTarget(target: EvalSetTarget, vars: readonly string[], withExpected: boolean, provenanceKeys: readonly string[]): string[] {
  const name = path.basename(target.file);
  if (target.format === 'csv' && target.columns?.length) {
    const missing = vars.filter((v) => !target.columns?.includes(v));
    if (missing.length) throw new GenerationError(`${name}: the CSV header has no column for ${missing.map((m) => `"${m}"`).join(', ')}; add it, or use --out with another file`, 'usage');
    if (withExpected && !target.columns.includes('expected')) throw new GenerationError(`${name}: the CSV header has no "expected" column for the groundtruth; add it, or generate without a groundtruth model`, 'usage');
    const lost = provenanceKeys.filter((k) => !target.columns?.includes(k));
    if (lost.length) return [`${name}: the CSV header has no ${lost.map((k) => `"${k}"`).join(' or ')} column, so that provenance is not recorded (add the column to keep it)`];
  }
  if (target.format === 'yaml' && target.text.trim()) {
    const doc = parseDocument(target.text);
    if (doc.errors.length) throw new GenerationError(`${name}: not valid YAML (fix it first)`, 'usage');
    if (doc.contents !== null && !(isSeq(doc.contents) && !doc.contents.flow)) {
      throw new GenerationError(`${name}: cases can be appended only to a block list ("- ..." items)`, 'usage');
    }
  }
  if (target.format === 'inline') listInsertion(target, 'testData', [{}]);
  return [];
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** YAML list items for `rows`, indented by `indent` spaces. */
function yamlItems(rows: readonly Record<string, unknown>[], indent: number): string {
  const doc = new Document(rows);
  // Tags read best on one line: `tags: [generated, rule:1]`.
  if (isSeq(doc.contents)) {
    for (const item of doc.contents.items) {
      const tags = isMap(item) ? item.get('tags', true) : undefined;
      if (isSeq(tags)) tags.flow = true;
    }
  }
  const body = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  const pad = ' '.repeat(indent);
  return body
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/** Appending items to the list under `key` of a prompt file's YAML (created at the end when absent). */
function listInsertion(target: EvalSetTarget, key: string, rows: readonly Record<string, unknown>[]): TextInsertion {
  const text = target.text;
  const eol = eolOf(text);
  const { root, yaml, start } = promptRoot(text, target.prompty, target.file);
  const name = path.basename(target.file);
  const node = root.get(key, true);
  if (node === undefined || (isScalar(node) && node.value === null)) {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key) && pair.key.range) {
      // `key:` with nothing after it: the items go on the next lines.
      const lineEnd = yaml.indexOf('\n', pair.key.range[1]);
      const at = lineEnd < 0 ? yaml.length : lineEnd + 1;
      const prefix = lineEnd < 0 ? eol : '';
      return insertion(target.file, text, start + at, withEol(prefix + yamlItems(rows, 2), eol));
    }
    if (root.has(key)) throw new GenerationError(`${name}: \`${key}\` must be a list`, 'usage');
    const prefix = yaml === '' || yaml.endsWith('\n') ? '' : eol;
    return insertion(target.file, text, start + yaml.length, withEol(`${prefix}${key}:\n${yamlItems(rows, 2)}`, eol));
  }
  if (!isSeq(node) || node.flow || !node.range) {
    throw new GenerationError(`${name}: \`${key}\` is not a block list ("- ..." items), so items cannot be added without rewriting it`, 'usage');
  }
  const first = node.range[0];
  const indent = first - (yaml.lastIndexOf('\n', first - 1) + 1);
  const end = node.range[1];
  const prefix = yaml[end - 1] === '\n' ? '' : eol;
  return insertion(target.file, text, start + end, withEol(prefix + yamlItems(rows, indent), eol));
}

/** The insertion that appends `rows` (cases as maps) to the target. */
export function casesInsertion(target: EvalSetTarget, rows: readonly Record<string, unknown>[]): TextInsertion {
  const text = target.text;
  const eol = eolOf(text);
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  switch (target.format) {
    case 'jsonl':
      return insertion(target.file, text, text.length, sep + rows.map((r) => JSON.stringify(r)).join(eol) + eol, !target.exists);
    case 'csv': {
      let columns = target.columns?.length ? target.columns : undefined;
      let header = '';
      if (!columns) {
        columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
        header = columns.map(csvCell).join(',') + eol;
      }
      const cols = columns;
      const lines = rows.map((r) => cols.map((c) => csvCell(r[c])).join(','));
      return insertion(target.file, text, text.length, sep + header + lines.join(eol) + eol, !target.exists);
    }
    case 'yaml': {
      const doc = text.trim() ? parseDocument(text) : undefined;
      let indent = 0;
      if (doc && isSeq(doc.contents) && doc.contents.range) {
        const first = doc.contents.range[0];
        indent = first - (text.lastIndexOf('\n', first - 1) + 1);
      }
      return insertion(target.file, text, text.length, withEol(sep + yamlItems(rows, indent), eol), !target.exists);
    }
    case 'inline':
      return listInsertion(target, 'testData', rows);
  }
}

/** The insertion that appends an evaluator to the prompt file's `evaluators`. */
export function evaluatorInsertion(promptFile: string, promptText: string, evaluator: Record<string, unknown>): TextInsertion {
  const prompty = promptFile.toLowerCase().endsWith('.prompty');
  return listInsertion({ file: promptFile, format: 'inline', exists: true, text: promptText, prompty, reason: 'inline' }, 'evaluators', [evaluator]);
}

/** Names of the evaluators a prompt file declares. */
export function evaluatorNames(promptFile: string, promptText: string): string[] {
  const { root } = promptRoot(promptText, promptFile.toLowerCase().endsWith('.prompty'), promptFile);
  const list: unknown = root.toJSON().evaluators;
  return Array.isArray(list) ? list.flatMap((e) => (e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string' ? [(e as { name: string }).name] : [])) : [];
}

/** Applies insertions made against the same text (later offsets first; equal offsets keep their order). */
export function applyInsertions(text: string, edits: readonly TextInsertion[]): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.offset - a.e.offset || b.i - a.i);
  let out = text;
  for (const { e } of sorted) out = out.slice(0, e.offset) + e.text + out.slice(e.offset);
  return out;
}

/** The rows of an eval-set file's text as loaded cases (for duplicates against a file the prompt does not name). */
export async function targetCases(target: EvalSetTarget): Promise<Record<string, unknown>[]> {
  if (target.format === 'inline' || !target.text.trim()) return [];
  const { cases } = await casesFromText(target.file, target.text, 0);
  return cases.map((c) => c.vars);
}
