// The Markdown summary of a CI run (`eval --md FILE`, and $GITHUB_STEP_SUMMARY): the verdict line, per prompt file
// a table of its variants (pass rate, 95 % interval, change against the baseline with its interval, fixed,
// broken, p), the regressed cases with their replies folded in <details>, and the advisor's top recommendation.
// Model output is untrusted text: it goes into fenced blocks longer than any backtick run it holds, redacted.

import type { RunRecord } from './schema';
import type { BaselineComparison, CaseChange } from '../analysis/baseline';
import type { GateVerdict } from '../analysis/gate';
import { formatChange, formatInterval, variantInterval } from '../analysis/intervals';
import { formatP } from '../analysis/advisor/stats';
import { repeatStats } from '../analysis/repeats';
import { topRecommendationLine } from '../analysis/advisor/advise';
import { caseRefLong } from './caseRef';
import { redact } from '../redact';

export interface MarkdownItem {
  record: RunRecord;
  comparison?: BaselineComparison;
  /** How the baseline was named ("origin/main (1a2b3c4d)", "latest run …"). */
  baselineLabel?: string;
  /** Why there is no comparison, when a baseline was asked for. */
  baselineNote?: string;
}

/** Regressed cases shown with their replies, per variant; the rest are counted. */
const MAX_CASES_SHOWN = 25;
const MAX_REPLY_CHARS = 1500;

/** Text for a Markdown table cell: one line, pipes escaped, HTML made inert. */
function cell(text: string): string {
  return redact(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fenced(text: string): string {
  const body = redact(text.length > MAX_REPLY_CHARS ? `${text.slice(0, MAX_REPLY_CHARS)}…` : text);
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${body}\n${fence}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const shareText = (x: number, n: number) => (n > 1 ? `${Math.round(x * n)}/${n} passed` : x === 1 ? 'passed' : 'failed');

function variantTable(item: MarkdownItem): string[] {
  const { record, comparison } = item;
  const rows = ['| variant | model | pass rate | 95 % interval | change vs baseline [95 % interval] | fixed | broken | p |', '|---|---|---:|---|---|---:|---:|---:|'];
  for (const v of record.variants) {
    const c = comparison?.variants.find((x) => x.variant === v.name);
    const change = c ? `${formatChange(c.change, c.changeInterval)} (${pct(c.basePassRate)} → ${pct(c.headPassRate)} on ${c.shared} shared)` : comparison ? 'new variant' : '—';
    rows.push(
      `| ${cell(v.name)} | ${cell(v.model)} | ${pct(v.passRate)} | ${formatInterval(variantInterval(v))} | ${change} | ${c ? c.improved.length : '—'} | ${c ? c.regressed.length : '—'} | ${c ? formatP(c.p).replace(/^p = /, '') : '—'} |`,
    );
  }
  return rows;
}

function regressedCases(variant: string, cases: CaseChange[]): string[] {
  const out: string[] = [];
  for (const c of cases.slice(0, MAX_CASES_SHOWN)) {
    const inputs = Object.entries(c.vars)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const summary = `${caseRefLong(c)} [${variant}]${c.mustPass ? ' (must-pass)' : ''}: ${shareText(c.base.share, c.base.results)} → ${shareText(c.head.share, c.head.results)}`;
    out.push(`<details><summary>${cell(summary)}</summary>`, '', `Inputs: ${cell(inputs.slice(0, 300))}`, '', 'Reply now:', '', fenced(c.head.output), '', 'Reply in the baseline:', '', fenced(c.base.output), '', '</details>');
  }
  if (cases.length > MAX_CASES_SHOWN) out.push('', `… and ${cases.length - MAX_CASES_SHOWN} more regressed cases of ${cell(variant)} (see the run record).`);
  return out;
}

function section(item: MarkdownItem): string[] {
  const { record, comparison } = item;
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const title = `### ${cell(record.promptName ?? record.promptFile)} — ${count(record.cases.length, 'case')} × ${count(record.variants.length, 'variant')}${record.repeat ? ` × ${record.repeat} repeats` : ''}`;
  const lines = [title, '', `\`${cell(record.promptFile)}\`${item.baselineLabel ? ` against the baseline ${cell(item.baselineLabel)}` : ''}${record.status !== 'completed' ? ` — **${record.status}**` : ''}`, ''];
  if (item.baselineNote) lines.push(`> ${cell(item.baselineNote)}`, '');
  lines.push(...variantTable(item), '');
  if (record.repeat && record.repeat > 1) {
    for (const s of repeatStats(record)) {
      lines.push(`- ${cell(s.variant)}: pass^${s.k} ${pct(s.passK)} (${s.allPassed} of ${s.cases} cases passed every repeat), ${s.flaky.length} flaky`);
    }
    lines.push('');
  }
  if (comparison) {
    const oneSided = comparison.variants.flatMap((v) => [...v.onlyHead, ...v.onlyBase].map((c) => ({ v: v.variant, c })));
    if (oneSided.length) {
      const list = oneSided.slice(0, 20).map(({ v, c }) => `${caseRefLong(c)} [${v}] (${c.side === 'head' ? 'new' : 'baseline only'})`);
      lines.push(`Cases on one side only, not counted: ${cell(list.join(', '))}${oneSided.length > 20 ? ` and ${oneSided.length - 20} more` : ''}.`, '');
    }
    if (comparison.onlyBaseVariants.length) lines.push(`Variants only in the baseline: ${cell(comparison.onlyBaseVariants.join(', '))}.`, '');
    for (const v of comparison.variants) if (v.regressed.length) lines.push(`#### ${v.regressed.length} regressed in ${cell(v.variant)}`, '', ...regressedCases(v.variant, v.regressed), '');
  }
  if (record.advice?.recommendations.length) lines.push(`**Recommendation:** ${cell(topRecommendationLine(record.advice))}`, '');
  return lines;
}

export function toMarkdown(items: MarkdownItem[], verdict: GateVerdict): string {
  const lines = [`## Prompt Ladder: ${verdict.passed ? '✅' : '❌'} ${cell(verdict.line)}`, ''];
  if (!verdict.passed && verdict.reasons.length) lines.push(...verdict.reasons.map((r) => `- ${cell(r)}`), '');
  for (const item of items) lines.push(...section(item));
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
