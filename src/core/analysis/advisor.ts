// The escalation advisor (PRODUCT.md "The escalation advisor"): reads the error categories of a run AND
// the deltas between its variants, and returns ranked recommendations of kind
// evaluation | prompt-engineering | rag | fine-tuning, each with a confidence, a plain-language why,
// evidence (counts, per-variant numbers, the case indexes behind it) and actions.
//
// Terms: the BASELINE is the variant without retrieval and with the fewest shots (zero-shot, usually);
// FEW-SHOT variants have no retrieval and more shots than the baseline (same model preferred);
// RAG variants retrieve context (VariantSummary.retrieval, or their results carry `context`).
// Results with a transport error are left out: they say nothing about the model.
//
// Rules (the PRODUCT.md ones, with the data allowed to overrule them — the `why` says so):
//   - fewer than MIN_CASES (10) cases → `evaluation` first: with under 10 cases one case moves a pass rate by
//     more than 10 points, so a 1–2 case difference between variants is noise. Under COMFORTABLE_CASES (20),
//     `evaluation` is still listed (lower) and the other confidences are damped.
//   - format/instruction: few-shot reduces but does not clear → `fine-tuning` (tokens saved per call = the
//     few-shot tokens); few-shot clears → `prompt-engineering` (keep the examples; fine-tuning only to save
//     tokens); few-shot does not move them, or no few-shot variant → `prompt-engineering` (clearer
//     instructions, JSON schema mode, and measure few-shot).
//   - knowledge: few-shot does not help → `rag`, saying fine-tuning will not add knowledge. If few-shot DOES
//     help, the examples carry the facts: still `rag`, but retrieving similar examples (select: similar).
//     If a RAG variant already fixes it → keep it; if a RAG variant does not → retrieval actions.
//   - retrieval → `rag` with retrieval actions (chunking, reranking, HyDE, query expansion, topK).
//   - grounding → `prompt-engineering` ("answer only from the context", cite sources), then `fine-tuning`.
//   - reasoning → `prompt-engineering`: chain of thought, decomposition, self-consistency.
//   - refusal → `prompt-engineering` (scope the task in the system message).
//   - several categories → several recommendations ranked by share of failures × confidence; recommendations
//     of the same kind are merged.

import type { PromptSpec } from '../prompt/spec';
import type { Advice, CaseResult, Recommendation, RecommendationKind, RunRecord, VariantSummary } from '../runs/schema';
import { estimateCostUsd, priceOf } from '../providers/pricing';

export const MIN_CASES = 10;
export const COMFORTABLE_CASES = 20;

/** VS Code command ids the actions refer to (as `command:<id>|Label`). */
export const ADVISOR_COMMANDS = {
  addRetrieval: 'promptLadder.addRetrieval',
  exportFineTune: 'promptLadder.exportFineTune',
  addChainOfThought: 'promptLadder.addChainOfThoughtVariant',
  addSelfRepair: 'promptLadder.addSelfRepairVariant',
  addFewShot: 'promptLadder.addFewShotVariants',
  addTestCase: 'promptLadder.addTestCase',
} as const;

export interface AdviseContext {
  spec?: PromptSpec;
  /** Price of prompt tokens, USD per million, when the model's price is not in the pricing table. */
  pricing?: { promptUsdPerMTok?: number };
}

/** Numbers about one variant that the rules read. */
export interface VariantStats {
  variant: string;
  model: string;
  shots: number;
  retrieval: boolean;
  /** Non-error results. */
  results: number;
  passed: number;
  failed: number;
  errors: number;
  /** Failing non-error results per category. */
  categories: Record<string, number>;
  /** Case indexes per category. */
  casesByCategory: Record<string, number[]>;
  /** Mean prompt tokens per call (non-error results). */
  promptTokensPerCall: number;
}

