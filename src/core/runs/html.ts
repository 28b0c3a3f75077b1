// A self-contained HTML report of run records (no external assets; model output always escaped).

import type { CaseResult, RunRecord } from './schema';
import { caseLabel } from './junit';
import { redact } from '../redact';
import { formatInterval, variantInterval } from '../analysis/intervals';

/** Escaped for HTML text and attributes; configured keys are masked before escaping changes their form. */
export function htmlEscape(text: string): string {
  return redact(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function cell(r: CaseResult | undefined): string {
  if (!r) return '<td class="none">—</td>';
  const status = r.error ? 'error' : r.passed ? 'pass' : 'fail';
  const mark = r.error ? '!' : r.passed ? '✓' : '✗';
  const chip = r.category && !r.passed ? `<span class="chip">${htmlEscape(r.category)}</span>` : '';
  const verdicts = r.evaluators
    .map((e) => `<li class="${e.passed ? 'pass' : 'fail'}">${e.passed ? '✓' : '✗'} ${htmlEscape(e.name)} (${e.score.toFixed(2)})${e.details ? ` — ${htmlEscape(e.details)}` : ''}</li>`)
    .join('');
  const body = r.error ? htmlEscape(r.error) : htmlEscape(r.output);
  return `<td class="${status}" data-status="${status}"><details><summary>${mark} ${chip}<span class="out">${htmlEscape(
    (r.error ?? r.output).split('\n')[0].slice(0, 120),
  )}</span></summary><pre>${body}</pre>${r.categoryReason && !r.passed ? `<p class="reason">${htmlEscape(r.categoryReason)}</p>` : ''}<ul>${verdicts}</ul><p class="meta">${r.latencyMs} ms · ${r.tokens.prompt}+${r.tokens.completion} tokens${r.cached ? ' · cached' : ''}</p></details></td>`;
}

function section(record: RunRecord): string {
  const summary = record.variants
    .map(
      (v) => `<tr><th>${htmlEscape(v.name)}</th><td>${htmlEscape(v.model)}</td><td><div class="bar"><span style="width:${pct(v.passRate)}"></span></div> ${pct(
        v.passRate,
      )} <small class="ci" title="95 % interval">${formatInterval(variantInterval(v))}</small></td><td>${v.passed}</td><td>${v.failed}</td><td>${v.errors}</td><td>${v.tokens.prompt + v.tokens.completion}</td><td>$${v.costUsd.toFixed(4)}</td><td>${v.latencyMs.p50} / ${v.latencyMs.p95} ms</td><td>${htmlEscape(
        Object.entries(v.categories)
          .map(([k, n]) => `${k} ${n}`)
          .join(', '),
      )}</td></tr>`,
    )
    .join('');
  const head = record.variants.map((v) => `<th>${htmlEscape(v.name)}</th>`).join('');
  const rows = record.cases
    .map((c) => {
      const cells = record.variants.map((v) => cell(c.results.find((r) => r.variant === v.name))).join('');
      const failing = c.results.some((r) => !r.passed);
      return `<tr class="${failing ? 'has-fail' : ''}"><th class="case">${htmlEscape(caseLabel(c, 120))}${
        c.expected !== undefined ? `<div class="expected">expected: ${htmlEscape(c.expected)}</div>` : ''
      }</th>${cells}</tr>`;
    })
    .join('\n');
  const advice = record.advice?.recommendations
    .map(
      (r, i) => `<div class="advice${i === 0 ? ' top' : ''}"><b>${htmlEscape(r.kind)}</b> (confidence ${pct(r.confidence)}) ${htmlEscape(r.title ?? '')}<p>${htmlEscape(
        r.why,
      )}</p><ul>${r.actions.map((a) => `<li>${htmlEscape(a.replace(/^command:[^|]*\|/, ''))}</li>`).join('')}</ul></div>`,
    )
    .join('');
  return `<section><h2>${htmlEscape(record.promptName ?? record.promptFile)} <small>${htmlEscape(record.promptFile)} · ${htmlEscape(
    record.startedAt,
  )} · ${htmlEscape(record.status)}</small></h2>
<table class="summary"><tr><th>variant</th><th>model</th><th>pass rate</th><th>passed</th><th>failed</th><th>errors</th><th>tokens</th><th>cost</th><th>p50 / p95</th><th>categories</th></tr>${summary}</table>
${advice ?? ''}
<table class="matrix"><thead><tr><th>case</th>${head}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function toHtml(records: RunRecord[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Prompt Ladder report</title><style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}td.pass{background:#12261e!important}td.fail{background:#2d1517!important}td.error{background:#2b2111!important}}
table{border-collapse:collapse;margin:.75rem 0}th,td{border:1px solid #8884;padding:.3rem .5rem;vertical-align:top;text-align:left}
td.pass{background:#e6f4ea}td.fail{background:#fde7e9}td.error{background:#fff4e5}.chip{font-size:11px;border:1px solid currentColor;border-radius:8px;padding:0 .4rem;margin-right:.3rem}
pre{white-space:pre-wrap;max-width:60ch}.bar{display:inline-block;width:80px;height:8px;background:#8884}.bar span{display:block;height:100%;background:#2da44e}
.case{max-width:40ch;font-weight:normal}.expected{color:#888;font-size:12px}.advice{border-left:4px solid #0969da;padding:.25rem .75rem;margin:.5rem 0}.advice.top{background:#0969da14}
.meta,.reason{color:#888;font-size:12px}label{margin-right:1rem}
</style></head><body><h1>Prompt Ladder report</h1>
<label><input type="checkbox" id="fails"> failures only</label>
${records.map(section).join('\n')}
<script>document.getElementById('fails').addEventListener('change',e=>{for(const tr of document.querySelectorAll('table.matrix tbody tr'))tr.hidden=e.target.checked&&!tr.classList.contains('has-fail')})</script>
</body></html>
`;
}
