// Small PromptSpec builders for render tests.
import type { EvalCase, Example, MessageTemplate, PromptSpec, VariantSpec } from '../../../src/core/prompt/spec';

export function spec(messages: Omit<MessageTemplate, 'line'>[], examples: Partial<Example>[] = []): PromptSpec {
  return {
    format: 'prompt.yml',
    file: '/ws/t.prompt.yml',
    name: 't',
    modelParameters: {},
    messages: messages.map((m, i) => ({ ...m, line: i + 1 })),
    evaluators: [],
    cases: [],
    examples: examples.map((e, i) => ({ input: '', output: '', file: '/ws/t.prompt.yml', line: 100 + i, ...e })),
    variants: [{ name: 'default', line: 1 }],
    problems: [],
    keyLines: {},
  };
}

export function variant(v: Partial<VariantSpec> = {}): VariantSpec {
  return { name: 'v', line: 1, ...v };
}

export function kase(vars: Record<string, unknown>, index = 0): EvalCase {
  return { index, file: '/ws/t.prompt.yml', line: 10 + index, vars };
}