type Group = 'format-instruction' | 'knowledge' | 'retrieval' | 'grounding' | 'reasoning' | 'refusal';
const GROUPS: Record<Group, string[]> = {
  'format-instruction': ['format', 'instruction'],
  knowledge: ['knowledge'],
  retrieval: ['retrieval'],
  grounding: ['grounding'],
  reasoning: ['reasoning'],
  refusal: ['refusal'],
};

interface Candidate extends Recommendation {
  /** Ranking score: share of failures behind it × confidence. */
  rank: number;
}

export function advise(record: RunRecord, ctx: AdviseContext = {}): Advice {
  const stats = variantStats(record, ctx.spec);
  const caseCount = record.cases.filter((c) => c.results.some((r) => !r.error)).length;
  // Only transport/provider failures: nothing the model did can be judged, so there is no advice to give.
  if (caseCount === 0) return { recommendations: [] };
  const candidates: Candidate[] = [];
  const damp = caseCount >= COMFORTABLE_CASES ? 1 : caseCount >= MIN_CASES ? 0.8 : 0.6;

  const totalFailures = stats.reduce((s, v) => s + v.failed, 0);
  const baseline = pickBaseline(stats);

  if (caseCount < COMFORTABLE_CASES || totalFailures === 0) {
    candidates.push(evaluationCandidate(record, caseCount, totalFailures, stats));
  }

  if (baseline && totalFailures > 0) {
    const fewShot = stats.filter((v) => !v.retrieval && v.shots > baseline.shots);
    const sameModel = fewShot.filter((v) => v.model === baseline.model);
    const fewShotPool = sameModel.length ? sameModel : fewShot;
    const rag = stats.filter((v) => v.retrieval);
    const env: RuleEnv = { stats, baseline, fewShot: fewShotPool, rag, totalFailures, damp, ctx, record };
    for (const group of Object.keys(GROUPS) as Group[]) {
      const c = RULES[group](env);
      if (Array.isArray(c)) candidates.push(...c);
      else if (c) candidates.push(c);
    }
  }

  const merged = mergeByKind(candidates);
  merged.sort((a, b) => {
    // too few cases: evaluation goes first whatever else the data says
    if (caseCount < MIN_CASES) {
      if (a.kind === 'evaluation' && b.kind !== 'evaluation') return -1;
      if (b.kind === 'evaluation' && a.kind !== 'evaluation') return 1;
    }
    return b.rank - a.rank;
  });
  return {
    recommendations: merged.map(({ rank: _rank, ...r }) => ({ ...r, confidence: round2(r.confidence) })),
  };
}

/** "fine-tuning (70%): Few-shot cuts format failures from 8 to 3 but does not clear them" — for the CLI. */
export function topRecommendationLine(advice: Advice | undefined): string {
  const top = advice?.recommendations[0];
  if (!top) return 'No recommendation: nothing to go on.';
  return `${top.kind} (${Math.round(top.confidence * 100)}% confidence): ${top.title ?? firstSentence(top.why)}`;
}

// ---------------------------------------------------------------------------------------------
// Statistics

export function variantStats(record: RunRecord, spec?: PromptSpec): VariantStats[] {
  const names: string[] = record.variants.map((v) => v.name);
  for (const c of record.cases) for (const r of c.results) if (!names.includes(r.variant)) names.push(r.variant);
  return names.map((name) => {
    const summary: VariantSummary | undefined = record.variants.find((v) => v.name === name);
    const vspec = spec?.variants.find((v) => v.name === name);
    const results: { index: number; r: CaseResult }[] = [];
    for (const c of record.cases) for (const r of c.results) if (r.variant === name) results.push({ index: c.index, r });
    const ok = results.filter((x) => !x.r.error);
    const categories: Record<string, number> = {};
    const casesByCategory: Record<string, number[]> = {};
    let passed = 0;
    let failed = 0;
    for (const { index, r } of ok) {
      if (r.passed) {
        passed++;
        continue;
      }
      failed++;
      const cat = r.category ?? 'uncategorized';
      categories[cat] = (categories[cat] ?? 0) + 1;
      const list = (casesByCategory[cat] ??= []);
      if (!list.includes(index)) list.push(index);
    }
    const retrieval =
      summary?.retrieval === true || vspec?.retrieval === true || results.some((x) => (x.r.context?.length ?? 0) > 0);
    const promptTokens = ok.reduce((s, x) => s + x.r.tokens.prompt, 0);
    return {
      variant: name,
      model: summary?.model ?? vspec?.model ?? ok[0]?.r.model ?? '',
      shots: summary?.shots ?? vspec?.shots ?? 0,
      retrieval,
      results: ok.length,
      passed,
      failed,
      errors: results.length - ok.length,
      categories,
      casesByCategory,
      promptTokensPerCall: ok.length ? promptTokens / ok.length : 0,
    };
  });
}

