// The variables evaluator values are templated with, built the way `gh models eval` builds them.
// gh templates string-evaluator values with the test row, and llm prompts with the row plus
// `completion` (set after copying the row, so it wins over a row column of that name) —
// github/gh-models cmd/eval/eval.go, runStringEvaluator / runLLMEvaluator.

import type { EvalInput } from './evaluator';
import { renderTemplate } from '../render/template';
import { goTrimSpace } from './goStrings';

/**
 * The test row. In gh `expected` is an ordinary row column; our loader may have lifted it into
 * `EvalInput.expected`, so it is put back when the row does not carry it.
 */
export function rowVars(input: EvalInput): Record<string, unknown> {
  const vars: Record<string, unknown> = { ...input.vars };
  if (!('expected' in vars) && input.expected !== undefined) vars.expected = input.expected;
  return vars;
}

/** The row plus `{{completion}}` (the trimmed reply), as gh's llm evaluator sees it. */
export function completionVars(input: EvalInput): Record<string, unknown> {
  return { ...rowVars(input), completion: replyOf(input) };
}

/**
 * Templating for OUR evaluator kinds (similar `reference`, judge `rubric`): the project's template engine
 * (`{{name}}`, `{{ name }}`, dotted paths, filters, `{% %}` blocks).
 */
export function fill(text: string, vars: Record<string, unknown>): string {
  return renderTemplate(text, vars);
}

/**
 * Templating for the gh kinds (`string` values, `llm` prompts, github/* built-ins), exactly as gh-models
 * pkg/prompt/prompt.go TemplateString: only the literal text `{{key}}` of a row key is replaced (no
 * whitespace, paths, filters or `{% %}` — those stay as written), strings as is and other values as Go's
 * fmt `%v` prints them. One pass over the text (gh replaces key by key, so a value that itself holds
 * `{{other}}` may or may not be expanded again, depending on Go's random map order).
 */
export function ghTemplate(text: string, vars: Record<string, unknown>): string {
  if (!text.includes('{{')) return text;
  const keys = Object.keys(vars).filter((k) => text.includes(`{{${k}}}`));
  if (keys.length === 0) return text;
  keys.sort((a, b) => b.length - a.length);
  // the same value is templated for every case of a run: its pattern is built once per set of keys
  const id = `${text}\u0000${keys.join('\u0000')}`;
  let re = patterns.get(id);
  if (!re) {
    re = new RegExp(keys.map((k) => escapeRegExp(`{{${k}}}`)).join('|'), 'g');
    if (patterns.size >= 256) patterns.clear();
    patterns.set(id, re);
  }
  return text.replace(re, (m) => goFormat(vars[m.slice(2, -2)]));
}

/** Compiled ghTemplate patterns by text and keys (a global regex is reset by `replace`, so sharing is safe). */
const patterns = new Map<string, RegExp>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^$|()[\]{}\\]/g, (c) => `\\${c}`);
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
    return `map[${Object.keys(rec).sort().map((k) => `${k}:${goFormat(rec[k])}`).join(' ')}]`;
  }
  return String(v);
}

// YAML integers decode to Go ints and print as plain digits. Floats print via strconv 'g' with the
// shortest precision: exponent form when the decimal exponent is < -4 or >= 6 (strconv uses precision 6
// for that decision), with at least two exponent digits: 1.5e+06, 1e-05.
function goNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  const e = n.toExponential(); // shortest round-tripping digits, like Go's
  const exp = Number(e.slice(e.indexOf('e') + 1));
  if (exp < -4 || exp >= 6) {
    return e.replace(/e([+-])(\d)$/, (_m, sign: string, digit: string) => `e${sign}0${digit}`);
  }
  return String(n);
}

/** The reply as evaluators see it: whitespace-trimmed with Go's rules (the engine trims too; this is defensive). */
export function replyOf(input: EvalInput): string {
  return goTrimSpace(input.output ?? '');
}
