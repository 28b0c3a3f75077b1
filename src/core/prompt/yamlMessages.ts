// The yaml library's common parse errors in plain words, placed at the token that is wrong. The library reports
// some mistakes where its parser gave up, not where the writer slipped: a line indented deeper than its neighbours
// is reported on the line before it ("Nested mappings are not allowed in compact mappings"), an unclosed quote or
// bracket at the end of the file. Each translation names the fix; anything else keeps the library's first line.

export interface YamlErrorLike {
  code: string;
  message: string;
  /** Offsets into the text: where the library reports the error. */
  pos: [number, number];
}

export interface PlainYamlError {
  message: string;
  /** Offset of the token the message is about, and the end of it. */
  start: number;
  end: number;
}

function lineAt(text: string, offset: number): { start: number; end: number; text: string } {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return { start, end, text: text.slice(start, end) };
}

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}

function clip(s: string, max = 40): string {
  const t = s.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The next line after `offset`'s line that holds more than spaces or a comment. */
function nextContentLine(text: string, offset: number): { start: number; end: number; text: string } | undefined {
  let line = lineAt(text, offset);
  while (line.end < text.length) {
    line = lineAt(text, line.end + 1);
    if (line.text.trim() && !line.text.trim().startsWith('#')) return line;
  }
  return undefined;
}

/** A plain value holding ': ' or a line indented too deep: the two mistakes behind "compact mappings". */
function implicitKey(e: YamlErrorLike, text: string): PlainYamlError | undefined {
  const line = lineAt(text, e.pos[0]);
  const value = text.slice(e.pos[0], line.end);
  const colon = value.search(/:(\s|$)/);
  if (colon >= 0 && !/^["'[{]/.test(value)) {
    const at = e.pos[0] + colon;
    return {
      message: `the value "${clip(value)}" holds a colon followed by a space, which YAML reads as a new key: put the value in quotes ("…"), or use a block (|) for longer text`,
      start: at,
      end: at + 1,
    };
  }
  const next = nextContentLine(text, e.pos[0]);
  if (next && indentOf(next.text) > indentOf(line.text)) {
    const start = next.start + indentOf(next.text);
    const key = /^[^:#]+(?=:)/.exec(next.text.trim())?.[0];
    return {
      message:
        `this line is indented deeper than the line above, so YAML cannot tell what ${key ? `"${clip(key, 24)}"` : 'it'} belongs to: ` +
        `indent it like the line above (${indentOf(line.text)} spaces) — or, if it continues the value above, put that value in quotes or a block (|)`,
      start,
      end: next.end,
    };
  }
  if (!line.text.includes(':') && !line.text.trim().startsWith('-')) {
    return { message: notAPairMessage(line.text), start: line.start + indentOf(line.text), end: line.end };
  }
  return undefined;
}

function notAPairMessage(text: string): string {
  return `"${clip(text)}" is not a "key: value" pair: add the colon and a space after the key, or indent it under the key it belongs to`;
}

/** The opening character of the last `open` … `close` pair left open before `offset` (quotes: an odd count). */
function unclosedOpener(text: string, offset: number, open: string, close: string): number | undefined {
  let depth = 0;
  let last: number | undefined;
  const stack: number[] = [];
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    const c = text[i];
    if (open === close) {
      if (c === open) {
        if (depth === 0) {
          depth = 1;
          last = i;
        } else depth = 0;
      }
    } else if (c === open) stack.push(i);
    else if (c === close) stack.pop();
  }
  return open === close ? (depth ? last : undefined) : stack[stack.length - 1];
}

function translate(e: YamlErrorLike, text: string): PlainYamlError | undefined {
  const first = e.message.split('\n')[0];
  const here = { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) };
  switch (e.code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return implicitKey(e, text);
    case 'TAB_AS_INDENT':
      return { ...here, message: 'a tab indents this line; YAML indents with spaces only: replace the tab with spaces' };
    case 'MISSING_CHAR': {
      const quote = /Missing closing (["'])quote/.exec(first)?.[1];
      if (quote) {
        const at = unclosedOpener(text, e.pos[0], quote, quote) ?? e.pos[0];
        return { start: at, end: at + 1, message: `this quoted value is never closed: add the closing ${quote} at its end` };
      }
      if (/Implicit map keys need to be followed by map values/.test(first)) {
        return { ...here, message: notAPairMessage(lineAt(text, e.pos[0]).text) };
      }
      return undefined;
    }
    case 'BAD_INDENT':
      if (/Flow sequence/.test(first) || /Flow mapping/.test(first)) {
        const [open, close] = /Flow sequence/.test(first) ? ['[', ']'] : ['{', '}'];
        const at = unclosedOpener(text, e.pos[0], open, close) ?? e.pos[0];
        return { start: at, end: at + 1, message: `this ${open} … ${close} list is never closed: add the closing ${close} (or quote the value if the ${open} is part of its text)` };
      }
      return undefined;
    case 'UNEXPECTED_TOKEN':
      if (/block-seq-ind/.test(first)) return { ...here, message: 'a list item ("- …") where a "key: value" was expected: indent the list under the key it belongs to' };
      return undefined;
    default:
      return undefined;
  }
}

/** The error in plain words at the offending token; the library's own first line where no translation fits. */
export function plainYamlError(e: YamlErrorLike, text: string): PlainYamlError {
  return (
    translate(e, text) ?? {
      message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
      start: e.pos[0],
      end: e.pos[1],
    }
  );
}
