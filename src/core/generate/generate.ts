// Test-case generation from the prompt itself (the PromptPex method, see prompts.ts): intent and input specification
// → output rules with their inverses → inputs probing each rule, plus happy paths and edge cases → each input
// checked against the input specification (invalid ones dropped) → duplicates of existing cases dropped →
// optional groundtruth from a chosen model → the cases as an insertion that appends them to the eval set (and,
// optionally, a proposed `llm` evaluator of rule compliance). Nothing is written here: the CLI writes the
// insertions, the editor shows them as a preview edit. Any failure throws a GenerationError and changes nothing.

import * as path from 'node:path';
import { readProjectFile } from '../paths';
import type { EvalCase, PromptSpec, VariantSpec } from '../prompt/spec';
import type { TokenUsage } from '../providers/provider';
import { countMessageTokens, countTokens, estimateCostUsd, priceOf } from '../providers/pricing';
import { variablesWith } from '../render/engines';
import { renderMessages, templateEngine } from '../render/messages';
import { loadPromptFile } from '../prompt/load';
import { casesFromText } from '../cases/files';
import { GenerationError, StepClient, type ClientOptions } from './client';
import { IntentReply, RulesReply, testsReply, validityReply } from './schemas';
import {
  complianceEvaluatorPrompts,
  extraTestsMessages,
  intentMessages,
  promptText,
  ruleTestsMessages,
  rulesMessages,
  validityMessages,
  type RuleForTests,
  type TestContext,
} from './prompts';
import { inputText, uniqueIndexes } from './dedupe';
import { EFFORT_PLANS, type Effort, type EffortPlan } from './effort';
import {
  applyInsertions,
  casesInsertion,
  checkTarget,
  chooseTarget,
  evaluatorInsertion,
  evaluatorNames,
  targetCases,
  type EvalSetTarget,
  type TextInsertion,
} from './target';

export type { Effort };
export { GenerationError };

/** Inputs per validity call. */
const VALIDITY_BATCH = 10;
export const EVALUATOR_NAME = 'rules-compliance';

export interface GenerateOptions extends ClientOptions {
  /** Model that runs the generation steps (default: the prompt's model, then the default model). */
  model?: string;
  /** Model whose replies become the cases' `expected` (no groundtruth without it). */
  groundtruthModel?: string;
  /** At most this many cases are added (default: all that survive the checks). */
  count?: number;
  effort?: Effort;
  /** Eval set to append to (default: the prompt's testFile, sibling NAME.cases.jsonl, or inline testData). */
  out?: string;
  /** The prompt file's text (the editor's buffer); read from disk when absent. */
  promptText?: string;
  /** Also propose an `llm` evaluator scoring compliance with the extracted rules. */
  evaluator?: boolean;
  onProgress?: (p: GenerateProgress) => void;
}

export interface GenerateProgress {
  step: 'intent' | 'rules' | 'tests' | 'validity' | 'duplicates' | 'groundtruth';
  message: string;
  /** Model calls made so far, and the estimate's upper bound. */
  calls: number;
  estimatedCalls: number;
}

export type CaseKind = 'rule' | 'inverse' | 'happy-path' | 'edge-case';

export interface GeneratedCase {
  vars: Record<string, string>;
  kind: CaseKind;
  /** 1-based rule number (rule and inverse cases). */
  ruleId?: number;
  /** The rule (or inverse rule) the case probes. */
  rule?: string;
  scenario: string;
  expected?: string;
}

export interface GeneratedRule {
  id: number;
  rule: string;
  inverse?: string;
}

export interface GenerationEstimate {
  model: string;
  groundtruthModel?: string;
  /** Upper bound of model calls (the rule count is only known after the second call). */
  calls: number;
  tokens: TokenUsage;
  /** Estimated cost in USD when the models are priced. */
  costUsd?: number;
  target: EvalSetTarget;
  vars: string[];
  warnings: string[];
}

export interface GenerateResult {
  intent: string;
  inputSpec: string[];
  rules: GeneratedRule[];
  cases: GeneratedCase[];
  /** The rows appended (cases as written, with provenance). */
  rows: Record<string, unknown>[];
  dropped: { invalid: number; duplicates: number; overCount: number };
  target: EvalSetTarget;
  /** Insertions to apply: the cases, then (optionally) the evaluator in the prompt file. */
  edits: TextInsertion[];
  /** The texts the insertions were made against, by file ('' for a file to create). */
  sources: Record<string, string>;
  calls: number;
  usage: TokenUsage;
  warnings: string[];
}

