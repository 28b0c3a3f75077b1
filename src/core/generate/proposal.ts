// What generation proposes to write: the rows appended to the eval set (with provenance: tags and the rule
// text), the optional rule-compliance `llm` evaluator, and the insertions that add them, checked by loading
// the edited texts before anyone writes them.

import * as path from 'node:path';
import type { PromptSpec } from '../prompt/spec';
import { loadPromptFile } from '../prompt/load';
import { casesFromText } from '../cases/files';
import { GenerationError } from './client';
import { complianceEvaluatorPrompts } from './prompts';
import { applyInsertions, casesInsertion, evaluatorInsertion, evaluatorNames, type TextInsertion } from './target';
import type { GeneratedCase, GeneratedRule, GenerateOptions, Prepared } from './generate';

export const EVALUATOR_NAME = 'rules-compliance';

/** Key of the rule text in a generated row (`rule`, unless the prompt has a variable of that name). */
export function ruleKey(vars: readonly string[]): string {
  return vars.includes('rule') ? 'generatedRule' : 'rule';
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

/** The insertions: the cases' rows into the eval set, and (when asked and not there yet) the evaluator into the prompt file. */
export async function proposedEdits(
  spec: PromptSpec,
  p: Prepared,
  kept: GeneratedCase[],
  intent: string,
  rules: GeneratedRule[],
  opts: Pick<GenerateOptions, 'evaluator'>,
  warnings: string[],
): Promise<{ rows: Record<string, unknown>[]; edits: TextInsertion[] }> {
  const rows = kept.map((c) => caseRow(c, p.vars));
  const edits = [casesInsertion(p.target, rows)];
  if (opts.evaluator) {
    if (evaluatorNames(spec.file, p.text).includes(EVALUATOR_NAME)) {
      warnings.push(`the prompt file already has an evaluator named "${EVALUATOR_NAME}": not proposed again`);
    } else {
      edits.push(evaluatorInsertion(spec.file, p.target.format === 'inline' ? p.target.text : p.text, complianceEvaluator(intent, p.vars, rules, p.model)));
    }
  }
  await verifyEdits(spec, p, edits, rows.length);
  return { rows, edits };
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