function pickBaseline(stats: VariantStats[]): VariantStats | undefined {
  const plain = stats.filter((v) => !v.retrieval && v.results > 0);
  const pool = plain.length ? plain : stats.filter((v) => v.results > 0);
  return pool.reduce<VariantStats | undefined>((best, v) => (!best || v.shots < best.shots ? v : best), undefined);
}

function groupCount(v: VariantStats, group: Group): number {
  return GROUPS[group].reduce((s, c) => s + (v.categories[c] ?? 0), 0);
}

function groupRate(v: VariantStats, group: Group): number {
  return v.results ? groupCount(v, group) / v.results : 0;
}

function groupCases(vs: VariantStats[], group: Group): number[] {
  const set = new Set<number>();
  for (const v of vs) for (const c of GROUPS[group]) for (const i of v.casesByCategory[c] ?? []) set.add(i);
  return [...set].sort((a, b) => a - b);
}

function perVariant(stats: VariantStats[], group: Group) {
  return stats.map((v) => ({
    variant: v.variant,
    shots: v.shots,
    retrieval: v.retrieval,
    results: v.results,
    failures: groupCount(v, group),
    passRate: v.results ? round2(v.passed / v.results) : 0,
    cases: groupCases([v], group),
  }));
}

function countsOf(v: VariantStats, group: Group): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of GROUPS[group]) if (v.categories[c]) out[c] = v.categories[c];
  return out;
}

type Movement = 'none-to-move' | 'cleared' | 'reduced' | 'not-moved' | 'no-variant';

/** How the best few-shot variant moved a group's failures relative to the baseline (by rate, so errors do not skew it). */
function fewShotMovement(env: RuleEnv, group: Group): { movement: Movement; best?: VariantStats; base: number; bestCount?: number } {
  const base = groupCount(env.baseline, group);
  if (base === 0) return { movement: 'none-to-move', base };
  if (!env.fewShot.length) return { movement: 'no-variant', base };
  const best = env.fewShot.reduce((a, b) => (groupRate(b, group) < groupRate(a, group) ? b : a));
  const baseRate = groupRate(env.baseline, group);
  const bestRate = groupRate(best, group);
  const bestCount = groupCount(best, group);
  if (bestCount === 0) return { movement: 'cleared', best, base, bestCount };
  // "reduced": at least a quarter fewer failures by rate, and at least one whole case fewer
  const reducedEnough = bestRate <= baseRate * 0.75 && base - bestCount * (env.baseline.results / Math.max(1, best.results)) >= 1;
  return { movement: reducedEnough ? 'reduced' : 'not-moved', best, base, bestCount };
}

// ---------------------------------------------------------------------------------------------
// Rules

interface RuleEnv {
  stats: VariantStats[];
  baseline: VariantStats;
  fewShot: VariantStats[];
  rag: VariantStats[];
  totalFailures: number;
  damp: number;
  ctx: AdviseContext;
  record: RunRecord;
}

function share(env: RuleEnv, group: Group): { share: number; count: number } {
  const count = env.stats.reduce((s, v) => s + groupCount(v, group), 0);
  return { share: env.totalFailures ? count / env.totalFailures : 0, count };
}

