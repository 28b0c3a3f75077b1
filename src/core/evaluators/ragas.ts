// The Ragas four as evaluators, computed as Ragas defines them (judge prompts in analysis/prompts.ts):
//   faithfulness       — the judge splits the answer into standalone statements and verifies each against the
//                        context; score = supported / total (no statements at all → 1: nothing unsupported).
//   answer-relevancy   — the judge writes N (3) questions the answer responds to and flags a noncommittal
//                        answer; score = mean cosine between the real question and each generated one, 0 when
//                        noncommittal. Cosine over the judge's embeddings when it has them, else a lexical
//                        cosine over token counts (details say which).
//   context-precision  — a usefulness verdict per context chunk (in retrieval order) against the reference
//                        (`expected`; without one, the answer, as Ragas' reference-free variant does);
//                        score = average precision = Σ_k (precision@k · v_k) / Σ_k v_k (0 when no chunk is useful).
//   context-recall     — the reference (`expected`) split into sentences; the judge says which can be attributed
//                        to the context; score = attributed / sentences.
// passed = score ≥ threshold (default 0.5). `data` carries the per-statement / per-chunk / per-sentence verdicts.
// A metric that lacks its inputs (no context, no reference) fails with category 'error': it judged nothing.
// Default categories: faithfulness → grounding, context-recall and context-precision → retrieval,
// answer-relevancy → instruction (a declared `category` overrides them, in the registry).

import type { EvaluatorSpec } from '../prompt/spec';
import type { EvalInput, EvaluatorFn, EvaluatorResult } from './evaluator';
import { registerEvaluator } from './registry';
import { lexicalCosine } from './similar';
import { cosine } from '../text/cosine';
import {
  AttributionReplySchema,
  GeneratedQuestionsReplySchema,
  StatementsReplySchema,
  UsefulReplySchema,
  VerdictsReplySchema,
  answerQuestionsPrompt,
  contextRecallPrompt,
  contextUsefulPrompt,
  faithfulnessVerdictPrompt,
  parseJudgeJson,
  statementsPrompt,
} from '../analysis/prompts';

type RagasSpec = Extract<EvaluatorSpec, { kind: 'faithfulness' | 'answer-relevancy' | 'context-precision' | 'context-recall' }>;

export const RELEVANCY_QUESTIONS = 3;
const DEFAULT_THRESHOLD = 0.5;

function threshold(spec: RagasSpec): number {
  return spec.threshold ?? DEFAULT_THRESHOLD;
}

function verdict(spec: RagasSpec, score: number, details: string, data: unknown, category: EvaluatorResult['category']): EvaluatorResult {
  const s = Math.max(0, Math.min(1, score));
  return { name: spec.name, passed: s >= threshold(spec), score: s, details, data, category };
}

function missing(spec: RagasSpec, what: string): EvaluatorResult {
  return { name: spec.name, passed: false, score: 0, details: `${spec.kind} needs ${what}`, category: 'error' };
}

async function ask<T>(input: EvalInput, spec: RagasSpec, messages: Parameters<EvalInput['judge']['complete']>[0], schema: import('zod').ZodType<T>): Promise<T> {
  const reply = await input.judge.complete(messages, { model: spec.model, temperature: 0, json: true });
  return parseJudgeJson(reply, schema);
}

function hasContext(input: EvalInput): input is EvalInput & { context: string[] } {
  return !!input.context && input.context.some((c) => c.trim() !== '');
}

/** Sentences of a reference text: split after . ! ? (before whitespace), after 。！？ and at line breaks; empty pieces dropped. */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|(?<=[。！？])\s*|\n+/)
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

export const evaluateFaithfulness: EvaluatorFn<RagasSpec> = async (spec, input) => {
  if (!hasContext(input)) return missing(spec, 'context (the case `context` or a retrieval variant)');
  const { statements } = await ask(input, spec, statementsPrompt(input.question, input.output), StatementsReplySchema);
  const list = statements.map((s) => s.trim()).filter(Boolean);
  if (!list.length) return verdict(spec, 1, 'No statements to verify in the answer', { statements: [] }, 'grounding');
  const { verdicts } = await ask(input, spec, faithfulnessVerdictPrompt(input.context, list), VerdictsReplySchema);
  const rows = list.map((statement, i) => ({
    statement,
    supported: verdicts[i]?.verdict === 1,
    reason: verdicts[i]?.reason ?? 'no verdict returned (counted as unsupported)',
  }));
  const supported = rows.filter((r) => r.supported).length;
  const unsupported = rows.filter((r) => !r.supported).map((r) => `"${r.statement}"`);
  return verdict(
    spec,
    supported / rows.length,
    `${supported}/${rows.length} statements supported by the context` + (unsupported.length ? `; unsupported: ${unsupported.join('; ')}` : ''),
    { statements: rows },
    'grounding',
  );
};

