// Eval-set and example files: JSONL (one row a line), CSV (header row), YAML/JSON (a list of maps).
// Each row keeps its 1-based line; a broken line or row is reported and skipped, the rest loads.

import * as path from 'node:path';
import { csv } from '../lazy/load';
import { readProjectFile, resolveInProject } from '../paths';
import type { SourceProblem } from '../errors';
import type { EvalCase } from '../prompt/spec';
import { RowLocator, SubLocator, YamlSource } from '../prompt/source';
import type { Locator } from '../prompt/source';
import { describeValue } from '../prompt/issues';
import { parseCaseRow } from './row';
import { MAX_EVAL_SET_BYTES, MAX_EVAL_SET_ROWS, MAX_LINE_BYTES, MAX_YAML_BYTES, fileTooLargeMessage, formatCount, longLineMessage, longLines, overBytes } from '../limits';
import { loadSchemaFiles } from '../prompt/schemaFiles';

export type RowsFormat = 'jsonl' | 'csv' | 'yaml';

export interface RawRow {
  value: unknown;
  line: number;
  loc: Locator;
}

/** Thrown when an eval-set or examples file cannot be read at all (missing, unreadable). */
export class CasesFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'CasesFileError';
  }
}

export function rowsFormat(file: string): RowsFormat | undefined {
  const f = file.toLowerCase();
  if (f.endsWith('.jsonl') || f.endsWith('.ndjson')) return 'jsonl';
  if (f.endsWith('.csv')) return 'csv';
  if (f.endsWith('.yml') || f.endsWith('.yaml') || f.endsWith('.json')) return 'yaml';
  return undefined;
}

/** Columns whose CSV cells may hold JSON (`["a","b"]`, `[{...}]`). */
const JSON_CELL_COLUMNS = new Set(['context', 'tags', 'evaluators']);

/** The size limit of a rows file: YAML/JSON is parsed into a tree, JSONL/CSV line by line. */
export function maxRowsFileBytes(file: string): number {
  return rowsFormat(file) === 'yaml' ? MAX_YAML_BYTES : MAX_EVAL_SET_BYTES;
}

/**
 * Split a file's text into raw rows with positions. Past MAX_EVAL_SET_ROWS the remaining rows are dropped (one
 * located error at the first of them); a JSONL/CSV file past MAX_EVAL_SET_BYTES is refused (YAML: see YamlSource).
 */
export function readRows(file: string, text: string): { rows: RawRow[]; problems: SourceProblem[] } {
  const format = rowsFormat(file);
  if (!format) {
    return {
      rows: [],
      problems: [{ file, line: 1, col: 1, message: 'unknown eval set format; use .jsonl, .csv, .yaml/.yml or .json', severity: 'error' }],
    };
  }
  if (format !== 'yaml') {
    const size = overBytes(text, MAX_EVAL_SET_BYTES);
    if (size !== undefined) return { rows: [], problems: [{ file, line: 1, col: 1, message: fileTooLargeMessage('this file', size, MAX_EVAL_SET_BYTES), severity: 'error' }] };
  }
  const r = format === 'jsonl' ? readJsonl(file, text) : format === 'csv' ? readCsv(file, text) : readYamlList(file, text);
  if (r.rows.length > MAX_EVAL_SET_ROWS) {
    const first = r.rows[MAX_EVAL_SET_ROWS];
    r.problems.push({
      file,
      line: first.line,
      col: 1,
      message: `more than ${formatCount(MAX_EVAL_SET_ROWS)} rows (the limit for one file): the ${formatCount(r.rows.length - MAX_EVAL_SET_ROWS)} rows from here on are not run; split the file`,
      severity: 'error',
    });
    r.rows = r.rows.slice(0, MAX_EVAL_SET_ROWS);
  }
  return r;
}

