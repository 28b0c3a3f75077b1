// The model steps of test-case generation (see generate.ts for the order): the output rules, the inputs per
// group of rules plus happy paths and edge cases, dropping duplicates, the validity check against the input
// specification, and groundtruth. Each step takes the StepClient that counts the calls and throws
// GenerationError when it cannot go on.

import type { PromptSpec, VariantSpec } from '../prompt/spec';
import type { ResolvedModel } from '../providers/provider';
import { renderMessages } from '../render/messages';
import { GenerationError, type StepClient } from './client';
import { RulesReply, testsReply, validityReply } from './schemas';
import { extraTestsMessages, ruleTestsMessages, rulesMessages, validityMessages, type RuleForTests, type TestContext } from './prompts';
import { inputText, uniqueIndexes } from './dedupe';
import type { EffortPlan } from './effort';
import type { GeneratedCase, GeneratedRule } from './generate';

/** Inputs per validity call. */
export const VALIDITY_BATCH = 10;
/** The variant the prompt is rendered with for groundtruth: no shots, no retrieval. */
export const BASE_VARIANT: VariantSpec = { name: 'groundtruth', line: 0 };

/** Output rules, each with its inverse when the plan asks for them; `entries` are what the input step probes. */
export async function extractRules(
  client: StepClient,
  model: ResolvedModel,
  spec: PromptSpec,
  intent: string,
  plan: EffortPlan,
): Promise<{ rules: GeneratedRule[]; entries: RuleForTests[] }> {
  const reply = await client.json('output rules', model, rulesMessages(spec, intent, plan.maxRules, plan.inverse), RulesReply);
  const rules: GeneratedRule[] = reply.rules.slice(0, plan.maxRules).map((r, i) => ({
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
  return { rules, entries };
}

/** Inputs: per group of rule entries, plus happy paths and edge cases. The groups run concurrently. */
export async function writeInputs(
  client: StepClient,
  model: ResolvedModel,
  ctx: TestContext,
  entries: RuleForTests[],
  plan: EffortPlan,
  perRule: number,
): Promise<GeneratedCase[]> {
  const groups: RuleForTests[][] = [];
  for (let i = 0; i < entries.length; i += plan.rulesPerCall) groups.push(entries.slice(i, i + plan.rulesPerCall));
  const schema = testsReply(ctx.vars);
  const replies = await Promise.all([
    ...groups.map((g, gi) => client.json(`test inputs (rules group ${gi + 1})`, model, ruleTestsMessages(ctx, g, perRule), schema, { temperature: 0.7 })),
    client.json('happy paths and edge cases', model, extraTestsMessages(ctx, plan.happy, plan.edge), schema, { temperature: 0.7 }),
  ]);
  const candidates: GeneratedCase[] = [];
  replies.forEach((reply, ri) => {
    const group = groups[ri];
    for (const t of reply.tests) {
      const cleaned = Object.fromEntries(ctx.vars.map((v) => [v, t.vars[v]]));
      if (group) {
        // A test names the rule entry it probes; one naming an entry outside its group is tied to the group's first.
        const entry = group.find((e) => e.key === t.ruleId) ?? group[0];
        candidates.push({ vars: cleaned, kind: entry.inverse ? 'inverse' : 'rule', ruleId: entry.id, rule: entry.text, scenario: t.scenario });
      } else {
        candidates.push({ vars: cleaned, kind: /^\s*edge/i.test(t.scenario) ? 'edge-case' : 'happy-path', scenario: t.scenario });
      }
    }
  });
  return candidates;
}

/**
 * The candidates that duplicate neither an existing case nor each other: by embeddings when the providers have an
 * embedding model, else (or when embeddings fail, said in `warnings`) as text.
 */
export async function dropDuplicates(
  client: StepClient,
  embeddingModel: string | undefined,
  existing: string[],
  candidates: GeneratedCase[],
  vars: readonly string[],
  warnings: string[],
): Promise<GeneratedCase[]> {
  let embed: ((texts: string[]) => Promise<number[][]>) | undefined;
  if (embeddingModel) {
    const em = client.resolve(embeddingModel);
    const fn = em.provider.embed;
    if (fn) embed = (texts) => client.embed(em, texts, fn);
    else warnings.push(`${em.provider.label} offers no embeddings: duplicates were compared as text only`);
  }
  const texts = candidates.map((c) => inputText(c.vars, vars));
  let uniqueIdx: number[];
  try {
    uniqueIdx = await uniqueIndexes(existing, texts, embed);
  } catch (err) {
    if (err instanceof GenerationError && err.kind === 'cancelled') throw err;
    warnings.push(`embeddings failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): duplicates were compared as text only`);
    uniqueIdx = await uniqueIndexes(existing, texts);
  }
  return uniqueIdx.map((i) => candidates[i]);
}

/** The cases the model judges valid under the input specification, VALIDITY_BATCH per call, in order. */
export async function checkValidity(client: StepClient, model: ResolvedModel, inputSpec: string[], cases: GeneratedCase[]): Promise<GeneratedCase[]> {
  const batches: GeneratedCase[][] = [];
  for (let i = 0; i < cases.length; i += VALIDITY_BATCH) batches.push(cases.slice(i, i + VALIDITY_BATCH));
  const verdicts = await Promise.all(
    batches.map((b, bi) => {
      const ids = b.map((_, i) => i + 1);
      return client.json(
        `input validity (batch ${bi + 1})`,
        model,
        validityMessages(inputSpec, b.map((c, i) => ({ id: i + 1, vars: c.vars }))),
        validityReply(ids),
      );
    }),
  );
  return batches.flatMap((b, bi) => b.filter((_, i) => verdicts[bi].verdicts.find((v) => v.id === i + 1)?.valid));
}

/** Sets each case's `expected` to the groundtruth model's reply to the prompt; an empty reply is a warning. */
export async function addGroundtruth(client: StepClient, gtModel: ResolvedModel, spec: PromptSpec, cases: GeneratedCase[], warnings: string[]): Promise<void> {
  await Promise.all(
    cases.map(async (c, i) => {
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
  const empty = cases.filter((c) => c.expected === undefined).length;
  if (empty) warnings.push(`${empty} groundtruth repl${empty === 1 ? 'y was' : 'ies were'} empty: those cases have no expected value`);
}

/** Picks up to `count` cases round-robin over rules, inverse rules, happy paths and edge cases, keeping order within each. */
export function balancedPick(cases: GeneratedCase[], count: number): GeneratedCase[] {
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