export const evaluateAnswerRelevancy: EvaluatorFn<RagasSpec> = async (spec, input) => {
  if (!input.question.trim()) return missing(spec, 'a question (the final user message)');
  const reply = await ask(input, spec, answerQuestionsPrompt(input.output, RELEVANCY_QUESTIONS, input.context), GeneratedQuestionsReplySchema);
  const generated = reply.questions.map((q) => q.trim()).filter(Boolean);
  if (reply.noncommittal === 1) {
    return verdict(spec, 0, 'The answer is noncommittal (score 0)', { questions: generated, noncommittal: true }, 'instruction');
  }
  if (!generated.length) return verdict(spec, 0, 'The judge generated no questions', { questions: [], noncommittal: false }, 'instruction');
  let sims: number[];
  let method: 'embeddings' | 'lexical' = 'lexical';
  if (input.judge.embed) {
    try {
      const [q, ...gs] = await input.judge.embed([input.question, ...generated], spec.model ? { model: spec.model } : undefined);
      sims = gs.map((g) => cosine(q, g));
      method = 'embeddings';
    } catch {
      sims = generated.map((g) => lexicalCosine(input.question, g));
    }
  } else {
    sims = generated.map((g) => lexicalCosine(input.question, g));
  }
  const score = sims.reduce((a, b) => a + b, 0) / sims.length;
  return verdict(
    spec,
    score,
    `Mean ${method} cosine ${score.toFixed(2)} between the question and ${generated.length} questions generated from the answer`,
    { questions: generated.map((question, i) => ({ question, similarity: round3(sims[i]) })), noncommittal: false, method },
    'instruction',
  );
};

export const evaluateContextPrecision: EvaluatorFn<RagasSpec> = async (spec, input) => {
  if (!hasContext(input)) return missing(spec, 'context (the case `context` or a retrieval variant)');
  const reference = input.expected?.trim() || input.output;
  const chunks = input.context;
  const verdicts = await Promise.all(chunks.map((c) => ask(input, spec, contextUsefulPrompt(input.question, reference, c), UsefulReplySchema)));
  const v = verdicts.map((x) => x.verdict);
  let hits = 0;
  let sum = 0;
  v.forEach((useful, k) => {
    if (useful === 1) {
      hits++;
      sum += hits / (k + 1);
    }
  });
  const score = hits ? sum / hits : 0;
  return verdict(
    spec,
    score,
    `Average precision ${score.toFixed(2)}: ${hits}/${chunks.length} chunks useful (positions ${v.map((x, i) => (x ? i + 1 : 0)).filter(Boolean).join(', ') || 'none'})` +
      (input.expected?.trim() ? '' : ' — judged against the answer (no expected)'),
    { chunks: chunks.map((c, i) => ({ rank: i + 1, useful: v[i] === 1, reason: verdicts[i].reason, chunk: c.slice(0, 200) })), reference: input.expected?.trim() ? 'expected' : 'answer' },
    'retrieval',
  );
};

export const evaluateContextRecall: EvaluatorFn<RagasSpec> = async (spec, input) => {
  if (!hasContext(input)) return missing(spec, 'context (the case `context` or a retrieval variant)');
  if (!input.expected?.trim()) return missing(spec, 'a reference answer (`expected`)');
  const sentences = splitSentences(input.expected);
  if (!sentences.length) return missing(spec, 'a reference answer with at least one sentence');
  const { classifications } = await ask(input, spec, contextRecallPrompt(input.question, input.context, sentences), AttributionReplySchema);
  const rows = sentences.map((sentence, i) => ({
    sentence,
    attributed: classifications[i]?.attributed === 1,
    reason: classifications[i]?.reason ?? 'no verdict returned (counted as not attributed)',
  }));
  const attributed = rows.filter((r) => r.attributed).length;
  const missingOnes = rows.filter((r) => !r.attributed).map((r) => `"${r.sentence}"`);
  return verdict(
    spec,
    attributed / rows.length,
    `${attributed}/${rows.length} reference sentences found in the context` + (missingOnes.length ? `; missing: ${missingOnes.join('; ')}` : ''),
    { sentences: rows },
    'retrieval',
  );
};

let registered = false;

/** Registers the four kinds with the evaluator registry (idempotent). */
export function registerRagasEvaluators(): void {
  if (registered) return;
  registered = true;
  registerEvaluator('faithfulness', evaluateFaithfulness);
  registerEvaluator('answer-relevancy', evaluateAnswerRelevancy);
  registerEvaluator('context-precision', evaluateContextPrecision);
  registerEvaluator('context-recall', evaluateContextRecall);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
