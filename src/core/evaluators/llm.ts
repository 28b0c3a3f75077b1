// gh `llm` evaluator: a judge model picks one of the listed choices, each worth a score.
// Matches github/gh-models cmd/eval/eval.go runLLMEvaluator exactly:
// - `prompt` is templated with the test row plus `{{completion}}`; `systemPrompt` is sent as written
//   (not templated) and only when non-empty, before the user message;
// - the judge reply is trimmed and lower-cased, then the choices are tried IN THE ORDER LISTED and the
//   first whose lower-cased text is a substring of the reply wins (so with choices "1".."5" a reply
//   "Score: 4 (1 point off)" matches "1");
// - passed = score > 0; no match → score 0, failed, details name the reply.

import type { ChatMessage, EvaluatorSpec, LlmChoice } from '../prompt/spec';
import type { EvalInput, EvaluatorFn, EvaluatorResult } from './evaluator';
import { goToLower, goTrimSpace } from './goStrings';
import { completionVars } from './templateVars';
import { ghTemplate } from '../render/ghTemplate';

type LlmSpec = Extract<EvaluatorSpec, { kind: 'llm' }>;

export interface ChoiceJudge {
  prompt: string;
  systemPrompt?: string;
  choices: LlmChoice[];
}

/** gh's choice matching: the first listed choice contained in the trimmed, lower-cased reply. */
export function matchChoice(reply: string, choices: LlmChoice[]): LlmChoice | undefined {
  const text = goToLower(goTrimSpace(reply));
  return choices.find((c) => text.includes(goToLower(String(c.choice))));
}

/** Ask the judge and score its reply against the choices (shared by `llm` and the github/* built-ins). */
export async function runChoiceJudge(
  name: string,
  judge: ChoiceJudge,
  input: EvalInput,
  vars: Record<string, unknown>,
  model: string | undefined,
): Promise<EvaluatorResult> {
  const messages: ChatMessage[] = [];
  if (judge.systemPrompt) messages.push({ role: 'system', content: judge.systemPrompt });
  messages.push({ role: 'user', content: ghTemplate(judge.prompt, vars) });
  const reply = await input.judge.complete(messages, { model });
  const choice = matchChoice(reply, judge.choices);
  if (choice) {
    const score = Number(choice.score);
    return {
      name,
      passed: score > 0,
      score,
      details: `LLM evaluation matched choice: '${choice.choice}'`,
      data: { reply, choice: choice.choice },
    };
  }
  return {
    name,
    passed: false,
    score: 0,
    details: `LLM evaluation response '${goToLower(goTrimSpace(reply))}' did not match any defined choices`,
    data: { reply },
  };
}

export const evaluateLlm: EvaluatorFn<LlmSpec> = async (spec, input) => {
  const result = await runChoiceJudge(spec.name, spec, input, completionVars(input), spec.modelId);
  // No natural category: an LLM judge can check anything. A declared `category` is applied by the registry.
  return result;
};
