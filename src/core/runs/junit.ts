// JUnit XML export of run records: one <testsuite> per (prompt file, variant), one <testcase> per case.

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
      for (const c of record.cases) {
        for (const r of c.results.filter((x) => x.variant === v.name)) {
          const seconds = r.latencyMs / 1000;
          suiteTime += seconds;
          const name = xmlEscape(caseLabel(c) + (r.repeat ? ` (repeat ${r.repeat})` : ''));
          const attrs = `classname="${xmlEscape(`${record.promptFile}.${v.name}`)}" name="${name}" time="${seconds.toFixed(3)}"`;
          if (r.error) {
            cases.push(`    <testcase ${attrs}>\n      <error message="${xmlEscape(r.error)}"/>\n    </testcase>`);
          } else if (!r.passed) {
            const failed = r.evaluators.filter((e) => !e.passed).map((e) => e.name).join(', ') || 'failed';
            cases.push(
              `    <testcase ${attrs}>\n      <failure message="${xmlEscape(failed)}" type="${xmlEscape(r.category ?? 'failure')}">${xmlEscape(failureText(r))}</failure>\n    </testcase>`,
            );
          } else {
            cases.push(`    <testcase ${attrs}/>`);
          }
        }
      }
      const n = v.passed + v.failed + v.errors;
      tests += n;
      failures += v.failed;
      errors += v.errors;
      time += suiteTime;
      suites.push(
        `  <testsuite name="${xmlEscape(`${record.promptFile} [${v.name}]`)}" tests="${n}" failures="${v.failed}" errors="${v.errors}" time="${suiteTime.toFixed(3)}" timestamp="${xmlEscape(record.startedAt)}">\n${cases.join('\n')}\n  </testsuite>`,
      );
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="prompt-ladder" tests="${tests}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
