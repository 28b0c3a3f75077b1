// Too few cases to tell variants apart: grow the eval set first (under 10 cases it ranks above every rung).

import type { Finding, Rule } from '../rule';
import { plural } from '../../../text/plural';
import { ADVISOR_COMMANDS, commandAction } from '../commands';

export const MIN_CASES = 10;
export const COMFORTABLE_CASES = 20;

export const meta = {
  id: 'evaluation',
  description: 'Fewer than 20 judged cases: one case moves a pass rate by 5+ points, so small differences are noise.',
  kinds: ['evaluation'],
} satisfies Rule['meta'];

export function check(s: Parameters<Rule['check']>[0]): Finding[] {
  const n = s.caseCount;
  if (n === 0 || n >= COMFORTABLE_CASES || s.totalFailures === 0 && n >= MIN_CASES) return [];
  const few = n < MIN_CASES;
  const points = Math.round(100 / n);
  return [
    {
      rule: meta.id,
      kind: 'evaluation',
      confidence: few ? 0.9 : 0.45,
      title: few ? `Only ${n} case${n === 1 ? '' : 's'}: grow the eval set before choosing a fix` : `${n} cases: add more for firmer advice`,
      why: few
        ? `With ${plural(n, 'case')} a single case moves a pass rate by ${points} points, so no difference between variants can be told from noise ` +
          `(even ${n} of ${plural(n, 'case')} fixed and none broken gives p = ${(2 * 0.5 ** n).toFixed(3)}). Add cases until there are at least ${COMFORTABLE_CASES}; the advice below is provisional.`
        : `With ${plural(n, 'case')} one case is ${points} points of pass rate; ${COMFORTABLE_CASES}+ cases make the paired differences between variants trustworthy.`,
      evidence: { caseCount: n, minimum: MIN_CASES, comfortable: COMFORTABLE_CASES, failures: s.totalFailures, cases: s.record.cases.map((c) => c.index) },
      actions: [commandAction(ADVISOR_COMMANDS.generateTestCases, 'Generate test cases from the prompt'), commandAction(ADVISOR_COMMANDS.addTestCase, 'Add test case')],
      priority: few ? 2 : 0,
      weight: few ? 1 : 0.1,
    },
  ];
}

export const rule: Rule = { meta, check };
