// Go string semantics that `gh models eval` applies to replies and evaluator values (strings.TrimSpace,
// strings.ToLower, strings.Contains/HasPrefix/HasSuffix), reproduced so verdicts match gh exactly.
// Reference: github/gh-models cmd/eval/eval.go (callModelWithRetry trims the reply with strings.TrimSpace;
// runStringEvaluator/runLLMEvaluator lower-case with strings.ToLower).

// Go's unicode.IsSpace: '\t' '\n' '\v' '\f' '\r' ' ' U+0085 U+00A0 and the Unicode White_Space spaces.
// It differs from String.prototype.trim: Go trims U+0085 (NEL) but not U+FEFF (BOM).
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

/** strings.TrimSpace: removes leading and trailing Go white space. */
export function goTrimSpace(text: string): string {
  return text.replace(GO_TRIM, '');
}

/**
 * strings.ToLower: Unicode simple (per code point) lower-casing. JavaScript's toLowerCase applies the
 * context-sensitive final-sigma rule and maps U+0130 to two code points; Go does neither.
 */
export function goToLower(text: string): string {
  // eslint-disable-next-line no-control-regex -- the ASCII range, control characters included, is the point
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    if (ch === '\u0130') out += 'i';
    else out += ch.toLowerCase();
  }
  return out;
}
