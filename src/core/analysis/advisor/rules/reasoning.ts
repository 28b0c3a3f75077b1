// Reasoning failures (facts present, wrong conclusion or computation) → prompt-engineering: chain of thought,
// decomposition, self-consistency. A chain-of-thought / self-repair / other-model variant is the evidence.

import type { Finding, Rule } from '../rule';
import type { RunSignals, VariantSignals } from '../signals';
import { ADVISOR_COMMANDS, RERUN, commandAction } from '../commands';
import { EVIDENCE_P, failuresText, groupFinding } from '../rule';
import { formatP } from '../stats';

export const meta = {
  id: 'reasoning',
  description: 'The answer had what it needed but reached a wrong conclusion or result.',
  kinds: ['prompt-engineering'],
} satisfies Rule['meta'];

export function check(s: RunSignals): Finding[] {
  const base = s.baseline;
  if (!base) return [];
  const all = s.variants.reduce((n, v) => n + s.count(v, 'reasoning'), 0);
  if (all === 0) return [];
  const before = s.count(base, 'reasoning');
  const helpers: VariantSignals[] = [...s.byRole('chain-of-thought'), ...s.byRole('self-repair'), ...s.byRole('model')].filter((v) => v.judged > 0);
  const scored = helpers.map((v) => ({ v, pair: s.pair(base, v, 'reasoning') })).sort((a, b) => b.pair.fixed.length - b.pair.broken.length - (a.pair.fixed.length - a.pair.broken.length));
  const top = scored[0];
  const p = top ? Math.min(1, top.pair.p * scored.length) : undefined;
  const helps = !!top && before > 0 && top.pair.fixed.length > top.pair.broken.length && p! <= EVIDENCE_P;
  const actions = [
    commandAction(ADVISOR_COMMANDS.addChainOfThought, 'Add chain-of-thought variant', [RERUN]),
    commandAction(ADVISOR_COMMANDS.addSelfRepair, 'Add self-repair variant (self-consistency: check and retry)', [RERUN]),
    'Decompose the task into smaller prompts (extract facts, then compute, then format)',
  ];
  const what = (v: VariantSignals) => (v.role === 'chain-of-thought' ? 'step-by-step reasoning' : v.role === 'self-repair' ? 'checking and retrying' : `the model ${v.model}`);
  let why: string;
  let title = 'The facts are there but the conclusions are wrong: let the model reason step by step';
  let prior = 0.8;
  if (helps) {
    const left = s.count(top.v, 'reasoning');
    why =
      `${top.v.name} fixes ${top.pair.fixed.length} of ${base.name}'s ${failuresText(top.pair.before, 'reasoning')} and breaks ${top.pair.broken.length} on the same cases ` +
      `(${top.pair.before} → ${top.pair.after} of ${top.pair.shared}, ${formatP(p!)}): ${what(top.v)} is what these answers lacked, not facts. ` +
      (left ? `For the ${left} left, add self-consistency (generate, check, retry) or split the task.` : `Keep ${top.v.name}.`);
    title = left ? `${top.v.name} fixes most reasoning failures: keep it and add self-consistency` : `${top.v.name} fixes the reasoning failures: keep it`;
    prior = 0.85;
  } else if (top) {
    why =
      `${failuresText(all, 'reasoning')}: answers had what they needed but reached a wrong conclusion or result. ` +
      `${top.v.name} does not clearly reduce them (${top.pair.before} → ${top.pair.after} of ${top.pair.shared}, ${formatP(p!)}): try decomposing the task, self-consistency, or a stronger model.`;
    prior = 0.6;
  } else {
    why =
      `${failuresText(all, 'reasoning')}: answers had what they needed but reached a wrong conclusion or result. ` +
      'Give the model room to think (chain of thought), split the task into steps, and check the answer (self-consistency).';
  }
  return [
    groupFinding(s, {
      rule: meta.id,
      group: 'reasoning',
      kind: 'prompt-engineering',
      prior,
      ...(helps ? { p } : {}),
      title,
      why,
      actions,
      extra: top ? { helperVariant: top.v.name, pValue: Math.round(p! * 1000) / 1000, ...(top.v.role === 'chain-of-thought' ? { cotVariant: top.v.name } : {}) } : {},
    }),
  ];
}

export const rule: Rule = { meta, check };
