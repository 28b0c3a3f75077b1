// The advisor's recommendations become candidate moves: each action of each recommendation (in the advisor's
// order) maps to one or more concrete patches of the prompt file. Actions that are not moves (export a
// dataset, start a fine-tuning job, add a test case) are skipped; a fine-tuned model is a move only when one
// exists: a model the user names, or a finished fine-tuning job of this file (fineTuned.ts).

import type { Advice, RecommendationKind } from '../runs/schema';
import type { PromptSpec, EvalCase, Example } from '../prompt/spec';
import { ADVISOR_COMMANDS } from '../analysis/advisor/commands';
import { retrievalVariantArgs } from '../analysis/advisor/commandArgs';
import { referenceFreeEvaluators } from '../analysis/selfRepair';
import { RAG_SYSTEM_SUFFIX } from '../prompt/edits';
import { canonicalJson } from '../providers/cache';
import type { Incumbent, MovePatch } from './patch';

export interface Move {
  /** The advisor's kind of the recommendation the move follows. */
  kind: RecommendationKind;
  /** What the move does: add-shots, chain-of-thought, self-repair, structured-output, add-retrieval, rerank, hyde, query-expansion, top-k, chunk-size, another-model (a fine-tuned one: kind fine-tuning), rewrite-instructions. */
  action: string;
  label: string;
  patch: MovePatch;
  /** The recommendation's title, and whether it was the advisor's top recommendation. */
  source?: string;
  fromTop?: boolean;
  /** The advisor's confidence in that recommendation. */
  confidence?: number;
}

export interface MoveContext {
  spec: PromptSpec;
  incumbent: Incumbent;
  /** Cases the climb must not show the model (validation and test). */
  heldOut: ReadonlySet<number>;
  /** Other models to try (`ft:` ids are fine-tuned models). */
  models?: readonly string[];
  /** A documents folder next to the prompt file, for the retrieval scaffold when the file has no retrieval block. */
  documentsGlob?: string;
}

/** A placeholder the loop fills with model-proposed system messages (rewrite.ts). */
export const REWRITE = 'rewrite-instructions';

export interface MoveList {
  moves: Move[];
  /** Actions that could have been moves and why they are not (said in the record). */
  notes: string[];
}

