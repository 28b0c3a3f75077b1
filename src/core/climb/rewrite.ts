// The instruction rewrite (reflective, as GEPA does): a model reads the current system message and the failing
// SEARCH cases — their inputs, the replies, the error categories and the evaluators' reasons — and proposes a
// revised system message. It never sees a validation or test case, nor their expected outputs: a climb that
// leaks held-out cases into the prompt reports a number that means nothing.

import type { CaseRecord } from '../runs/schema';
import type { ChatMessage } from '../prompt/spec';

/** At most this many failing cases go into one proposal request (the first ones by case order). */
const MAX_CASES = 12;
const MAX_FIELD = 600;

/** Each proposal asks from its own angle, so the candidates differ. */
const ANGLES = [
  'Address the most common kind of failure first, in one or two precise sentences.',
  'State the exact form of the answer first (what it starts with, its structure, its length), then the task.',
  'Make every rule the failing replies broke explicit, without adding rules the task does not need.',
];

function clip(s: string): string {
  return s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD)}…` : s;
}

/**
 * The request for one proposal. `failing` must hold search cases only (the loop passes the incumbent's
 * search run); `system` is the current system message as the model saw it.
 */
export function rewriteRequest(system: string, failing: readonly CaseRecord[], angle: number): ChatMessage[] {
  const cases = failing.slice(0, MAX_CASES).map((c, i) => {
    const r = c.results[0];
    const reasons = (r?.evaluators ?? []).filter((e) => !e.passed).map((e) => `${e.name}${e.details ? `: ${clip(e.details)}` : ''}`);
    return [
      `Case ${i + 1}`,
      `Input: ${clip(JSON.stringify(c.vars))}`,
      `Reply: ${clip(r?.answer ?? r?.output ?? '')}`,
      `Category: ${r?.category ?? 'unknown'}`,
      reasons.length ? `Failed checks: ${reasons.join('; ')}` : '',
    ]
      .filter(Boolean)
      .join('\n');
  });
  return [
    {
      role: 'system',
      content:
        'You revise the system message of a prompt so that a model answers the failing cases correctly without breaking the others. ' +
        'Reply with only the revised system message: no preamble, no quotes, no explanation.',
    },
    {
      role: 'user',
      content: `Current system message:\n<<<\n${system}\n>>>\n\nFailing cases:\n\n${cases.join('\n\n')}\n\n${ANGLES[angle % ANGLES.length]}`,
    },
  ];
}

/** The proposed system message from a reply (fences and quotes around it removed); undefined when empty. */
export function proposedSystem(reply: string): string | undefined {
  let t = reply.trim();
  const fence = /^```[\w-]*\n([\s\S]*?)\n?```$/.exec(t);
  if (fence) t = fence[1].trim();
  t = t.replace(/^<<<\n?|\n?>>>$/g, '').trim();
  if (/^".*"$/s.test(t)) t = t.slice(1, -1).trim();
  return t || undefined;
}