function readJsonl(file: string, text: string): { rows: RawRow[]; problems: SourceProblem[] } {
  const rows: RawRow[] = [];
  const problems: SourceProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((l, i) => {
    const line = i + 1;
    const bytes = overBytes(l, MAX_LINE_BYTES);
    if (bytes !== undefined) {
      problems.push({ file, line, col: 1, message: `${longLineMessage(line, bytes)}; this row is skipped`, severity: 'error' });
      return;
    }
    if (!l.trim()) return;
    try {
      rows.push({ value: JSON.parse(l), line, loc: new RowLocator(file, line) });
    } catch (e) {
      const msg = (e as Error).message;
      const pos = /position (\d+)/.exec(msg);
      const col = pos ? Number(pos[1]) + 1 : /end of JSON input/.test(msg) ? l.trimEnd().length + 1 : l.length - l.trimStart().length + 1;
      problems.push({ file, line, col, endLine: line, endCol: l.length + 1, message: `invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`, severity: 'error' });
    }
  });
  return { rows, problems };
}

/**
 * The first quoting mistake of a CSV text (RFC 4180: `""` inside quotes is a quote), with 1-based lines:
 * a quote that opens a field and never closes ('unclosed', at the line it opened), or a quoted cell whose
 * closing quote is followed by more text before the next comma or line end ('closing', from the line the
 * cell opened to the line of that quote).
 */
export function csvQuoteMistake(t: string): { kind: 'unclosed' | 'closing'; line: number; endLine: number } | undefined {
  let line = 1;
  let inQuote = false;
  let openLine = 0;
  let fieldStart = true;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (inQuote) {
      if (ch === '"') {
        if (t[i + 1] === '"') i++;
        else {
          inQuote = false;
          const next = t[i + 1];
          if (next !== undefined && next !== ',' && next !== '\n') return { kind: 'closing', line: openLine, endLine: line };
        }
      } else if (ch === '\n') line++;
      continue;
    }
    if (ch === '"' && fieldStart) {
      inQuote = true;
      openLine = line;
    } else if (ch === '\n') {
      line++;
      fieldStart = true;
      continue;
    }
    fieldStart = ch === ',';
  }
  return inQuote ? { kind: 'unclosed', line: openLine, endLine: line } : undefined;
}

/**
 * A quote that never closes would swallow every row after it, and text after a closing quote makes the parser
 * give up on the rest: report either at the line where the quote opened, skip that row, and read the rows after
 * it (blank lines keep every line number; the header stays).
 */
function readCsv(file: string, text: string): { rows: RawRow[]; problems: SourceProblem[] } {
  const norm = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  const mistake = csvQuoteMistake(norm);
  const lines = norm.split('\n');
  const headerIdx = lines.findIndex((l) => l.trim() !== '');
  if (mistake === undefined || headerIdx < 0 || mistake.line - 1 <= headerIdx) return readCsvOnce(file, text);
  const open = mistake.line;
  // the lines of the bad row: just its first line when the quote never closes, else up to the closing quote
  const skipTo = mistake.kind === 'unclosed' ? open : mistake.endLine;
  const blank = (from: number, to: number) => lines.map((l, i) => (i >= from && i < to ? '' : l)).join('\n');
  const before = readCsvOnce(file, blank(open - 1, lines.length));
  const after = readCsv(file, blank(headerIdx + 1, skipTo));
  const message =
    mistake.kind === 'unclosed'
      ? 'invalid CSV: the quote opened on this line is never closed; this row is skipped (the rows after it still load)'
      : `invalid CSV: the quoted cell opened on this line is followed by text after its closing quote${mistake.endLine !== open ? ` (line ${mistake.endLine})` : ''}; write "" for a quote inside a quoted cell; this row is skipped (the rows after it still load)`;
  const problems = [
    ...before.problems,
    { file, line: open, col: 1, message, severity: 'error' as const },
    ...after.problems.filter((p) => p.line !== headerIdx + 1),
  ];
  return { rows: [...before.rows, ...after.rows], problems };
}

type CsvRecord = { record: string[]; raw: string; info: { lines: number } };

