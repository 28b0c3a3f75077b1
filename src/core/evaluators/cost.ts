// `cost` evaluator: the model call cost at most `maxUsd` US dollars.

import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn } from './evaluator';

type CostSpec = Extract<EvaluatorSpec, { kind: 'cost' }>;

const usd = (n: number): string => `$${n < 0.01 ? n.toPrecision(3) : n.toFixed(4)}`;

export const evaluateCost: EvaluatorFn<CostSpec> = async (spec, input) => {
  const passed = input.costUsd <= spec.maxUsd;
  return {
    name: spec.name,
    passed,
    score: passed ? 1 : 0,
    details: `Cost ${usd(input.costUsd)} (max ${usd(spec.maxUsd)})`,
  };
};
