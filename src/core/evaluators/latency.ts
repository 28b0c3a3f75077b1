// `latency` evaluator: the model call took at most `maxMs` milliseconds.

import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn } from './evaluator';

type LatencySpec = Extract<EvaluatorSpec, { kind: 'latency' }>;

export const evaluateLatency: EvaluatorFn<LatencySpec> = async (spec, input) => {
  const passed = input.latencyMs <= spec.maxMs;
  return {
    name: spec.name,
    passed,
    score: passed ? 1 : 0,
    details: `Latency ${Math.round(input.latencyMs)} ms (max ${spec.maxMs} ms)`,
  };
};