function candidate(
  env: RuleEnv,
  group: Group,
  kind: RecommendationKind,
  confidence: number,
  title: string,
  why: string,
  actions: string[],
  extra: Record<string, unknown> = {},
): Candidate {
  const { share: s, count } = share(env, group);
  const conf = clamp(confidence * env.damp, 0.05, 0.95);
  return {
    kind,
    confidence: conf,
    title,
    why,
    evidence: {
      category: group,
      failures: count,
      shareOfFailures: round2(s),
      counts: countsOf(env.baseline, group),
      baseline: env.baseline.variant,
      perVariant: perVariant(env.stats, group),
      cases: groupCases(env.stats, group),
      ...extra,
    },
    actions,
    rank: s * conf,
  };
}

const RULES: Record<Group, (env: RuleEnv) => Candidate | Candidate[] | undefined> = {
  'format-instruction': (env) => {
    const { count } = share(env, 'format-instruction');
    if (count === 0) return undefined;
    const m = fewShotMovement(env, 'format-instruction');
    const label = labelFor(env, 'format-instruction');
    const base = env.baseline.variant;
    if (m.movement === 'reduced' && m.best) {
      const saved = Math.max(0, Math.round(m.best.promptTokensPerCall - env.baseline.promptTokensPerCall));
      const per1000 = savedPer1000(env, m.best, saved);
      const net = netPer1000(m.best, env.baseline);
      return candidate(
        env,
        'format-instruction',
        'fine-tuning',
        0.55 + 0.3 * (1 - m.bestCount! / Math.max(1, m.base)),
        `Few-shot cuts ${label} failures from ${m.base} to ${m.bestCount} but does not clear them: fine-tune`,
        `${m.best.variant} (${m.best.shots} examples) has ${failures(m.bestCount!, label)} where ${base} has ${m.base}: ` +
          `the model learns the expected form from examples, but ${m.best.shots} examples in the prompt are not enough. ` +
          `Fine-tuning on many examples teaches the form reliably and drops the examples from every call ` +
          `(about ${saved} prompt tokens per call${per1000 !== undefined ? `, ≈ $${per1000.toFixed(4)} per 1,000 calls at the base model's price` : ''}` +
          (net !== undefined
            ? `; net of the fine-tuned model's higher price, prompts cost ${net >= 0 ? `$${net.toFixed(4)} less per 1,000 calls)` : `$${(-net).toFixed(4)} more per 1,000 calls, so the gain is quality, not price)`}.`
            : '; fine-tuned models cost more per token, so check the net).'),
        [
          `command:${ADVISOR_COMMANDS.exportFineTune}|Export fine-tuning dataset`,
          `command:${ADVISOR_COMMANDS.addTestCase}|Add test cases (fine-tuning needs 50+ good examples)`,
          'Until then, keep the few-shot variant in production',
        ],
        {
          bestFewShot: m.best.variant,
          tokensSavedPerCall: saved,
          ...(per1000 !== undefined ? { savedPer1000CallsUsd: round6(per1000) } : {}),
          ...(net !== undefined ? { netPromptSavedPer1000CallsUsd: round6(net) } : {}),
        },
      );
    }
    if (m.movement === 'cleared' && m.best) {
      return candidate(
        env,
        'format-instruction',
        'prompt-engineering',
        0.7,
        `${m.best.variant} clears the ${label} failures: keep the examples`,
        `${base} has ${failures(m.base, label)} and ${m.best.variant} has none, so examples in the prompt are enough. ` +
          'Fine-tuning would only save the example tokens on each call; it is not needed for quality.',
        [`Use ${m.best.variant}`, `command:${ADVISOR_COMMANDS.exportFineTune}|Estimate tokens saved by fine-tuning`],
        { bestFewShot: m.best.variant },
      );
    }
    const jsonish = (env.baseline.categories.format ?? 0) > 0;
    const why =
      m.movement === 'no-variant'
        ? `${failures(m.base, label)} in ${base} and no few-shot variant to compare with. Make the instructions explicit first, then add few-shot variants to see whether examples move these failures.`
        : m.movement === 'none-to-move'
          ? `${label} failures appear in variants other than ${base} (few-shot or RAG): check what those prompts add.`
          : `${m.best!.variant} (${m.best!.shots} examples) has ${failures(m.bestCount!, label)} against ${m.base} in ${base}: examples do not move them, ` +
            'so the model is not missing a pattern it could copy — the instructions are unclear or the structure is not enforced. ' +
            'Fine-tuning would be premature (PRODUCT.md: it pays off once few-shot shows the model can learn the form).';
    return candidate(
      env,
      'format-instruction',
      'prompt-engineering',
      m.movement === 'not-moved' ? 0.75 : 0.6,
      m.movement === 'not-moved'
        ? `Few-shot does not move the ${label} failures: rewrite the instructions`
        : `${cap(label)} failures: make the instructions explicit`,
      why,
      [
        'State the required output format explicitly, with one complete example in the system message',
        ...(jsonish ? ['Use structured output: responseFormat json_schema (JSON schema mode) instead of asking for JSON in words'] : []),
        'Split long instructions into numbered rules; put the most important rule last',
        ...(m.movement === 'no-variant' ? [`command:${ADVISOR_COMMANDS.addFewShot}|Add few-shot variants`] : []),
        `command:${ADVISOR_COMMANDS.addSelfRepair}|Add self-repair variant (check, feed back the error, retry)`,
      ],
      m.best ? { bestFewShot: m.best.variant } : {},
    );
  },

  knowledge: (env) => {
    const { count } = share(env, 'knowledge');
    if (count === 0) return undefined;
    const m = fewShotMovement(env, 'knowledge');
    const base = env.baseline.variant;
    const ragBest = env.rag.length ? env.rag.reduce((a, b) => (groupRate(b, 'knowledge') + groupRate(b, 'retrieval') < groupRate(a, 'knowledge') + groupRate(a, 'retrieval') ? b : a)) : undefined;
    const noFt = 'Fine-tuning will not add knowledge: it teaches form, style and behaviour, not new facts the model can reliably recall.';
    const ragActions = [
      `command:${ADVISOR_COMMANDS.addRetrieval}|Add retrieval`,
      'Put the documents that hold the missing facts in a docs folder the retrieval glob reads',
    ];
    if (m.movement === 'reduced' || m.movement === 'cleared') {
      return candidate(
        env,
        'knowledge',
        'rag',
        0.5,
        `Examples supply the missing facts: retrieve similar examples`,
        `Against the usual rule, few-shot helps here: ${m.best!.variant} has ${failures(m.bestCount!, 'knowledge')} against ${m.base} in ${base}. ` +
          'The examples seem to carry the facts, so retrieve them per question (few-shot with select: similar is retrieval over examples) or index the same facts as documents. ' +
          noFt,
        ['Add a variant with select: similar over a larger example pool', ...ragActions],
        { bestFewShot: m.best!.variant, ragVariant: ragBest?.variant },
      );
    }
    if (ragBest) {
      const before = groupCount(env.baseline, 'knowledge');
      const after = groupCount(ragBest, 'knowledge') + groupCount(ragBest, 'retrieval');
      if (after === 0 || after < before * 0.75) {
        return candidate(
          env,
          'knowledge',
          'rag',
          after === 0 ? 0.85 : 0.7,
          after === 0 ? `${ragBest.variant} fixes the knowledge failures: keep retrieval` : `${ragBest.variant} reduces knowledge failures: improve retrieval`,
          `${base} has ${failures(before, 'knowledge')}, ${ragBest.variant} has ${after}. ${noFt}` +
            (after ? ' The rest are cases where retrieval did not bring the fact: tune it.' : ''),
          after === 0 ? [`Use ${ragBest.variant}`] : retrievalActions(),
          { ragVariant: ragBest.variant },
        );
      }
      return candidate(
        env,
        'knowledge',
        'rag',
        0.6,
        `Knowledge failures persist with ${ragBest.variant}: retrieval is not bringing the facts`,
        `${base} has ${failures(before, 'knowledge')} and ${ragBest.variant} still has ${after}: the idea (RAG) is right, the retrieval is not finding the facts. ${noFt}`,
        [...retrievalActions(), 'Check that the documents actually contain the missing facts'],
        { ragVariant: ragBest.variant },
      );
    }
    return candidate(
      env,
      'knowledge',
      'rag',
      m.movement === 'not-moved' ? 0.8 : 0.65,
      'The model lacks facts: add retrieval',
      (m.movement === 'not-moved'
        ? `${m.best!.variant} (${m.best!.shots} examples) still has ${failures(m.bestCount!, 'knowledge')} against ${m.base} in ${base}: examples do not help, the model does not know the facts. `
        : `${m.base} ${m.base === 1 ? 'answer misses' : 'answers miss'} or get wrong the expected facts in ${base}. `) +
        `Give the model the facts at question time with retrieval (RAG). ${noFt}`,
      ragActions,
    );
  },

  retrieval: (env) => {
    const { count } = share(env, 'retrieval');
    if (count === 0) return undefined;
    const worst = env.stats.reduce((a, b) => (groupCount(b, 'retrieval') > groupCount(a, 'retrieval') ? b : a));
    const { recall, precision } = ragasFailures(env);
    // precision failing without recall failing: the facts are there, drowned in noise
    const noisy = precision > 0 && recall === 0;
    return candidate(
      env,
      'retrieval',
      'rag',
      0.75,
      noisy ? 'The useful passages are buried among irrelevant ones: retrieve fewer, better-ranked chunks' : 'The context lacks what the answers need: improve retrieval',
      noisy
        ? `${count} failures had context where the useful passages are missing or ranked low (context precision). More retrieved text is not better: ` +
            'rerank the candidates and keep fewer of them.'
        : `${count} failures had context that did not contain the needed information (most in ${worst.variant}). ` +
            'The model is not the bottleneck here; the retrieval is. Better chunks, better queries or reranking get the facts into the context.',
      noisy ? ['Add reranking of the candidates, then lower retrieval.topK', ...retrievalActions()] : retrievalActions(),
      { worstVariant: worst.variant, contextRecallFailures: recall, contextPrecisionFailures: precision },
    );
  },

  grounding: (env) => {
    const { count } = share(env, 'grounding');
    if (count === 0) return undefined;
    const then = candidate(
      env,
      'grounding',
      'fine-tuning',
      0.35,
      'If instructions do not stop ungrounded answers: fine-tune on grounded ones',
      `Second step for the ${count} ungrounded answers: when "answer only from the context" does not fix them, ` +
        'fine-tune on examples that answer strictly from the given context (and say "I don\'t know" when it is silent).',
      [`command:${ADVISOR_COMMANDS.exportFineTune}|Export fine-tuning dataset`],
    );
    const first = candidate(
      env,
      'grounding',
      'prompt-engineering',
      0.7,
      'Answers go beyond the context: tell the model to answer only from it',
      `${count} answers state things the given context does not support. Instruct the model to answer only from the context, ` +
        'cite the passage for each claim and say it does not know when the context is silent. If that is not enough, fine-tune on grounded answers.',
      [
        'Add to the system message: "Answer only from the context. If the context does not say, answer that you do not know."',
        'Ask for a citation (passage number) after each claim',
        `command:${ADVISOR_COMMANDS.exportFineTune}|Then: export a fine-tuning dataset of grounded answers`,
      ],
    );
    return [first, then];
  },

  reasoning: (env) => {
    const { count } = share(env, 'reasoning');
    if (count === 0) return undefined;
    const cot = env.stats.find((v) => /\b(cot|chain|step)/i.test(v.variant) && v !== env.baseline);
    const cotHelped = cot && groupCount(cot, 'reasoning') < groupCount(env.baseline, 'reasoning');
    return candidate(
      env,
      'reasoning',
      'prompt-engineering',
      cot && !cotHelped ? 0.55 : 0.75,
      'The facts are there but the conclusions are wrong: let the model reason step by step',
      `${count} answers had what they needed but reached a wrong conclusion or result. ` +
        (cot
          ? cotHelped
            ? `${cot.variant} already reduces them (${groupCount(cot, 'reasoning')} vs ${groupCount(env.baseline, 'reasoning')}); add self-consistency for the rest.`
            : `${cot.variant} does not reduce them (${groupCount(cot, 'reasoning')} vs ${groupCount(env.baseline, 'reasoning')}): try decomposing the task or a stronger model.`
          : 'Give the model room to think (chain of thought), split the task into steps, and check the answer (self-consistency).'),
      [
        `command:${ADVISOR_COMMANDS.addChainOfThought}|Add chain-of-thought variant`,
        `command:${ADVISOR_COMMANDS.addSelfRepair}|Add self-repair variant (self-consistency: check and retry)`,
        'Decompose the task into smaller prompts (extract facts, then compute, then format)',
      ],
      cot ? { cotVariant: cot.variant } : {},
    );
  },

  refusal: (env) => {
    const { count } = share(env, 'refusal');
    if (count === 0) return undefined;
    return candidate(
      env,
      'refusal',
      'prompt-engineering',
      0.6,
      'The model declines some requests: state the task scope',
      `${count} answers are refusals. Say in the system message what the assistant is for and that these requests are in scope; ` +
        'if the refusals are right, mark those cases with a refusal evaluator (expected: true).',
      ['State the allowed scope and the audience in the system message', 'Mark intended refusals with evaluator refusal: { expected: true }'],
    );
  },
};

