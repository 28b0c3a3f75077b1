// Self-repair variants (the seed's self-consistency check): generate, run the prompt file's reference-free
// checks, feed the failures back, retry — up to N attempts.
//
// Proposed VariantSpec field (engine support): `selfRepair: { maxAttempts: number }` (default 2 extra attempts).
// Engine loop: reply → `referenceFreeEvaluators(spec evaluators)` on it → if any failed and attempts remain,
// append the reply as an assistant message and `repairMessage(failures)` as a user message, call again.
// The record keeps the final reply and the attempt count; all attempts' tokens and cost are summed.

import type { ChatMessage, EvaluatorSpec } from '../prompt/spec';

export const DEFAULT_REPAIR_ATTEMPTS = 2;

/**
 * Evaluators that can judge a reply without knowing the right answer: JSON (with schema), regex, string
 * shape checks that do not mention the expected output, refusal. Others (contains {{expected}}, similarity,
 * judges against a reference) would leak the answer into the retry and are excluded.
 */
export function referenceFreeEvaluators(evaluators: EvaluatorSpec[]): EvaluatorSpec[] {
  return evaluators.filter((e) => {
    switch (e.kind) {
      case 'json':
      case 'refusal':
      case 'code': // the project's own check (e.g. run the query): its reason goes back to the model
        return true;
      case 'regex':
        return !mentionsVars(e.pattern);
      case 'string': {
        if (e.contains !== undefined || e.equals !== undefined) return false;
        return [e.startsWith, e.endsWith].every((v) => v === undefined || !mentionsVars(v));
      }
      default:
        return false;
    }
  });
}

function mentionsVars(s: string): boolean {
  return /\{\{/.test(s);
}

/** The user message that feeds failed checks back to the model. */
export function repairMessage(failures: { name: string; details?: string }[]): string {
  const lines = failures.map((f) => `- ${f.name}: ${(f.details ?? 'failed').replace(/\s+/g, ' ').trim()}`);
  return (
    'Your previous answer failed these checks:\n' +
    lines.join('\n') +
    '\nFix the problems and reply again with the corrected answer only, nothing else.'
  );
}

/** The conversation for the next attempt: what was sent, the failed reply, and the repair request. */
export function repairConversation(sent: ChatMessage[], reply: string, failures: { name: string; details?: string }[]): ChatMessage[] {
  return [...sent, { role: 'assistant', content: reply }, { role: 'user', content: repairMessage(failures) }];
}
