// Source positions for YAML text: parse once with a LineCounter, then map value paths back to node ranges
// so every problem can name file:line:col (and an end for editor squiggles).
// Parsing enforces the limits of ../limits.ts: a file too large, nesting too deep or an alias bomb makes the whole
// file unusable (a located error, never a stack overflow or a hang); a line or a value too long and a duplicate
// key are "scoped" problems, which a caller holding a list of rows turns into "skip this row" (scopedIn).

import { plainYamlError } from './yamlMessages';
import { Composer, isAlias, isCollection, isMap, isNode, isPair, isScalar, LineCounter, Parser, parseDocument, YAMLParseError } from 'yaml';
import type { Document, Node } from 'yaml';
import type { SourceProblem } from '../errors';
import type { Issue, IssuePath } from './issues';
import { withPath } from './issues';
import {
  MAX_ALIAS_EXPANSION,
  MAX_SCALAR_BYTES,
  MAX_YAML_BYTES,
  MAX_YAML_DEPTH,
  fileTooLargeMessage,
  formatBytes,
  formatCount,
  longLineMessage,
  longLines,
  overBytes,
} from '../limits';

export interface Range {
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
}

/** A problem confined to one place of the document (its start offset), so a caller can reject just the row there. */
export interface ScopedProblem extends SourceProblem {
  offset: number;
  /** End offset (exclusive): a long line covers its whole line, so it belongs to the row that line overlaps. */
  end: number;
}

/** Thrown by the parser guard when collections nest deeper than the limit (before the recursive parts run). */
class TooDeep extends Error {
  constructor(readonly offset: number) {
    super('too deep');
  }
}

/** yaml's CST parser with a depth guard: its stack holds one entry per open collection (plus the document). */
class GuardedParser extends Parser {
  override *next(source: string): Generator<never, void> {
    yield* super.next(source) as Generator<never, void>;
    if (this.stack.length > MAX_YAML_DEPTH + 2) throw new TooDeep(this.offset);
  }
}

const deepMessage = `collections nest deeper than ${MAX_YAML_DEPTH} levels (the limit); the file was not read`;

export class YamlSource implements Locator {
  readonly doc: Document.Parsed;
  readonly lineCounter = new LineCounter();
  /** YAML syntax errors (fatal) and warnings, positioned; a resource limit the file breaks is one of these errors. */
  readonly syntaxProblems: SourceProblem[] = [];
  /** Problems confined to one node or line (a duplicate key, a line or a value past its limit); see scopedIn. */
  readonly scoped: ScopedProblem[] = [];
  private limitError = false;

  /** `lineOffset`: lines before `text` in the real file (a .prompty front matter starts after `---`). */
  constructor(
    readonly file: string,
    readonly text: string,
    readonly lineOffset = 0,
  ) {
    const size = overBytes(text, MAX_YAML_BYTES);
    if (size !== undefined) {
      this.doc = parseDocument('');
      this.fail(0, fileTooLargeMessage('this YAML file', size, MAX_YAML_BYTES));
      return;
    }
    const parsed = this.parse(text);
    if (!parsed) {
      this.doc = parseDocument('');
      return;
    }
    this.doc = parsed;
    for (const [list, severity] of [
      [this.doc.errors, 'error'],
      [this.doc.warnings, 'warning'],
    ] as const) {
      for (const e of list) {
        // in plain words at the offending token; two library errors about one mistake are said once
        const plain = e.code === 'RESOURCE_EXHAUSTION' ? { message: deepMessage, start: e.pos[0], end: e.pos[1] } : plainYamlError(e, text);
        const start = this.lineCounter.linePos(plain.start);
        const end = plain.end > plain.start ? this.lineCounter.linePos(plain.end) : undefined;
        const message = plain.message;
        if (this.syntaxProblems.some((p) => p.line === start.line + lineOffset && p.col === start.col && p.message === `YAML: ${message}`)) continue;
        this.syntaxProblems.push({
          file,
          line: start.line + lineOffset,
          col: start.col,
          ...(end ? { endLine: end.line + lineOffset, endCol: end.col } : {}),
          message: `YAML: ${message}`,
          severity,
        });
      }
    }
    if (this.doc.errors.length) return;
    this.walk();
    if (this.limitError) return;
    // a long line that is one long value is reported once, as the value
    const valueLines = new Set(this.scoped.map((p) => p.line));
    for (const l of longLines(text)) {
      if (valueLines.has(l.line + lineOffset)) continue;
      const end = text.indexOf('\n', l.offset);
      this.scoped.push({
        file,
        line: l.line + lineOffset,
        col: 1,
        offset: l.offset,
        end: end < 0 ? text.length : end,
        message: longLineMessage(l.line + lineOffset, l.bytes),
        severity: 'error',
      });
    }
    this.scoped.sort((a, b) => a.offset - b.offset);
  }