function readCsvOnce(file: string, text: string): { rows: RawRow[]; problems: SourceProblem[] } {
  const problems: SourceProblem[] = [];
  const records = parseCsvRecords(file, text, problems);
  if (records.length === 0) return { rows: [], problems };
  const header = csvHeader(file, records[0], problems);
  const long = longLines(text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, ''));
  const rows: RawRow[] = [];
  for (const r of records.slice(1)) {
    const line = startLine(r);
    const tooLong = long.find((l) => l.line >= line && l.line <= r.info.lines);
    if (tooLong) {
      problems.push({ file, line: tooLong.line, col: 1, message: `${longLineMessage(tooLong.line, tooLong.bytes)}; this row is skipped`, severity: 'error' });
      continue;
    }
    if (r.record.length !== header.length) {
      problems.push({ file, line, col: 1, message: `row has ${r.record.length} field${r.record.length === 1 ? '' : 's'}; the header has ${header.length}`, severity: 'error' });
      continue;
    }
    rows.push({ value: csvRowValue(header, r.record), line, loc: new RowLocator(file, line) });
  }
  return { rows, problems };
}

/**
 * The records of a CSV text. A record the parser cannot read (a stray or unclosed quote) is reported and
 * skipped; the rows before it, and after it where the parser can resynchronize, still load.
 */
function parseCsvRecords(file: string, text: string, problems: SourceProblem[]): CsvRecord[] {
  try {
    return csv().parseCsv(text.replace(/\r\n?/g, '\n'), {
      raw: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      skip_records_with_error: true,
      on_skip: (err: (Error & { lines?: number }) | undefined) => {
        if (err) problems.push({ file, line: err.lines ?? 1, col: 1, message: `invalid CSV: ${err.message}`, severity: 'error' });
      },
    }) as never;
  } catch (e) {
    const err = e as Error & { lines?: number };
    problems.length = 0;
    problems.push({ file, line: err.lines ?? 1, col: 1, message: `invalid CSV: ${err.message}`, severity: 'error' });
    return [];
  }
}

/**
 * The line a record starts on. `info.lines` is the line it ends on; its first line is that minus the line breaks
 * inside it (quoted multi-line cells), not counting blank lines before it or its own record delimiter.
 */
function startLine(r: CsvRecord): number {
  const body = r.raw.replace(/^(?:[ \t]*\n)+/, '');
  const inner = (body.match(/\n/g)?.length ?? 0) - (body.endsWith('\n') ? 1 : 0);
  return r.info.lines - inner;
}

/** The header's column names (trimmed); an empty name is an error, a duplicate a warning (the later column wins). */
function csvHeader(file: string, first: CsvRecord, problems: SourceProblem[]): string[] {
  const header = first.record.map((h) => h.trim());
  const headerLine = startLine(first);
  const rawHeader = first.raw.replace(/^(?:[ \t]*\n)+/, '');
  header.forEach((h, i) => {
    if (!h) problems.push({ file, line: headerLine, col: 1, message: `header column ${i + 1} has no name`, severity: 'error' });
    const firstAt = header.indexOf(h);
    if (h && firstAt < i) {
      // the column's position in the header line (for the squiggle); plain split is fine for header names
      const col = rawHeader.split(',').slice(0, i).join(',').length + 2;
      problems.push({ file, line: headerLine, col, message: `duplicate column "${h}" (also column ${firstAt + 1}); the later column wins`, severity: 'warning' });
    }
  });
  return header;
}