/** Failing (non-error) results whose context-recall / context-precision evaluator failed. */
function ragasFailures(env: RuleEnv): { recall: number; precision: number } {
  const kinds = new Map<string, string>();
  for (const e of env.ctx.spec?.evaluators ?? []) kinds.set(e.name, e.kind);
  const kindOf = (name: string) => kinds.get(name) ?? (/recall/i.test(name) ? 'context-recall' : /precision/i.test(name) ? 'context-precision' : '');
  let recall = 0;
  let precision = 0;
  for (const c of env.record.cases)
    for (const r of c.results) {
      if (r.error || r.passed) continue;
      const failed = r.evaluators.filter((e) => !e.passed).map((e) => kindOf(e.name));
      if (failed.includes('context-recall')) recall++;
      if (failed.includes('context-precision')) precision++;
    }
  return { recall, precision };
}

function retrievalActions(): string[] {
  return [
    'Chunking: try smaller chunks with more overlap (retrieval.chunk.size / overlap) so each fact sits in one chunk',
    'Raise retrieval.topK, then add reranking of the candidates',
    'HyDE: set retrieval.query: hyde (search with a hypothetical answer)',
    'Query expansion: set retrieval.query: expand (several queries, merged)',
    'Check that the documents actually contain the needed facts',
  ];
}

