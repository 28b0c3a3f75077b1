// Format / instruction failures (LLM optimization: how the model must act). Few-shot is the signal:
//   examples clear them (evidence)           → prompt-engineering: keep the examples (fine-tuning only saves tokens)
//   examples reduce but do not clear them    → fine-tuning (the behaviour is learnable; drop the examples, save tokens)
//   examples do not move them, or only inside noise, or no few-shot variant → prompt-engineering first
//   (clearer instructions, structured output / JSON schema mode), and measure few-shot.

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals, VariantSignals } from '../signals';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { failuresText, groupFinding, groupLabel } from '../rule';
import { movement, type Movement } from '../movement';
import { savingsWords, tokenSavings } from '../tokens';
import { offTopicSentence } from '../relevancy';

export const meta = {
  id: 'format',
  description: 'Output lacks the required structure or ignores instructions; few-shot variants tell whether examples teach it.',
  kinds: ['prompt-engineering', 'fine-tuning'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const base = s.baseline;
  if (!base) return [];
  const all = s.variants.reduce((n, v) => n + s.count(v, 'format'), 0);
  if (all === 0) return [];
  const label = groupLabel(s, 'format');
  const m = movement(s, 'format', s.fewShot, `examples teach the ${label}`, true);
  if (m.kind === 'reduced' && m.variant) return [fineTuneFinding(s, ctx, m, m.variant, label)];
  if (m.kind === 'cleared' && m.variant) return [keepExamplesFinding(s, ctx, m, m.variant, label)];
  return [instructionsFinding(s, base, m, label, all)];
}

/** Examples reduce the failures but do not clear them: the form is learnable, so fine-tune. */
function fineTuneFinding(s: RunSignals, ctx: AdviseContext, m: Movement, fewShot: VariantSignals, label: string): Finding {
  const t = tokenSavings(s, fewShot, ctx);
  const share = m.before ? m.after / m.before : 1;
  const bestIsRag = s.best?.role === 'rag';
  return groupFinding(s, {
    rule: meta.id,
    group: 'format',
    kind: 'fine-tuning',
    prior: 0.7 + 0.2 * (1 - share),
    p: m.p,
    title: `Few-shot cuts ${label} failures from ${m.before} to ${m.after} but does not clear them: fine-tune`,
    why:
      `${m.sentence} The model learns the expected form from examples, but ${fewShot.shots} examples in the prompt are not enough. ` +
      `Fine-tuning on many examples teaches the form reliably and drops the examples from every call (${savingsWords(t)}).` +
      (bestIsRag ? ` The best variant, ${s.best!.name}, retrieves context: keep retrieval for the facts and fine-tune for the form (fine-tune + RAG).` : ''),
    actions: [
      commandAction(ADVISOR_COMMANDS.exportFineTune, 'Export fine-tuning dataset'),
      commandAction(ADVISOR_COMMANDS.addTestCase, 'Add test cases (fine-tuning needs 50+ good examples)'),
      bestIsRag ? `Until the fine-tuned model is ready, keep ${s.best!.name}` : `Until the fine-tuned model is ready, keep ${fewShot.shots} examples in the prompt`,
    ],
    extra: { bestFewShot: fewShot.name, pValue: round3(m.p!), fixed: m.pair!.fixed, broken: m.pair!.broken, ...t },
  });
}

/** Examples clear the failures: keep them (fine-tuning would only save their tokens). */
function keepExamplesFinding(s: RunSignals, ctx: AdviseContext, m: Movement, fewShot: VariantSignals, label: string): Finding {
  const t = tokenSavings(s, fewShot, ctx);
  return groupFinding(s, {
    rule: meta.id,
    group: 'format',
    kind: 'prompt-engineering',
    prior: 0.8,
    p: m.p,
    title: `${fewShot.shots} examples clear the ${label} failures: keep them`,
    why: `${m.sentence} Examples in the prompt are enough; fine-tuning would only save their tokens on each call (${savingsWords(t)}).`,
    actions: [
      `Keep ${fewShot.shots} examples (shots: ${fewShot.shots}) in the prompt`,
      commandAction(ADVISOR_COMMANDS.exportFineTune, 'Export a fine-tuning dataset to save the example tokens'),
    ],
    extra: { bestFewShot: fewShot.name, pValue: round3(m.p!), ...t },
  });
}

/** Examples do not move the failures, move them only inside noise, or there is nothing to compare with: fix the prompt first. */
function instructionsFinding(s: RunSignals, base: VariantSignals, m: Movement, label: string, all: number): Finding {
  const schemaTip = 'Use structured output: responseFormat json_schema with the expected schema (or json_object)';
  const instructionTip = 'Rewrite the instruction: state the exact output form first, with one example of it';
  const baseCount = s.count(base, 'format');
  const noVariant = m.kind === 'no-variant' || m.kind === 'none';
  const why =
    offTopicSentence(s, base, baseCount) +
    (noVariant
      ? `${failuresText(baseCount || all, label)} in ${baseCount ? base.name : 'the run'}, and no few-shot variant to tell whether examples would teach the form. `
      : `${m.sentence} `) +
    'Fix the prompt first: say exactly what form the answer must take, and where the form is JSON let the API enforce it (structured output). ' +
    (noVariant ? 'Add few-shot variants to measure whether examples help; if they reduce the failures without clearing them, fine-tuning is the next rung.' : 'Fine-tuning is premature while examples show no real effect.');
  return groupFinding(s, {
    rule: meta.id,
    group: 'format',
    kind: 'prompt-engineering',
    prior: m.kind === 'not-moved' ? 0.8 : m.kind === 'noise' ? 0.6 : 0.7,
    title: noVariant ? `${cap(label)} failures: tighten the instructions, then measure few-shot` : `Examples do not clearly help the ${label} failures: fix the instructions`,
    why,
    actions: [instructionTip, schemaTip, ...(noVariant ? [commandAction(ADVISOR_COMMANDS.addFewShot, 'Add few-shot variants')] : [])],
    extra: m.variant ? { bestFewShot: m.variant.name, pValue: round3(m.p ?? 1), movement: m.kind } : { movement: m.kind },
  });
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export const rule: Rule = { meta, check };