/** Variables a case must fill: those of the prompt's messages, minus what retrieval fills. */
export function caseVariables(spec: PromptSpec): string[] {
  const seen = new Set<string>();
  for (const m of spec.messages) for (const v of variablesWith(templateEngine(spec), m.content)) seen.add(v);
  if (spec.retrieval) seen.delete(spec.retrieval.into);
  return [...seen];
}

/** Key of the rule text in a generated row (`rule`, unless the prompt has a variable of that name). */
export function ruleKey(vars: readonly string[]): string {
  return vars.includes('rule') ? 'generatedRule' : 'rule';
}

interface Prepared {
  spec: PromptSpec;
  text: string;
  vars: string[];
  model: string;
  plan: EffortPlan;
  target: EvalSetTarget;
  warnings: string[];
}

async function prepare(spec: PromptSpec, opts: GenerateOptions): Promise<Prepared> {
  const vars = caseVariables(spec);
  const name = path.basename(spec.file);
  if (vars.length === 0) throw new GenerationError(`${name}: the prompt has no {{variables}}, so there is no input to vary`, 'usage');
  const model = opts.model ?? spec.model ?? opts.providers.defaultModel;
  if (!model) throw new GenerationError('no model: pass --model, add `model:` to the prompt file, or set a default model', 'usage');
  let text = opts.promptText;
  if (text === undefined) {
    const r = await readProjectFile(path.dirname(spec.file), spec.file);
    if (!r.ok) throw new GenerationError(r.problem.message, 'usage');
    text = r.content;
  }
  const target = await chooseTarget(spec.file, text, opts.out);
  const warnings = checkTarget(target, vars, Boolean(opts.groundtruthModel), ['tags', ruleKey(vars)]);
  const plan = EFFORT_PLANS[opts.effort ?? 'low'];
  return { spec, text, vars, model, plan, target, warnings };
}

/** Tests per rule so that, after dropping some, about `count` cases remain. */
function testsPerRule(plan: EffortPlan, ruleEntries: number, count: number | undefined): number {
  if (!count || ruleEntries === 0) return plan.testsPerRule;
  const wanted = Math.ceil(count * 1.25) - plan.happy - plan.edge;
  return Math.min(5, Math.max(plan.testsPerRule, Math.ceil(wanted / ruleEntries)));
}

/** Calls and tokens a generation will take at most, before any call is made. Also checks the target and models. */
export async function estimateGeneration(spec: PromptSpec, opts: GenerateOptions): Promise<GenerationEstimate> {
  const p = await prepare(spec, opts);
  const client = new StepClient(opts);
  client.resolve(p.model);
  if (opts.groundtruthModel) client.resolve(opts.groundtruthModel);
  const { plan } = p;
  const entries = plan.maxRules * (plan.inverse ? 2 : 1);
  const perRule = testsPerRule(plan, entries, opts.count);
  const tests = entries * perRule + plan.happy + plan.edge;
  const testCalls = Math.ceil(entries / plan.rulesPerCall) + 1;
  const validityCalls = Math.ceil(tests / VALIDITY_BATCH);
  const kept = Math.min(opts.count ?? tests, tests);
  const gtCalls = opts.groundtruthModel ? kept : 0;
  const base = countTokens(promptText(spec));
  const perTest = 40 + 30 * p.vars.length;
  const gen: TokenUsage = {
    prompt: 2 * (base + 350) + testCalls * (base + 600) + validityCalls * (300 + VALIDITY_BATCH * perTest),
    completion: 250 + plan.maxRules * (plan.inverse ? 90 : 45) + tests * perTest + validityCalls * VALIDITY_BATCH * 30,
  };
  let gtTokens: TokenUsage = { prompt: 0, completion: 0 };
  if (opts.groundtruthModel) {
    const probe: EvalCase = { index: 0, file: spec.file, line: 0, vars: Object.fromEntries(p.vars.map((v) => [v, 'x'.repeat(4 * perTest)])) };
    let promptTokens = base + perTest;
    try {
      promptTokens = countMessageTokens(renderMessages(spec, BASE_VARIANT, probe, []));
    } catch {
      /* the estimate stays rough */
    }
    gtTokens = { prompt: gtCalls * promptTokens, completion: gtCalls * Number(spec.modelParameters.maxTokens ?? 300) };
  }
  const priced = priceOf(p.model) || (opts.groundtruthModel && priceOf(opts.groundtruthModel));
  const costUsd = priced ? estimateCostUsd(p.model, gen) + (opts.groundtruthModel ? estimateCostUsd(opts.groundtruthModel, gtTokens) : 0) : undefined;
  return {
    model: p.model,
    ...(opts.groundtruthModel ? { groundtruthModel: opts.groundtruthModel } : {}),
    calls: 2 + testCalls + validityCalls + gtCalls + (opts.providers.embeddingModel ? 1 : 0),
    tokens: { prompt: gen.prompt + gtTokens.prompt, completion: gen.completion + gtTokens.completion },
    ...(costUsd !== undefined ? { costUsd } : {}),
    target: p.target,
    vars: p.vars,
    warnings: p.warnings,
  };
}

