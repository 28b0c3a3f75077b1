// Knowledge failures (context optimization: what the model must know). Fine-tuning does not add knowledge.
//   a RAG variant fixes them (evidence) → rag: keep retrieval (and tune it for what remains)
//   a RAG variant does not fix them      → rag: retrieval is not bringing the facts (retrieval actions)
//   no RAG variant, few-shot fixes them  → rag over examples (select: similar)
//   no RAG variant, examples do not help → rag: add retrieval

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals, VariantSignals } from '../signals';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { EVIDENCE_P, failuresText, groupFinding } from '../rule';
import { movement } from '../movement';
import { formatP } from '../stats';
import { retrievalActions } from './retrievalActions';
import { topKComparison } from './topK';

export const NO_FINE_TUNING = 'Fine-tuning will not add knowledge: it teaches form, style and behaviour, not new facts the model can reliably recall.';

export const meta = {
  id: 'knowledge',
  description: 'Expected facts missing or wrong; RAG variants and few-shot variants tell whether context fixes them.',
  kinds: ['rag'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const base = s.baseline;
  if (!base) return [];
  const all = s.variants.reduce((n, v) => n + s.count(v, 'knowledge'), 0);
  if (all === 0) return [];
  const before = s.count(base, 'knowledge');
  const rags = s.byRole('rag').filter((v) => v.judged > 0);
  if (rags.length && before > 0) return [withRetrieval(s, ctx, base, rags)];
  return [withoutRetrieval(s, base, before || all)];
}

/** A RAG variant ran: does the best of them fix the baseline's knowledge failures, or not? */
function withRetrieval(s: RunSignals, ctx: AdviseContext, base: VariantSignals, rags: VariantSignals[]): Finding {
  const before = s.count(base, 'knowledge');
  // the RAG variant that leaves the fewest knowledge + retrieval failures
  const score = (v: (typeof rags)[number]) => (s.count(v, 'knowledge') + s.count(v, 'retrieval')) / v.judged;
  const rag = rags.reduce((a, b) => (score(b) < score(a) ? b : a));
  const pair = s.pair(base, rag, 'knowledge');
  const p = Math.min(1, pair.p * rags.length);
  const left = s.count(rag, 'knowledge') + s.count(rag, 'retrieval');
  const fixes = pair.fixed.length - pair.broken.length > 0 && p <= EVIDENCE_P;
  const arrow = `${pair.before} → ${s.count(rag, 'knowledge')} of ${pair.shared}`;
  if (fixes) {
    return groupFinding(s, {
      rule: meta.id,
      group: 'knowledge',
      kind: 'rag',
      prior: left === 0 ? 0.85 : 0.75,
      p,
      title: left === 0 ? `${rag.name} fixes the knowledge failures: keep retrieval` : `${rag.name} fixes most knowledge failures: keep retrieval and tune it`,
      why:
        `${rag.name} fixes ${pair.fixed.length} of ${base.name}'s ${failuresText(pair.before, 'knowledge')} on the same cases (${arrow}, ${formatP(p)}): the model lacked the facts and retrieval supplies them. ` +
          NO_FINE_TUNING +
          (left
            ? ` ${left} still fail in ${rag.name}: cases where retrieval did not bring the fact.${topKNote(s)}`
            : ` Next: make ${rag.name} the prompt's default and add harder questions the documents answer; with nothing failing, more cases are how the next rung shows.`),
      actions: left
        ? retrievalActions(s, ctx)
        : [`Keep the retrieval of ${rag.name}`, commandAction(ADVISOR_COMMANDS.generateTestCases, 'Generate test cases from the prompt')],
      extra: { ragVariant: rag.name, pValue: round3(p), fixed: pair.fixed, broken: pair.broken },
    });
  }
  return groupFinding(s, {
    rule: meta.id,
    group: 'knowledge',
    kind: 'rag',
    prior: 0.6,
    title: `Knowledge failures persist with ${rag.name}: retrieval is not bringing the facts`,
    why:
      `${base.name} has ${failuresText(before, 'knowledge')} and ${rag.name} still has ${left} (${arrow}, ${formatP(p)}): the idea (RAG) is right, the retrieval is not finding the facts. ` +
        NO_FINE_TUNING +
        topKNote(s),
    actions: retrievalActions(s, ctx),
    extra: { ragVariant: rag.name, pValue: round3(p) },
  });
}

/** No RAG variant: the few-shot variants tell whether examples carry the facts; else add retrieval. */
function withoutRetrieval(s: RunSignals, base: VariantSignals, count: number): Finding {
  const before = s.count(base, 'knowledge');
  const m = movement(s, 'knowledge', s.fewShot, 'the examples carry the missing facts', false);
  const ragActions = [
    commandAction(ADVISOR_COMMANDS.addRetrieval, 'Add retrieval'),
    'Put the documents that hold the missing facts in the folder the retrieval glob reads (./docs by default)',
  ];
  if ((m.kind === 'reduced' || m.kind === 'cleared') && m.variant) {
    return groupFinding(s, {
      rule: meta.id,
      group: 'knowledge',
      kind: 'rag',
      prior: 0.6,
      p: m.p,
      title: 'Examples supply the missing facts: retrieve similar examples',
      why:
        `${m.sentence} The examples seem to carry the facts, so retrieve them per question (few-shot with select: similar is retrieval over examples) or index the same facts as documents. ` +
          NO_FINE_TUNING,
      actions: ['Add a variant with select: similar over a larger example pool', ...ragActions],
      extra: { bestFewShot: m.variant.name, pValue: round3(m.p!) },
    });
  }
  return groupFinding(s, {
    rule: meta.id,
    group: 'knowledge',
    kind: 'rag',
    prior: m.kind === 'not-moved' ? 0.85 : m.kind === 'noise' ? 0.75 : 0.75,
    title: 'The model lacks facts: add retrieval',
    why:
      (m.sentence ? `${m.sentence} ` : `${count} ${count === 1 ? 'answer misses' : 'answers miss'} or get wrong the expected facts in ${before ? base.name : 'the run'}. `) +
        `Give the model the facts at question time with retrieval (RAG). ${NO_FINE_TUNING}`,
    actions: ragActions,
    extra: m.variant ? { bestFewShot: m.variant.name, movement: m.kind } : { movement: m.kind },
  });
}

/** " More chunks did worse: …" when a larger topK passes fewer cases than a smaller one, else ''. */
function topKNote(s: RunSignals): string {
  const fewer = topKComparison(s);
  return fewer ? ` ${fewer.sentence}` : '';
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export const rule: Rule = { meta, check };
