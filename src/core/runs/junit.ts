// JUnit XML export of run records: one <testsuite> per (prompt file, variant), one <testcase> per case (its
// repeats folded into it).

import type { CaseRecord, CaseResult, RunRecord } from './schema';
import { redact } from '../redact';
import { caseRef } from './caseRef';

export function xmlEscape(text: string): string {
  // Configured keys are masked first (escaping would change their form); characters XML 1.0 cannot hold
  // at all are dropped; the rest escaped.
  return redact(text)
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 allows, tab and line ends included
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A case as JUnit and the HTML report name it: its eval-set line, then its variables. */
export function caseLabel(c: CaseRecord, maxLen = 60): string {
  const vars = Object.entries(c.vars)
    .filter(([k]) => k !== 'expected')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const short = vars.length > maxLen ? `${vars.slice(0, maxLen - 1)}…` : vars;
  return `${caseRef(c)} ${short}`.trim();
}

function failureText(r: CaseResult): string {
  const lines = r.evaluators.filter((e) => !e.passed).map((e) => `${e.name}: ${e.details ?? `score ${e.score}`}`);
  if (r.category) lines.push(`category: ${r.category}${r.categoryReason ? ` (${r.categoryReason})` : ''}`);
  lines.push(`output: ${r.output}`);
  return lines.join('\n');
}

/** One <testcase> for a case × variant: with --repeat it passes only when every repeat passed. */
function testCase(record: RunRecord, variant: string, c: CaseRecord, rs: CaseResult[]): { xml: string; seconds: number; status: 'pass' | 'fail' | 'error' } {
  const seconds = rs.reduce((s, r) => s + r.latencyMs, 0) / 1000;
  const attrs = `classname="${xmlEscape(`${record.promptFile}.${variant}`)}" name="${xmlEscape(caseLabel(c))}" time="${seconds.toFixed(3)}"`;
  const passed = rs.filter((r) => r.passed && !r.error).length;
  const errored = rs.filter((r) => r.error);
  if (passed === rs.length) return { xml: `    <testcase ${attrs}/>`, seconds, status: 'pass' };
  if (errored.length === rs.length) {
    return { xml: `    <testcase ${attrs}>\n      <error message="${xmlEscape(errored[0].error!)}"/>\n    </testcase>`, seconds, status: 'error' };
  }
  const r = rs.find((x) => !x.passed && !x.error) ?? errored[0];
  const failed = r.error ? 'error' : r.evaluators.filter((e) => !e.passed).map((e) => e.name).join(', ') || 'failed';
  const message = rs.length > 1 ? `${passed} of ${rs.length} repeats passed; ${failed}` : failed;
  const body = r.error ? `error: ${r.error}` : failureText(r);
  return {
    xml: `    <testcase ${attrs}>\n      <failure message="${xmlEscape(message)}" type="${xmlEscape(r.category ?? 'failure')}">${xmlEscape(body)}</failure>\n    </testcase>`,
    seconds,
    status: 'fail',
  };
}

export function toJUnit(records: RunRecord[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  for (const record of records) {
    for (const v of record.variants) {
      const cases: string[] = [];
      let suiteTime = 0;
      const counts = { tests: 0, fail: 0, error: 0 };
      for (const c of record.cases) {
        const rs = c.results.filter((x) => x.variant === v.name);
        if (rs.length === 0) continue;
        const t = testCase(record, v.name, c, rs);
        cases.push(t.xml);
        suiteTime += t.seconds;
        counts.tests++;
        if (t.status !== 'pass') counts[t.status]++;
      }
      tests += counts.tests;
      failures += counts.fail;
      errors += counts.error;
      time += suiteTime;
      suites.push(
        `  <testsuite name="${xmlEscape(`${record.promptFile} [${v.name}]`)}" tests="${counts.tests}" failures="${counts.fail}" errors="${counts.error}" time="${suiteTime.toFixed(3)}" timestamp="${xmlEscape(record.startedAt)}">\n${cases.join('\n')}\n  </testsuite>`,
      );
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="prompt-ladder" tests="${tests}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
