// Source positions for YAML text: parse once with a LineCounter, then map value paths back to node ranges
// so every problem can name file:line:col (and an end for editor squiggles).

import { isCollection, isNode, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { SourceProblem } from '../errors';
import type { Issue, IssuePath } from './issues';
import { withPath } from './issues';

export interface Range {
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
}

export class YamlSource implements Locator {
  readonly doc: Document.Parsed;
  readonly lineCounter = new LineCounter();
  /** YAML syntax errors (fatal) and warnings, positioned. */
  readonly syntaxProblems: SourceProblem[] = [];

  /** `lineOffset`: lines before `text` in the real file (a .prompty front matter starts after `---`). */
  constructor(
    readonly file: string,
    readonly text: string,
    readonly lineOffset = 0,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: true, uniqueKeys: true });
    for (const [list, severity] of [
      [this.doc.errors, 'error'],
      [this.doc.warnings, 'warning'],
    ] as const) {
      for (const e of list) {
        const start = e.linePos?.[0] ?? { line: 1, col: 1 };
        const end = e.linePos?.[1];
        const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
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
  }

  get hasErrors(): boolean {
    return this.doc.errors.length > 0;
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 });
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
    return { file: this.file, ...range, message: withPath(issue.atKey ? issue.path.slice(0, -1) : issue.path, issue.message), severity: issue.severity ?? 'error' };
  }
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