function evaluationCandidate(record: RunRecord, caseCount: number, totalFailures: number, stats: VariantStats[]): Candidate {
  const allIdx = record.cases.map((c) => c.index);
  if (totalFailures === 0 && caseCount >= MIN_CASES) {
    return {
      kind: 'evaluation',
      confidence: 0.5,
      title: 'Everything passes: add harder cases',
      why: `All ${caseCount} cases pass in every variant, so this eval set cannot tell the variants apart. Add edge cases and the inputs that fail in production.`,
      evidence: { cases: [], caseCount, failures: 0, perVariant: stats.map((v) => ({ variant: v.variant, results: v.results, passed: v.passed })) },
      actions: [`command:${ADVISOR_COMMANDS.addTestCase}|Add test case`],
      rank: 0.5,
    };
  }
  const few = caseCount < MIN_CASES;
  const conf = few ? 0.9 : 0.45;
  return {
    kind: 'evaluation',
    confidence: conf,
    title: few ? `Only ${caseCount} case${caseCount === 1 ? '' : 's'}: grow the eval set before choosing a fix` : `${caseCount} cases: add more for firmer advice`,
    why: few
      ? `With ${caseCount} cases a single case moves a pass rate by ${Math.round(100 / Math.max(1, caseCount))} points, so differences between variants are noise. ` +
        `Add cases until there are at least ${COMFORTABLE_CASES}; the advice below is provisional.`
      : `With ${caseCount} cases one case is ${Math.round(100 / caseCount)} points of pass rate; ${COMFORTABLE_CASES}+ cases make the deltas between variants trustworthy.`,
    evidence: { caseCount, minimum: MIN_CASES, comfortable: COMFORTABLE_CASES, failures: totalFailures, cases: allIdx },
    actions: [`command:${ADVISOR_COMMANDS.addTestCase}|Add test case`, 'Add cases from real inputs, including ones you expect to fail'],
    rank: few ? 10 : 0.1,
  };
}

