// Test-case generation from the prompt itself (the PromptPex method, see prompts.ts): intent and input specification
// → output rules with their inverses → inputs probing each rule, plus happy paths and edge cases → each input
// checked against the input specification (invalid ones dropped) → duplicates of existing cases dropped →
// optional groundtruth from a chosen model → the cases as an insertion that appends them to the eval set (and,
// optionally, a proposed `llm` evaluator of rule compliance). Nothing is written here: the CLI writes the
// insertions, the editor shows them as a preview edit. Any failure throws a GenerationError and changes nothing.

import * as path from 'node:path';
import { readProjectFile } from '../paths';
import type { EvalCase, PromptSpec } from '../prompt/spec';
import type { TokenUsage } from '../providers/provider';
import { countMessageTokens, countTokens, estimateCostUsd, priceOf } from '../providers/pricing';
import { variablesWith } from '../render/engines';
import { renderMessages, templateEngine } from '../render/messages';
import { GenerationError, StepClient, type ClientOptions } from './client';
import { IntentReply } from './schemas';
import { intentMessages, promptText, type TestContext } from './prompts';
import { inputText } from './dedupe';
import { EFFORT_PLANS, type Effort, type EffortPlan } from './effort';
import { checkTarget, chooseTarget, targetCases, type EvalSetTarget, type TextInsertion } from './target';
import { BASE_VARIANT, VALIDITY_BATCH, addGroundtruth, balancedPick, checkValidity, dropDuplicates, extractRules, writeInputs } from './steps';
import { proposedEdits, ruleKey } from './proposal';

export type { Effort };
export { GenerationError };
export { EVALUATOR_NAME } from './proposal';

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


export interface Prepared {
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

  progress('intent', 'Reading the prompt: intent and input specification');
  const intent = await client.json('intent and input specification', model, intentMessages(spec, vars), IntentReply);

  progress('rules', plan.inverse ? 'Extracting output rules and inverse rules' : 'Extracting output rules');
  const { rules, entries } = await extractRules(client, model, spec, intent.intent, plan);

  const existing = [...spec.cases.map((c) => c.vars), ...(await targetCases(p.target))].map((v) => inputText(v, vars));
  const ctx: TestContext = { spec, vars, intent: intent.intent, inputSpec: intent.inputSpec, variableNotes: intent.variables, avoid: existing };
  progress('tests', `Writing inputs for ${rules.length} rule${rules.length === 1 ? '' : 's'}${plan.inverse ? ' and their inverses' : ''}, happy paths and edge cases`);
  const candidates = await writeInputs(client, model, ctx, entries, plan, testsPerRule(plan, entries.length, opts.count));

  // Duplicates (of existing cases and of each other) go before paying for validity checks.
  progress('duplicates', `Dropping duplicates among ${candidates.length} inputs`);
  const unique = await dropDuplicates(client, opts.providers.embeddingModel, existing, candidates, vars, warnings);
  const duplicates = candidates.length - unique.length;

  progress('validity', `Checking ${unique.length} inputs against the input specification`);
  const valid = await checkValidity(client, model, intent.inputSpec, unique);
  const invalid = unique.length - valid.length;
  const kept = opts.count ? balancedPick(valid, opts.count) : valid;
  if (kept.length === 0) {
    throw new GenerationError(
      `no new cases: ${candidates.length} generated, ${duplicates} duplicate${duplicates === 1 ? '' : 's'}, ${invalid} invalid under the input specification; nothing was written`,
      'shape',
    );
  }

  if (gtModel) {
    progress('groundtruth', `Groundtruth for ${kept.length} case${kept.length === 1 ? '' : 's'} from ${gtModel.ref}`);
    await addGroundtruth(client, gtModel, spec, kept, warnings);
  }

  const { rows, edits } = await proposedEdits(spec, p, kept, intent.intent, rules, opts, warnings);
  return {
    intent: intent.intent,
    inputSpec: intent.inputSpec,
    rules,
    cases: kept,
    rows,
    dropped: { invalid, duplicates, overCount: valid.length - kept.length },
    target: p.target,
    edits,
    sources: { [spec.file]: p.text, [p.target.file]: p.target.text },
    calls: client.calls,
    usage: { ...client.usage },
    warnings,
  };
}