export function movesFromAdvice(advice: Advice | undefined, ctx: MoveContext): MoveList {
  const moves: Move[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  const push = (m: Move) => {
    const key = m.action === REWRITE ? `${REWRITE}:${m.kind}` : canonicalJson(m.patch);
    if (seen.has(key)) return;
    seen.add(key);
    moves.push(m);
  };
  const models = (ctx.models ?? []).filter((m) => m !== (ctx.incumbent.variant.model ?? ctx.spec.model));
  const fineTuned = models.filter(isFineTuned);
  (advice?.recommendations ?? []).forEach((rec, r) => {
    if (rec.kind === 'evaluation') return;
    const source = { kind: rec.kind, source: rec.title ?? rec.why, fromTop: r === 0, confidence: rec.confidence };
    for (const action of rec.actions) {
      for (const m of movesOf(action, ctx, notes)) push({ ...m, ...source });
    }
    // a fine-tuned model that exists follows the fine-tuning recommendation (its dataset export is not a move)
    if (rec.kind === 'fine-tuning') for (const model of fineTuned) push({ ...modelMove(model), ...source });
  });
  for (const model of models) push(modelMove(model));
  return { moves, notes };
}

/** A fine-tuned model's id ('ft:gpt-4o-mini:org::abc', with or without a provider prefix). */
export function isFineTuned(model: string): boolean {
  return /(^|\/)ft:/.test(model);
}

/** The another-model move: of kind fine-tuning for a fine-tuned model. */
function modelMove(model: string): Move {
  const ft = isFineTuned(model);
  return { kind: ft ? 'fine-tuning' : 'prompt-engineering', action: 'another-model', label: `${ft ? 'fine-tuned model' : 'model'} ${model}`, patch: { variant: { model } } };
}

type Draft = Omit<Move, 'kind'>;

function parseCommand(action: string): { id: string; args: unknown[] } | undefined {
  const m = /^command:([\w.]+)(?:\?([^|]*))?\|/.exec(action);
  if (!m) return undefined;
  try {
    return { id: m[1], args: m[2] ? (JSON.parse(decodeURIComponent(m[2])) as unknown[]) : [] };
  } catch {
    return { id: m[1], args: [] };
  }
}

function movesOf(action: string, ctx: MoveContext, notes: string[]): Draft[] {
  const cmd = parseCommand(action);
  const inc = ctx.incumbent.variant;
  const shots = typeof inc.shots === 'number' ? inc.shots : 0;
  if (cmd) {
    switch (cmd.id) {
      case ADVISOR_COMMANDS.addFewShot:
        return shotMoves(ctx, notes, [1, 3, 5].filter((k) => k > shots));
      case ADVISOR_COMMANDS.addChainOfThought:
        return inc.chainOfThought ? [] : [{ action: 'chain-of-thought', label: 'chain of thought', patch: { variant: { chainOfThought: true } } }];
      case ADVISOR_COMMANDS.addSelfRepair:
        if (referenceFreeEvaluators(ctx.spec.evaluators).length === 0) {
          notes.push('self-repair: the file has no reference-free check (json, refusal, code) to feed back');
          return [];
        }
        return inc.selfRepair ? [] : [{ action: 'self-repair', label: 'self-repair (1 retry)', patch: { variant: { selfRepair: 1 } } }];
      case ADVISOR_COMMANDS.addRetrieval:
        return retrievalOn(ctx, notes);
      case ADVISOR_COMMANDS.addRetrievalVariant:
        return retrievalKnobs(cmd.args[0], ctx, notes);
      default:
        return [];
    }
  }
  if (/select: similar/i.test(action)) return shotMoves(ctx, notes, [Math.max(3, shots)], 'similar');
  const keep = /^Keep (\d+) examples/i.exec(action);
  if (keep && Number(keep[1]) !== shots) return shotMoves(ctx, notes, [Number(keep[1])]);
  if (/structured output/i.test(action)) return structuredOutput(ctx, notes);
  const add = /^Add to the system message: "(.*)"$/.exec(action);
  if (add) {
    const suffix = `${String(inc.systemSuffix ?? '')}\n\n${add[1]}`;
    return [{ action: 'add-instruction', label: `instruction "${add[1]}"`, patch: { variant: { systemSuffix: suffix } } }];
  }
  if (/^(Rewrite the instruction|State the allowed scope|Tell the model to answer only from the context)/i.test(action)) {
    return [{ action: REWRITE, label: 'instruction rewrite', patch: {} }];
  }
  return [];
}

function shotMoves(ctx: MoveContext, notes: string[], counts: number[], select?: 'similar'): Draft[] {
  const pool = ctx.spec.examples;
  if (pool.length === 0) {
    notes.push('few-shot: the file has no `examples` pool');
    return [];
  }
  const leaks = leakingExamples(pool, ctx.spec.cases, ctx.heldOut);
  if (leaks.length) {
    notes.push(`few-shot: ${leaks.length} example${leaks.length === 1 ? ' is' : 's are'} also validation or test cases (${leaks.map((e) => `line ${e.line}`).join(', ')}); examples from them would leak held-out cases into the prompt`);
    return [];
  }
  return counts
    .filter((k) => k <= pool.length)
    .map((k) => ({
      action: 'add-shots',
      label: `${k}-shot${select ? ` (select: ${select})` : ''}`,
      patch: { variant: { shots: k, ...(select ? { select } : {}) } },
    }));
}

function sameInput(example: Example, c: EvalCase): boolean {
  if (typeof example.input === 'string') {
    const values = Object.values(c.vars);
    return values.length === 1 && String(values[0]) === example.input;
  }
  return canonicalJson(example.input) === canonicalJson(c.vars);
}

/** Examples whose input is a held-out case's input. */
export function leakingExamples(pool: readonly Example[], cases: readonly EvalCase[], heldOut: ReadonlySet<number>): Example[] {
  const held = cases.filter((c) => heldOut.has(c.index));
  return pool.filter((e) => held.some((c) => sameInput(e, c)));
}

function usesVariable(spec: PromptSpec, name: string): boolean {
  const re = new RegExp(`\\{\\{-?\\s*${name}\\b`);
  return spec.messages.some((m) => re.test(m.content)) || (spec.body !== undefined && re.test(spec.body.text));
}

function retrievalOn(ctx: MoveContext, notes: string[]): Draft[] {
  if (ctx.incumbent.variant.retrieval) return [];
  const into = ctx.spec.retrieval?.into ?? 'context';
  const suffix = usesVariable(ctx.spec, into) ? {} : { systemSuffix: `${String(ctx.incumbent.variant.systemSuffix ?? '')}${RAG_SYSTEM_SUFFIX.replace('context', into)}` };
  if (ctx.spec.retrieval) return [{ action: 'add-retrieval', label: 'retrieval on', patch: { variant: { retrieval: true, ...suffix } } }];
  if (!ctx.documentsGlob) {
    notes.push('retrieval: the file has no `retrieval` block and there is no docs folder next to it to retrieve from');
    return [];
  }
  const block = { documents: ctx.documentsGlob, chunk: { size: 800, overlap: 100 }, topK: 4, query: 'input', into: 'context' };
  return [{ action: 'add-retrieval', label: `retrieval over ${ctx.documentsGlob}`, patch: { file: { retrieval: block }, variant: { retrieval: true, ...suffix } } }];
}

function retrievalKnobs(arg: unknown, ctx: MoveContext, notes: string[]): Draft[] {
  const args = retrievalVariantArgs(arg);
  if (!args) return [];
  if (!ctx.incumbent.variant.retrieval) {
    notes.push('retrieval knobs: the climbed variant does not retrieve yet');
    return [];
  }
  return args.variants.map((v) => {
    const r = v.retrieval;
    const action = r.rerank ? 'rerank' : r.query === 'hyde' ? 'hyde' : r.query === 'expand' ? 'query-expansion' : r.topK ? 'top-k' : 'chunk-size';
    const label = r.rerank ? `rerank (${r.rerank})` : r.query ? `query: ${r.query}` : r.chunk ? `chunk size ${r.chunk.size}` : `topK ${r.topK}`;
    return { action, label, patch: { variant: { retrieval: r } } };
  });
}

function structuredOutput(ctx: MoveContext, notes: string[]): Draft[] {
  if (ctx.spec.format !== 'prompt.yml') {
    notes.push('structured output: only .prompt.yml files have a responseFormat key');
    return [];
  }
  if (ctx.spec.responseFormat || ctx.incumbent.file.responseFormat) return [];
  const json = ctx.spec.evaluators.find((e) => e.kind === 'json');
  if (!json || json.kind !== 'json') {
    notes.push('structured output: no json evaluator says the answer is JSON');
    return [];
  }
  if (json.schema) {
    const jsonSchema = JSON.stringify({ name: 'answer', schema: json.schema });
    return [{ action: 'structured-output', label: 'structured output (json_schema)', patch: { file: { responseFormat: 'json_schema', jsonSchema } } }];
  }
  return [{ action: 'structured-output', label: 'structured output (json_object)', patch: { file: { responseFormat: 'json_object' } } }];
}