  /** Parse with the depth guard; undefined (and a problem) when the guard stopped it. */
  private parse(text: string): Document.Parsed | undefined {
    const parser = new GuardedParser(this.lineCounter.addNewLine);
    const composer = new Composer({ uniqueKeys: false });
    let doc: Document.Parsed | undefined;
    try {
      for (const d of composer.compose(parser.parse(text), true, text.length)) {
        if (!doc) doc = d as Document.Parsed;
        else {
          doc.errors.push(new YAMLParseError([d.range[0], d.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; a file holds one'));
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof TooDeep) && !(e instanceof RangeError)) throw e;
      this.fail(e instanceof TooDeep ? e.offset : 0, deepMessage);
      return undefined;
    }
    return doc;
  }

  /** A limit that makes the file unusable, at an offset of the text. */
  private fail(offset: number, message: string): void {
    const p = this.lineCounter.lineStarts.length ? this.lineCounter.linePos(offset) : { line: 1, col: 1 };
    this.syntaxProblems.push({ file: this.file, line: p.line + this.lineOffset, col: p.col, message: `YAML: ${message}`, severity: 'error' });
    this.limitError = true;
  }

  private scope(node: Node, message: string): void {
    const offset = node.range?.[0] ?? 0;
    const p = this.pos(offset);
    this.scoped.push({ file: this.file, line: p.line, col: p.col, offset, end: offset + 1, message, severity: 'error' });
  }

  /**
   * One pass over the document, without recursion: nesting depth, what aliases expand to (each alias repeats its
   * anchored value; counted with sizes memoised per node, so a "billion laughs" file is measured, not expanded),
   * string values past MAX_SCALAR_BYTES and duplicate keys.
   */
  private walk(): void {
    const root = this.doc.contents;
    if (!isNode(root)) return;
    const size = new Map<Node, number>();
    const anchors = new Map<string, Node>();
    let expansion = 0;
    const stack: { node: Node; depth: number; done: boolean }[] = [{ node: root, depth: 1, done: false }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const { node } = top;
      if (top.done) {
        stack.pop();
        let n = 1;
        if (isCollection(node)) {
          for (const it of node.items as unknown[]) {
            if (isPair(it)) n += (isNode(it.key) ? (size.get(it.key) ?? 1) : 1) + (isNode(it.value) ? (size.get(it.value) ?? 1) : 1);
            else if (isNode(it)) n += size.get(it) ?? 1;
          }
        }
        size.set(node, n);
        continue;
      }
      top.done = true;
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) anchors.set(anchor, node);
      if (isAlias(node)) {
        const source = anchors.get(node.source);
        const n = source ? (size.get(source) ?? 1) : 1;
        size.set(node, n);
        expansion += n;
        if (expansion > MAX_ALIAS_EXPANSION) {
          this.fail(
            node.range?.[0] ?? 0,
            `aliases (*name) here repeat anchored values to more than ${formatCount(MAX_ALIAS_EXPANSION)} values (the limit); an alias bomb? the file was not read`,
          );
          return;
        }
        stack.pop();
        continue;
      }
      if (isScalar(node)) {
        if (typeof node.value === 'string') {
          const bytes = overBytes(node.value, MAX_SCALAR_BYTES);
          if (bytes !== undefined) this.scope(node, `a text value of ${formatBytes(bytes)}; the limit is ${formatBytes(MAX_SCALAR_BYTES)} per value`);
        }
        continue;
      }
      if (!isCollection(node)) continue;
      if (top.depth > MAX_YAML_DEPTH) {
        this.fail(node.range?.[0] ?? 0, deepMessage);
        return;
      }
      if (isMap(node)) {
        const seen = new Map<string, Node>();
        for (const it of node.items) {
          if (!isScalar(it.key)) continue;
          const k = String(it.key.value);
          const first = seen.get(k);
          if (first) this.scope(it.key, `duplicate key "${k}" (first on line ${this.pos(first.range?.[0] ?? 0).line})`);
          else seen.set(k, it.key);
        }
      }
      const children: Node[] = [];
      for (const it of node.items as unknown[]) {
        if (isPair(it)) {
          if (isNode(it.key)) children.push(it.key);
          if (isNode(it.value)) children.push(it.value);
        } else if (isNode(it)) children.push(it);
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: top.depth + 1, done: false });
    }
  }

  /** Scoped problems inside the node at `path` (a row of a list), in line order. */
  scopedIn(path: IssuePath): SourceProblem[] {
    const node = this.nodeAt(path);
    if (!node?.range || !this.scoped.length) return [];
    const [start, , end] = node.range;
    return this.scoped.filter((p) => overlaps(p, start, end)).map(strip);
  }

  /** Scoped problems outside every node at `paths` (those a caller cannot pin on a row). */
  scopedOutside(paths: IssuePath[]): SourceProblem[] {
    const ranges = paths.map((p) => this.nodeAt(p)?.range).filter((r): r is [number, number, number] => !!r);
    return this.scoped.filter((p) => !ranges.some(([s, , e]) => overlaps(p, s, e))).map(strip);
  }

  get hasErrors(): boolean {
    return this.limitError || this.doc.errors.length > 0;
  }

  /** The plain value. Aliases were measured by the walk (MAX_ALIAS_EXPANSION), so yaml's own count is not needed. */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: -1 });
  }

  private pos(offset: number): { line: number; col: number } {
    const p = this.lineCounter.linePos(offset);
    return { line: p.line + this.lineOffset, col: p.col };
  }

  /** The deepest node along `path` (a missing key stops at its parent; for a map value, the value node). */
  nodeAt(path: IssuePath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      if (!isCollection(node)) break;
      const next = node.get(key as never, true);
      if (!isNode(next)) {
        // Point at the key when the value is null/absent (`content:` with nothing after it).
        const pair = (node.items as unknown[]).find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
        if (isPair(pair) && isNode(pair.key)) return pair.key;
        break;
      }
      node = next;
    }
    return isNode(node) ? node : undefined;
  }

  /** Range of the key of `path` (for CodeLens lines); falls back to the node. */
  keyRange(path: IssuePath): Range {
    const parent = path.length ? this.nodeAt(path.slice(0, -1)) : undefined;
    if (parent && isCollection(parent)) {
      const key = path[path.length - 1];
      const pair = (parent.items as unknown[]).find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
      if (isPair(pair) && isNode(pair.key)) return this.rangeOf(pair.key);
    }
    return this.range(path);
  }

  range(path: IssuePath): Range {
    const node = this.nodeAt(path);
    return node ? this.rangeOf(node) : { line: 1 + this.lineOffset, col: 1 };
  }

  rangeOf(node: Node): Range {
    if (!node.range) return { line: 1 + this.lineOffset, col: 1 };
    const start = this.pos(node.range[0]);
    const end = this.pos(node.range[1]);
    return { line: start.line, col: start.col, endLine: end.line, endCol: end.col };
  }

  line(path: IssuePath): number {
    return this.range(path).line;
  }

  problem(issue: Issue): SourceProblem {
    const range = issue.atKey ? this.keyRange(issue.path) : this.range(issue.path);
    const problem: SourceProblem = { file: this.file, ...range, message: withPath(issue.atKey ? issue.path.slice(0, -1) : issue.path, issue.message), severity: issue.severity ?? 'error' };
    if (issue.replacement !== undefined) problem.replacement = issue.replacement;
    return problem;
  }
}