/** Recommendations of the same kind become one: the strongest leads, the others add their why, actions and cases. */
function mergeByKind(cands: Candidate[]): Candidate[] {
  const byKind = new Map<RecommendationKind, Candidate[]>();
  for (const c of cands) {
    const list = byKind.get(c.kind) ?? [];
    list.push(c);
    byKind.set(c.kind, list);
  }
  const out: Candidate[] = [];
  for (const list of byKind.values()) {
    list.sort((a, b) => b.rank - a.rank);
    const [lead, ...rest] = list;
    if (!rest.length) {
      out.push(lead);
      continue;
    }
    const cases = new Set<number>((lead.evidence.cases as number[]) ?? []);
    for (const r of rest) for (const i of (r.evidence.cases as number[]) ?? []) cases.add(i);
    const actions = [...lead.actions];
    for (const r of rest) for (const a of r.actions) if (!actions.includes(a)) actions.push(a);
    out.push({
      ...lead,
      confidence: Math.max(...list.map((c) => c.confidence)),
      why: [lead.why, ...rest.map((r) => `Also: ${r.why}`)].join(' '),
      actions,
      evidence: {
        ...lead.evidence,
        cases: [...cases].sort((a, b) => a - b),
        also: rest.map((r) => ({ title: r.title, ...r.evidence })),
      },
      rank: list.reduce((s, c) => s + c.rank, 0),
    });
  }
  return out;
}