/** A row's cells by column name: JSON in the columns that hold lists or maps, empty optional cells left out. */
function csvRowValue(header: string[], record: string[]): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  header.forEach((h, i) => {
    if (!h) return;
    let cell: unknown = record[i];
    const s = String(cell).trim();
    if (JSON_CELL_COLUMNS.has(h) && /^[[{]/.test(s)) {
      try {
        cell = JSON.parse(s);
      } catch {
        /* keep the text; row validation reports a wrong type where it matters */
      }
    }
    if (h === 'evaluators' && s === '') return;
    if ((h === 'context' || h === 'tags') && s === '') return;
    value[h] = cell;
  });
  return value;
}

function readYamlList(file: string, text: string): { rows: RawRow[]; problems: SourceProblem[] } {
  const src = new YamlSource(file, text);
  if (src.hasErrors) return { rows: [], problems: src.syntaxProblems };
  const problems = [...src.syntaxProblems];
  const value = src.toJS();
  if (value === null || value === undefined) return { rows: [], problems };
  if (!Array.isArray(value)) {
    problems.push(src.problem({ path: [], message: `expected a list of cases, got ${describeValue(value)}` }));
    return { rows: [], problems };
  }
  // a duplicate key, a line or a value past its limit rejects the item it is in; the other items load
  problems.push(...src.scopedOutside(value.map((_, i) => [i])));
  const rows: RawRow[] = [];
  value.forEach((v, i) => {
    const scoped = src.scopedIn([i]);
    if (scoped.length) problems.push(...scoped.map((p) => ({ ...p, message: `${p.message}; this item is skipped` })));
    else rows.push({ value: v, line: src.line([i]), loc: new SubLocator(src, [i]) });
  });
  return { rows, problems };
}

/** Cases from rows; `startIndex` numbers them; json schema files load relative to the file. */
export async function casesFromText(file: string, text: string, startIndex: number): Promise<{ cases: EvalCase[]; problems: SourceProblem[] }> {
  const { rows, problems } = readRows(file, text);
  if (rows.length === 0 && problems.length === 0) {
    // 0 cases is a valid run (as in gh), but say which file is empty and what to add
    const headerOnly = rowsFormat(file) === 'csv' && text.trim() !== '';
    const message = headerOnly
      ? 'header only: this CSV eval set has no rows under its header, so it adds no cases; add one row per case'
      : `empty eval set: this file has no ${rowsFormat(file) === 'yaml' ? 'list items' : 'rows'}, so it adds no cases`;
    problems.push({ file, line: 1, col: 1, message, severity: 'warning' });
  }
  const cases: EvalCase[] = [];
  for (const row of rows) {
    const r = parseCaseRow(row.value, row.loc, { file, line: row.line, index: startIndex + cases.length });
    problems.push(...r.problems);
    if (!r.value) continue;
    if (r.value.evaluators?.length) {
      const schemaProblems = await loadSchemaFiles(r.value.evaluators, path.dirname(file), file);
      if (schemaProblems.length) {
        problems.push(...schemaProblems);
        continue;
      }
    }
    cases.push(r.value);
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return { cases, problems };
}

/**
 * Load an eval-set file (JSONL, CSV, YAML/JSON list). `relativeTo` is the directory a relative `filePath` resolves
 * against (the prompt file's folder). Rows with problems are skipped and reported; the rest load.
 * Throws CasesFileError when the file cannot be read — the caller reports that at its own `testFile` line.
 */
export async function loadCasesFile(filePath: string, opts: { startIndex: number; relativeTo: string; text?: string }): Promise<{ cases: EvalCase[]; problems: SourceProblem[] }> {
  if (opts.text === undefined) {
    const { abs, text } = await readRowsFile(filePath, opts.relativeTo);
    return casesFromText(abs, text, opts.startIndex);
  }
  // an editor buffer: nothing to read, but the file it stands for must still be inside the project
  const r = await resolveInProject(opts.relativeTo, filePath);
  if (!r.ok && r.problem.kind === 'outside') throw new CasesFileError(r.abs, r.problem.message);
  return casesFromText(r.abs, opts.text, opts.startIndex);
}

/** Read an examples or cases file's text through the containment gate, or throw CasesFileError. */
export async function readRowsFile(filePath: string, relativeTo: string): Promise<{ abs: string; text: string }> {
  const r = await readProjectFile(relativeTo, filePath, { maxBytes: maxRowsFileBytes(filePath) });
  if (!r.ok) throw new CasesFileError(r.abs, r.problem.message);
  return { abs: r.abs, text: r.content };
}
