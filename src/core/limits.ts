// Resource limits for the files a user (or a cloned repository) hands us: prompt files, eval sets, example
// files, schema files. Every limit lives here, and every message that enforces one names it, so a file past a
// limit gets "line 12 is 2.1 MB; the limit is 1 MB" instead of a hang, an out-of-memory crash or `internal error`.

const MB = 1024 * 1024;

/** A YAML or JSON file we parse into a tree (prompt files, YAML/JSON eval sets, schema files). */
export const MAX_YAML_BYTES = 16 * MB;
/** A line-based eval set or examples file (JSONL, CSV): read line by line, so it may be larger. */
export const MAX_EVAL_SET_BYTES = 64 * MB;
/** Rows of one eval-set file (or one inline `testData` list); the rows past it are not run. */
export const MAX_EVAL_SET_ROWS = 100_000;
/** One line of any of these files (a JSONL row, a CSV record's line, a YAML line). */
export const MAX_LINE_BYTES = 1 * MB;
/** One YAML string value (a message, a case variable), however many lines it spans. */
export const MAX_SCALAR_BYTES = 1 * MB;
/** Nesting of YAML/JSON collections (maps and lists inside each other). */
export const MAX_YAML_DEPTH = 100;
/** Values YAML aliases (`*name`) may add by repeating anchored values: stops "billion laughs" alias bombs. */
export const MAX_ALIAS_EXPANSION = 100_000;

/** `2.1 MB`, `812 KB`, `17 bytes`. */
export function formatBytes(n: number): string {
  if (n >= MB) return `${trim(n / MB)} MB`;
  if (n >= 1024) return `${trim(n / 1024)} KB`;
  return `${n} byte${n === 1 ? '' : 's'}`;
}

function trim(x: number): string {
  return (Math.floor(x * 10) / 10).toFixed(1).replace(/\.0$/, '');
}

/** `100,000`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Whether a string's UTF-8 size passes `max` bytes (a UTF-16 unit is at most 3 bytes, so short strings need no count). */
export function overBytes(s: string, max: number): number | undefined {
  if (s.length * 3 <= max) return undefined;
  const bytes = Buffer.byteLength(s, 'utf8');
  return bytes > max ? bytes : undefined;
}

/** Lines of `text` longer than `max` bytes: their 1-based line, byte size and start offset. Stops after `limit` of them. */
export function longLines(text: string, max = MAX_LINE_BYTES, limit = Infinity): { line: number; bytes: number; offset: number }[] {
  const out: { line: number; bytes: number; offset: number }[] = [];
  if (text.length * 3 <= max) return out;
  let start = 0;
  let line = 1;
  while (start <= text.length && out.length < limit) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if ((end - start) * 3 > max) {
      const bytes = overBytes(text.slice(start, end), max);
      if (bytes !== undefined) out.push({ line, bytes, offset: start });
    }
    start = end + 1;
    line++;
  }
  return out;
}

/** The message for a line past MAX_LINE_BYTES. */
export function longLineMessage(line: number, bytes: number): string {
  return `line ${formatCount(line)} is ${formatBytes(bytes)}; the limit is ${formatBytes(MAX_LINE_BYTES)} per line`;
}

/** The message for a file past its size limit. */
export function fileTooLargeMessage(what: string, bytes: number, max: number): string {
  return `${what} is ${formatBytes(bytes)}; the limit is ${formatBytes(max)}`;
}