function overlaps(p: ScopedProblem, start: number, end: number): boolean {
  return p.offset < Math.max(end, start + 1) && p.end > start;
}

function strip(p: ScopedProblem): SourceProblem {
  const { offset: _offset, end: _end, ...rest } = p;
  return rest;
}

/** Where a path of a parsed value sits in its file: YAML gives node ranges, a JSONL/CSV row only its line. */
export interface Locator {
  problem(issue: Issue): SourceProblem;
  line(path: IssuePath): number;
}

/** A locator for values without inner positions (a JSONL line, a CSV record): everything points at the row. */
export class RowLocator implements Locator {
  constructor(
    readonly file: string,
    readonly row: number,
    /** Message prefix path (e.g. `row 3`) is not used; paths are relative to the row. */
    readonly col = 1,
  ) {}
  line(): number {
    return this.row;
  }
  problem(issue: Issue): SourceProblem {
    return { file: this.file, line: this.row, col: this.col, message: withPath(issue.path, issue.message), severity: issue.severity ?? 'error' };
  }
}

/** A locator for a sub-value of a YAML document: paths are relative to `base`. */
export class SubLocator implements Locator {
  constructor(
    readonly src: YamlSource,
    readonly base: IssuePath,
  ) {}
  line(path: IssuePath): number {
    return this.src.line([...this.base, ...path]);
  }
  problem(issue: Issue): SourceProblem {
    return this.src.problem({ ...issue, path: [...this.base, ...issue.path] });
  }
}
