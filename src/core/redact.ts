// Secrets never leave through an output: every API key a provider is configured with is registered here,
// and `redact` replaces it, whatever its length, wherever text leaves the process — provider error messages
// (a server may echo the key back), CLI stdout/stderr, run records and exports (JSON, JUnit, HTML), the
// extension's logs and the panel's messages. Its JSON-escaped form is covered too, so a key inside a
// serialized record is caught as well.

const MASK = '***';
const secrets = new Set<string>();
/**
 * Forms to replace, longest first (so a key that contains another key is masked whole). A key of 8
 * characters or more is masked wherever it appears; a shorter one only where it stands alone (not inside
 * a longer word), so a short key is still masked in "Incorrect API key provided: k3Y9zQ" without garbling
 * every word that happens to contain its letters.
 */
let forms: { text: string; re?: RegExp }[] = [];
const WORD = 'A-Za-z0-9_\\-';

function formOf(text: string): { text: string; re?: RegExp } {
  if (text.length >= 8) return { text };
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { text, re: new RegExp(`(?<![${WORD}])${escaped}(?![${WORD}])`, 'g') };
}

/** Words a provider is given where no real key is needed; masking them would garble output for nothing. */
const PLACEHOLDERS = new Set(['none', 'ollama']);

/** Register a configured key (or token) so every output masks it. Empty values and placeholders are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (!v || PLACEHOLDERS.has(v) || secrets.has(v)) return;
  secrets.add(v);
  const all = new Set<string>();
  for (const s of secrets) {
    all.add(s);
    all.add(JSON.stringify(s).slice(1, -1));
  }
  forms = [...all].sort((a, b) => b.length - a.length).map(formOf);
  // The JSON text of a value that holds a form holds that form JSON-escaped (per character, for ASCII text).
  jsonForms = forms.every((f) => /^[\x20-\x7e]*$/.test(f.text)) ? forms.map((f) => JSON.stringify(f.text).slice(1, -1)) : null;
}

/** Each form as it appears inside JSON text; null when a form is not plain ASCII (then only the replacer is exact). */
let jsonForms: string[] | null = [];

/** Whether any secret is registered (for tests and diagnostics; never says which). */
export function hasSecrets(): boolean {
  return secrets.size > 0;
}

/** `text` with every registered secret (and any `extra` one) replaced by ***. */
export function redact(text: string, extra?: readonly (string | undefined)[]): string {
  let out = text;
  for (const e of extra ?? []) if (e) registerSecret(e);
  for (const f of forms) {
    if (!out.includes(f.text)) continue;
    out = f.re ? out.replace(f.re, MASK) : out.split(f.text).join(MASK);
  }
  return out;
}

/** A JSON.stringify replacer that redacts string values (never property names, so the shape survives). */
export function redactJsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'string' && forms.length ? redact(value) : value;
}

/**
 * `JSON.stringify(value, redactJsonValue, space)`, faster: the value is written without the replacer, and only
 * when the text holds a secret's (escaped) form is it written again through the replacer. The text is the same.
 */
export function stringifyRedacted(value: unknown, space?: number): string {
  if (forms.length === 0) return JSON.stringify(value, undefined, space);
  if (jsonForms) {
    const text = JSON.stringify(value, undefined, space);
    if (!jsonForms.some((f) => text.includes(f))) return text;
  }
  return JSON.stringify(value, redactJsonValue, space);
}

/** Forget every registered secret (tests only). */
export function clearSecretsForTests(): void {
  secrets.clear();
  forms = [];
  jsonForms = [];
}
