// Everything passes in every variant: the eval set cannot tell the variants apart; add harder cases.

import type { Finding, Rule } from '../rule';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { MIN_CASES } from './evaluation';

export const meta = {
  id: 'all-pass',
  description: 'No judged failure anywhere: the eval set is too easy to rank variants.',
  kinds: ['evaluation'],
} satisfies Rule['meta'];

export function check(s: Parameters<Rule['check']>[0]): Finding[] {
  if (s.caseCount < MIN_CASES || s.totalFailures > 0) return [];
  const cheapest = [...s.variants].filter((v) => v.judged > 0).sort((a, b) => a.promptTokensPerCall - b.promptTokensPerCall)[0];
  return [
    {
      rule: meta.id,
      kind: 'evaluation',
      confidence: 0.7,
      title: 'Everything passes: add harder cases',
      why:
        `${s.caseCount === 1 ? 'The only case passes' : `All ${s.caseCount} cases pass`} in every variant, so this eval set cannot tell the variants apart. ` +
        `Add edge cases and the inputs that fail in production before changing the prompt${cheapest ? `; until then the cheapest variant, ${cheapest.name} (${Math.round(cheapest.promptTokensPerCall)} prompt tokens per call), is as good as any` : ''}.`,
      evidence: { caseCount: s.caseCount, failures: 0, cases: [], perVariant: s.variants.map((v) => ({ variant: v.name, results: v.judged, passed: v.passed })) },
      actions: [commandAction(ADVISOR_COMMANDS.generateTestCases, 'Generate test cases from the prompt'), commandAction(ADVISOR_COMMANDS.addTestCase, 'Add test case')],
      priority: 0,
      weight: 1,
    },
  ];
}

export const rule: Rule = { meta, check };