const BASE_VARIANT: VariantSpec = { name: 'groundtruth', line: 0 };

/** Picks up to `count` cases round-robin over rules, inverse rules, happy paths and edge cases, keeping order within each. */
function balancedPick(cases: GeneratedCase[], count: number): GeneratedCase[] {
  if (cases.length <= count) return cases;
  const groups = new Map<string, GeneratedCase[]>();
  for (const c of cases) {
    const key = `${c.kind}:${c.ruleId ?? ''}`;
    const g = groups.get(key) ?? [];
    g.push(c);
    groups.set(key, g);
  }
  const picked = new Set<GeneratedCase>();
  for (let round = 0; picked.size < count; round++) {
    let any = false;
    for (const g of groups.values()) {
      if (round < g.length && picked.size < count) {
        picked.add(g[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return cases.filter((c) => picked.has(c));
}

/** The row written to the eval set: the variables, the groundtruth, and provenance. */
export function caseRow(c: GeneratedCase, vars: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const v of vars) row[v] = c.vars[v];
  if (c.expected !== undefined) row.expected = c.expected;
  const tags = ['generated'];
  if (c.ruleId !== undefined) tags.push(`rule:${c.ruleId}`);
  if (c.kind !== 'rule') tags.push(c.kind);
  row.tags = tags;
  if (c.rule) row[ruleKey(vars)] = c.rule;
  return row;
}

/** Runs the whole generation. Throws GenerationError (usage, shape, provider, cancelled, write); writes nothing. */
export async function generateCases(spec: PromptSpec, opts: GenerateOptions): Promise<GenerateResult> {
  const p = await prepare(spec, opts);
  const estimate = await estimateGeneration(spec, opts);
  const client = new StepClient(opts);
  const model = client.resolve(p.model);
  const gtModel = opts.groundtruthModel ? client.resolve(opts.groundtruthModel) : undefined;
  const progress = (step: GenerateProgress['step'], message: string) =>
    opts.onProgress?.({ step, message, calls: client.calls, estimatedCalls: estimate.calls });
  const warnings = [...p.warnings];
  const { plan, vars } = p;

  // 1. Intent and input specification.
  progress('intent', 'Reading the prompt: intent and input specification');
  const intent = await client.json('intent and input specification', model, intentMessages(spec, vars), IntentReply);

  // 2. Output rules, each with its inverse.
  progress('rules', plan.inverse ? 'Extracting output rules and inverse rules' : 'Extracting output rules');
  const rulesReply = await client.json('output rules', model, rulesMessages(spec, intent.intent, plan.maxRules, plan.inverse), RulesReply);
  const rules: GeneratedRule[] = rulesReply.rules.slice(0, plan.maxRules).map((r, i) => ({
    id: i + 1,
    rule: r.rule,
    ...(plan.inverse && r.inverse ? { inverse: r.inverse } : {}),
  }));
  const entries: RuleForTests[] = rules
    .flatMap((r) => [
      { id: r.id, text: r.rule, inverse: false },
      ...(r.inverse ? [{ id: r.id, text: r.inverse, inverse: true }] : []),
    ])
    .map((e, i) => ({ ...e, key: i + 1 }));

  // 3. Inputs: per group of rules, plus happy paths and edge cases. The groups run concurrently.
  const existingVars = [...spec.cases.map((c) => c.vars), ...(await targetCases(p.target))];
  const existing = existingVars.map((v) => inputText(v, vars));
  const ctx: TestContext = { spec, vars, intent: intent.intent, inputSpec: intent.inputSpec, variableNotes: intent.variables, avoid: existing };
  const perRule = testsPerRule(plan, entries.length, opts.count);
  const groups: RuleForTests[][] = [];
  for (let i = 0; i < entries.length; i += plan.rulesPerCall) groups.push(entries.slice(i, i + plan.rulesPerCall));
  progress('tests', `Writing inputs for ${rules.length} rule${rules.length === 1 ? '' : 's'}${plan.inverse ? ' and their inverses' : ''}, happy paths and edge cases`);
  const schema = testsReply(vars);
  const replies = await Promise.all([
    ...groups.map((g, gi) => client.json(`test inputs (rules group ${gi + 1})`, model, ruleTestsMessages(ctx, g, perRule), schema, { temperature: 0.7 })),
    client.json('happy paths and edge cases', model, extraTestsMessages(ctx, plan.happy, plan.edge), schema, { temperature: 0.7 }),
  ]);
  const candidates: GeneratedCase[] = [];
  replies.forEach((reply, ri) => {
    const group = groups[ri];
    for (const t of reply.tests) {
      const cleaned = Object.fromEntries(vars.map((v) => [v, t.vars[v]]));
      if (group) {
        // A test names the rule entry it probes; one naming an entry outside its group is tied to the group's first.
        const entry = group.find((e) => e.key === t.ruleId) ?? group[0];
        candidates.push({ vars: cleaned, kind: entry.inverse ? 'inverse' : 'rule', ruleId: entry.id, rule: entry.text, scenario: t.scenario });
      } else {
        candidates.push({ vars: cleaned, kind: /^\s*edge/i.test(t.scenario) ? 'edge-case' : 'happy-path', scenario: t.scenario });
      }
    }
  });

  // 4. Duplicates (of existing cases and of each other), before paying for validity checks.
  progress('duplicates', `Dropping duplicates among ${candidates.length} inputs`);
  let embed: ((texts: string[]) => Promise<number[][]>) | undefined;
  const embeddingModel = opts.providers.embeddingModel;
  if (embeddingModel) {
    const em = client.resolve(embeddingModel);
    const fn = em.provider.embed;
    if (fn) embed = (texts) => client.embed(em, texts, fn);
    else warnings.push(`${em.provider.label} offers no embeddings: duplicates were compared as text only`);
  }
  let uniqueIdx: number[];
  try {
    uniqueIdx = await uniqueIndexes(existing, candidates.map((c) => inputText(c.vars, vars)), embed);
  } catch (err) {
    if (err instanceof GenerationError && err.kind === 'cancelled') throw err;
    warnings.push(`embeddings failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): duplicates were compared as text only`);
    uniqueIdx = await uniqueIndexes(existing, candidates.map((c) => inputText(c.vars, vars)));
  }
  const unique = uniqueIdx.map((i) => candidates[i]);
  const duplicates = candidates.length - unique.length;

  // 5. Validity against the input specification.
  progress('validity', `Checking ${unique.length} inputs against the input specification`);
  const batches: GeneratedCase[][] = [];
  for (let i = 0; i < unique.length; i += VALIDITY_BATCH) batches.push(unique.slice(i, i + VALIDITY_BATCH));
  const verdicts = await Promise.all(
    batches.map((b, bi) => {
      const ids = b.map((_, i) => i + 1);
      return client.json(
        `input validity (batch ${bi + 1})`,
        model,
        validityMessages(intent.inputSpec, b.map((c, i) => ({ id: i + 1, vars: c.vars }))),
        validityReply(ids),
      );
    }),
  );
  const valid = batches.flatMap((b, bi) => b.filter((_, i) => verdicts[bi].verdicts.find((v) => v.id === i + 1)?.valid));
  const invalid = unique.length - valid.length;

  const kept = opts.count ? balancedPick(valid, opts.count) : valid;
  const overCount = valid.length - kept.length;
  if (kept.length === 0) {
    throw new GenerationError(
      `no new cases: ${candidates.length} generated, ${duplicates} duplicate${duplicates === 1 ? '' : 's'}, ${invalid} invalid under the input specification; nothing was written`,
      'shape',
    );
  }

  // 6. Groundtruth.
  if (gtModel) {
    progress('groundtruth', `Groundtruth for ${kept.length} case${kept.length === 1 ? '' : 's'} from ${gtModel.ref}`);
    await Promise.all(
      kept.map(async (c, i) => {
        let messages;
        try {
          messages = renderMessages(spec, BASE_VARIANT, { index: i, file: spec.file, line: 0, vars: c.vars }, []);
        } catch (err) {
          throw new GenerationError(`groundtruth: cannot render the prompt for a generated case: ${err instanceof Error ? err.message : String(err)}`, 'usage');
        }
        const text = await client.text('groundtruth', gtModel, {
          messages,
          params: spec.modelParameters,
          ...(spec.responseFormat ? { responseFormat: spec.responseFormat } : {}),
        });
        if (text) c.expected = text;
      }),
    );
    const empty = kept.filter((c) => c.expected === undefined).length;
    if (empty) warnings.push(`${empty} groundtruth repl${empty === 1 ? 'y was' : 'ies were'} empty: those cases have no expected value`);
  }

  // 7. The insertions, checked by loading the result before anyone writes it.
  const rows = kept.map((c) => caseRow(c, vars));
  const edits = [casesInsertion(p.target, rows)];
  if (opts.evaluator) {
    if (evaluatorNames(spec.file, p.text).includes(EVALUATOR_NAME)) {
      warnings.push(`the prompt file already has an evaluator named "${EVALUATOR_NAME}": not proposed again`);
    } else {
      edits.push(evaluatorInsertion(spec.file, p.target.format === 'inline' ? p.target.text : p.text, complianceEvaluator(intent.intent, vars, rules, p.model)));
    }
  }
  await verifyEdits(spec, p, edits, rows.length);
  return {
    intent: intent.intent,
    inputSpec: intent.inputSpec,
    rules,
    cases: kept,
    rows,
    dropped: { invalid, duplicates, overCount },
    target: p.target,
    edits,
    sources: { [spec.file]: p.text, [p.target.file]: p.target.text },
    calls: client.calls,
    usage: { ...client.usage },
    warnings,
  };
}

/** The proposed `llm` evaluator (gh-compatible): PASS/FAIL on compliance with the extracted rules. */
export function complianceEvaluator(intent: string, vars: readonly string[], rules: readonly GeneratedRule[], model: string): Record<string, unknown> {
  const { systemPrompt, prompt } = complianceEvaluatorPrompts(intent, vars, rules.map((r) => r.rule));
  return {
    name: EVALUATOR_NAME,
    category: 'instruction',
    llm: {
      modelId: model,
      systemPrompt,
      prompt,
      choices: [
        { choice: 'PASS', score: 1 },
        { choice: 'FAIL', score: 0 },
      ],
    },
  };
}

/** Loads the edited texts and checks that every old case is still there and every new one loads. */
async function verifyEdits(spec: PromptSpec, p: Prepared, edits: TextInsertion[], added: number): Promise<void> {
  const fail = (why: string) => {
    throw new GenerationError(`could not append the cases to ${path.basename(p.target.file)} safely (${why}); nothing was written`, 'write');
  };
  const promptEdits = edits.filter((e) => e.file === spec.file);
  const promptText = promptEdits.length ? applyInsertions(p.text, promptEdits) : p.text;
  let after: PromptSpec;
  try {
    after = await loadPromptFile(spec.file, { text: promptText });
  } catch (err) {
    return fail(err instanceof Error ? err.message.split('\n')[0] : String(err));
  }
  const newProblems = after.problems.filter((q) => q.severity === 'error').length - spec.problems.filter((q) => q.severity === 'error').length;
  if (p.target.format === 'inline') {
    if (after.cases.length !== spec.cases.length + added) fail(`${after.cases.length - spec.cases.length} of ${added} cases load`);
  } else {
    const own = edits.filter((e) => e.file === p.target.file);
    const text = applyInsertions(p.target.text, own);
    const before = p.target.text.trim() ? await casesFromText(p.target.file, p.target.text, 0) : { cases: [], problems: [] };
    const now = await casesFromText(p.target.file, text, 0);
    if (now.cases.length !== before.cases.length + added) fail(`${now.cases.length - before.cases.length} of ${added} cases load`);
    if (now.problems.length > before.problems.length) fail(now.problems[now.problems.length - 1].message);
  }
  if (newProblems > 0) fail('the prompt file would have new problems');
  if (promptEdits.some((e) => e.text.includes(EVALUATOR_NAME)) && !after.evaluators.some((e) => e.name === EVALUATOR_NAME)) fail('the evaluator does not load');
}
