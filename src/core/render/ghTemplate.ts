// Templating of `.prompt.yml` files and of evaluator values, exactly as gh-models does it
// (github/gh-models pkg/prompt/prompt.go, TemplateString): for each key of the row, the literal text
// `{{key}}` — no whitespace inside the braces — is replaced by the value: a string as is, anything
// else as Go's fmt `%v` prints it. Nothing else is interpreted: `{{ key }}`, `{{a.b}}`, filters,
// `{% %}` blocks and placeholders of unknown keys stay as written. Keys may hold any characters
// (`{{ticket id}}`).
//
// gh replaces key by key in Go's random map order, so a value that itself holds `{{other}}` may or
// may not be expanded again there. Here the text is scanned once, so a value is never expanded
// again: the one outcome that does not depend on map order.

/** Replace each `{{key}}` of a key of `vars` in `text` with the value, in one pass from left to right. */
export function ghTemplate(text: string, vars: Record<string, unknown>): string {
  if (!text.includes('{{')) return text;
  const placeholders: [string, string][] = [];
  for (const key of Object.keys(vars)) {
    const placeholder = `{{${key}}}`;
    if (text.includes(placeholder)) placeholders.push([placeholder, key]);
  }
  if (placeholders.length === 0) return text;
  // Longest first, so `{{a}}b}}` is read as the key `a}}b` when both `a` and `a}}b` are keys.
  placeholders.sort((a, b) => b[0].length - a[0].length);
  let out = '';
  let done = 0;
  for (let at = text.indexOf('{{'); at >= 0; at = text.indexOf('{{', at)) {
    const hit = placeholders.find(([placeholder]) => text.startsWith(placeholder, at));
    if (!hit) {
      at++;
      continue;
    }
    out += text.slice(done, at) + goFormat(vars[hit[1]]);
    done = at += hit[0].length;
  }
  return out + text.slice(done);
}

/**
 * The names a text has placeholders for, in order of first use: the inner text of each `{{…}}` that does
 * not start or end with whitespace (gh never replaces `{{ name }}`, whatever the row holds).
 */
export function ghVariables(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(/\{\{([^{}]*?)\}\}/g)) if (m[1] !== '' && m[1] === m[1].trim()) seen.add(m[1]);
  return [...seen];
}

/** `{{ name }}` placeholders with whitespace inside the braces, which gh sends as written: [raw text, trimmed name]. */
export function ghSpacedPlaceholders(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of text.matchAll(/\{\{([^{}]*?)\}\}/g)) if (m[1].trim() !== '' && m[1] !== m[1].trim()) out.push([m[0], m[1].trim()]);
  return out;
}

/** Go's fmt `%v` for values decoded from YAML/JSON (string, number, bool, nil, list, map). */
export function goFormat(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (v instanceof Date) return String(v);
  if (typeof v === 'object') {
    const rec = v as Record<string, unknown>;
    return `map[${Object.keys(rec)
      .sort()
      .map((k) => `${k}:${goFormat(rec[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

// YAML integers decode to Go ints and print as plain digits. Floats print via strconv 'g' with the
// shortest precision: exponent form when the decimal exponent is < -4 or >= 6 (strconv uses precision 6
// for that decision), with at least two exponent digits: 1.5e+06, 1e-05.
function goNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (Number.isSafeInteger(n)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  const e = n.toExponential(); // shortest round-tripping digits, like Go's
  const exp = Number(e.slice(e.indexOf('e') + 1));
  if (exp < -4 || exp >= 6) {
    return e.replace(/e([+-])(\d)$/, (_m, sign: string, digit: string) => `e${sign}0${digit}`);
  }
  return String(n);
}
