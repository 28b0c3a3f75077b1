// Why a prompt file has no cases to run, in words a user can act on. A run of 0 cases sends nothing and
// proves nothing, so the editor does not start one; the reason names the likely cause (a misspelt
// `testFile`, an empty or unreadable eval set) with its line.

import * as path from 'node:path';
import type { PromptSpec } from '../prompt/spec';

/** Undefined when the file has cases; otherwise one sentence saying why it has none. */
export function noCasesReason(spec: Pick<PromptSpec, 'file' | 'cases' | 'problems'>): string | undefined {
  if (spec.cases.length > 0) return undefined;
  const name = path.basename(spec.file);
  const base = `${name} has no cases to run: it has no testData, no testFile and no sibling eval set (NAME.cases.jsonl)`;
  // Problems that explain the empty set come first: a misspelt key, then an eval set that failed or is empty.
  const likely = [...spec.problems].sort((a, b) => rank(a.message) - rank(b.message)).filter((p) => rank(p.message) < 3);
  if (likely.length === 0) return `${base}.`;
  const shown = likely.slice(0, 2).map((p) => `${path.basename(p.file || spec.file)}:${p.line}: ${p.message}`);
  const more = likely.length > 2 ? ` (and ${likely.length - 2} more in the Problems view)` : '';
  return `${base}. Likely why — ${shown.join('; ')}${more}.`;
}

function rank(message: string): number {
  if (/did you mean/.test(message)) return 0;
  if (/eval set|testFile|cases|rows?\b/i.test(message)) return 1;
  if (/unknown key/.test(message)) return 2;
  return 3;
}
