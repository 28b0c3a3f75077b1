// How a climb's moves change the prompt file: a move's patch sets fields of the climbed variant (shots, chain
// of thought, retrieval overrides, a system message, a model) and, for a few moves, top-level keys (a
// retrieval block, responseFormat). The climbed file is the original text with the top-level keys set and one
// more variant holding the composed fields, so the user's own variants stay as they were.

import { addVariant, freeVariantName, setTopLevel } from '../prompt/edits';
import { canonicalJson } from '../providers/cache';

export interface MovePatch {
  /** Fields set on the climbed variant (`retrieval` maps merge into the incumbent's). */
  variant?: Record<string, unknown>;
  /** Top-level keys set in the file. */
  file?: Record<string, unknown>;
}

/** What the climb has kept so far: the climbed variant's fields and the top-level keys it set. */
export interface Incumbent {
  variant: Record<string, unknown>;
  file: Record<string, unknown>;
}

/** The incumbent with a move's patch applied. */
export function compose(inc: Incumbent, patch: MovePatch): Incumbent {
  const variant = { ...inc.variant };
  for (const [k, v] of Object.entries(patch.variant ?? {})) {
    if (k === 'retrieval' && isMap(v)) {
      const before = variant.retrieval;
      variant.retrieval = { ...(isMap(before) ? before : {}), ...v };
    } else variant[k] = v;
  }
  return { variant, file: { ...inc.file, ...(patch.file ?? {}) } };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A stable identity of an incumbent (two moves that lead to the same prompt are one move). */
export function incumbentKey(inc: Incumbent): string {
  return canonicalJson(inc);
}

/** The prompt file text that runs the incumbent as the variant `name`. */
export function promptText(original: string, inc: Incumbent, name: string, prompty: boolean): string {
  let text = original;
  for (const [k, v] of Object.entries(inc.file)) text = setTopLevel(text, k, v, { prompty });
  return addVariant(text, { name, ...inc.variant }, { prompty });
}

/** The climbed file the user applies: the original plus a variant named `climbed` (or the next free name). */
export function climbedText(original: string, inc: Incumbent, prompty: boolean): { text: string; variant: string } {
  const variant = freeVariantName(original, 'climbed', prompty);
  return { text: promptText(original, inc, variant, prompty), variant };
}