function savedPer1000(env: RuleEnv, v: VariantStats, savedTokens: number): number | undefined {
  if (savedTokens <= 0) return 0;
  const perM = env.ctx.pricing?.promptUsdPerMTok;
  if (perM !== undefined) return (savedTokens * 1000 * perM) / 1e6;
  try {
    const usd = estimateCostUsd(v.model, { prompt: savedTokens * 1000, completion: 0 });
    return typeof usd === 'number' && usd > 0 ? usd : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Prompt cost per 1,000 calls of the few-shot variant at the base price minus the zero-shot prompt at the
 * fine-tuned price ('ft:<base>'): what fine-tuning really saves on prompts. Undefined when a price is unknown.
 */
function netPer1000(fewShot: VariantStats, baseline: VariantStats): number | undefined {
  const name = fewShot.model.split('/').pop() ?? fewShot.model;
  const base = priceOf(fewShot.model);
  const ft = priceOf(`ft:${name}`);
  if (!base || !ft) return undefined;
  return (fewShot.promptTokensPerCall * base.input - baseline.promptTokensPerCall * ft.input) / 1000;
}

function labelFor(env: RuleEnv, group: Group): string {
  if (group !== 'format-instruction') return group;
  const f = env.stats.reduce((s, v) => s + (v.categories.format ?? 0), 0);
  const i = env.stats.reduce((s, v) => s + (v.categories.instruction ?? 0), 0);
  return f && i ? 'format/instruction' : f ? 'format' : 'instruction';
}

function failures(n: number, label: string): string {
  return `${n} ${label} ${n === 1 ? 'failure' : 'failures'}`;
}

function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  return m ? m[1] : s;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
