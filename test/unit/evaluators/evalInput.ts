// Builds an EvalInput for evaluator tests with sensible defaults.

import type { EvalInput, JudgeClient } from '../../../src/core/evaluators/evaluator';
import { noJudge } from './judgeClient';

export function evalInput(output: string, over: Partial<EvalInput> & { judge?: JudgeClient } = {}): EvalInput {
  const question = over.question ?? 'What is the capital of France?';
  return {
    output,
    vars: {},
    messages: [{ role: 'user', content: question }],
    question,
    latencyMs: 100,
    costUsd: 0.001,
    judge: noJudge,
    signal: new AbortController().signal,
    ...over,
  };
}
