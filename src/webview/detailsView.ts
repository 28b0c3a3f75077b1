// The details pane of one cell: full output, the exact messages sent, every evaluator's verdict, tokens,
// latency, cache. Everything from the model is inserted as text.

import type { CaseResult } from '../core/runs/schema';
import type { DetailsResult } from '../shared/protocol';
import { el, setChildren, type Child } from './dom';
import { ms, usd } from './format';
import { resultStatus } from './grid';
import { caseRef } from '../core/runs/caseRef';

export interface DetailsCallbacks {
  close(): void;
  openFile(file: string | undefined, line: number): void;
  copy(text: string): void;
  addTestCase(caseIndex: number, variant: string): void;
}

export class DetailsView {
  readonly root: HTMLElement;
  private readonly content: HTMLElement;
  private current: { caseIndex: number; variant: string } | null = null;

  constructor(private readonly cb: DetailsCallbacks) {
    this.content = el('div', { class: 'details-content' });
    this.root = el(
      'aside',
      { class: 'details', 'data-testid': 'details', role: 'region', 'aria-label': 'Cell details', hidden: true, tabindex: -1 },
      this.content,
    );
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.cb.close();
      }
    });
  }

  get shown(): { caseIndex: number; variant: string } | null {
    return this.root.hidden ? null : this.current;
  }

  showLoading(caseIndex: number, variant: string, ref: string): void {
    this.current = { caseIndex, variant };
    this.root.hidden = false;
    setChildren(this.content, this.head(`Case ${ref} · ${variant}`), el('p', { class: 'muted' }, 'Loading…'));
  }

  showError(caseIndex: number, variant: string, ref: string, message: string): void {
    this.current = { caseIndex, variant };
    this.root.hidden = false;
    setChildren(this.content, this.head(`Case ${ref} · ${variant}`), el('p', { class: 'error-text' }, message));
  }

  hide(): void {
    this.root.hidden = true;
    this.current = null;
    this.content.replaceChildren();
  }

  show(d: DetailsResult): void {
    this.current = { caseIndex: d.caseIndex, variant: d.variant };
    this.root.hidden = false;
    const parts: Child[] = [
      this.head(`Case ${caseRef(d)} · ${d.variant}`, d),
      section('Variables', varsList(d.vars)),
      d.expected !== undefined ? section('Expected', el('pre', { class: 'text-block' }, d.expected)) : null,
    ];
    if (d.results.length === 0) parts.push(el('p', { class: 'muted' }, 'No result for this variant yet.'));
    d.results.forEach((r, i) => parts.push(this.result(r, d.results.length > 1 ? `Repeat ${i + 1} of ${d.results.length}` : undefined)));
    setChildren(this.content, ...parts);
    this.content.scrollTop = 0;
  }

  private head(title: string, d?: DetailsResult): HTMLElement {
    const output = d?.results[0]?.output;
    return el(
      'div',
      { class: 'details-head' },
      el('h2', { class: 'details-title' }, title),
      el(
        'div',
        { class: 'details-actions' },
        d
          ? el('button', { class: 'link-button', type: 'button', onclick: () => this.cb.openFile(d.file, d.line), title: 'Open the case in the editor' }, `Go to line ${d.line}`)
          : null,
        output !== undefined ? el('button', { class: 'link-button', type: 'button', onclick: () => this.cb.copy(output) }, 'Copy output') : null,
        d && output !== undefined && !d.results[0]?.error
          ? el(
              'button',
              {
                class: 'link-button',
                type: 'button',
                'data-testid': 'add-test-case',
                title: 'Add this case to the eval set with this output as the expected answer',
                onclick: () => this.cb.addTestCase(d.caseIndex, d.variant),
              },
              'Add as test case',
            )
          : null,
        el('button', { class: 'icon-button', type: 'button', 'aria-label': 'Close details (Escape)', title: 'Close (Escape)', onclick: () => this.cb.close() }, '✕'),
      ),
    );
  }

  private result(r: CaseResult, heading: string | undefined): HTMLElement {
    const status = resultStatus(r);
    const facts: [string, string][] = [
      ['Status', status === 'pass' ? 'passed' : status === 'fail' ? 'failed' : 'error'],
      ...(r.category ? ([['Category', r.category + (r.categoryReason ? ` — ${r.categoryReason}` : '')]] as [string, string][]) : []),
      ...(r.score !== undefined ? ([['Score', String(Math.round(r.score * 1000) / 1000)]] as [string, string][]) : []),
      ...(r.model ? ([['Model', r.model]] as [string, string][]) : []),
      ['Tokens', `${r.tokens.prompt} prompt + ${r.tokens.completion} completion`],
      ['Latency', ms(r.latencyMs)],
      ...(r.costUsd !== undefined ? ([['Cost', usd(r.costUsd)]] as [string, string][]) : []),
      ['Cached', r.cached ? 'yes (served from the response cache)' : 'no'],
    ];
    const shots = r.messages ? countShots(r.messages) : 0;
    return el(
      'div',
      { class: `details-result status-${status}`, 'data-testid': 'details-result' },
      heading ? el('h3', {}, heading) : null,
      el('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
      r.error ? section('Error', el('pre', { class: 'text-block error-text' }, r.error)) : null,
      section('Output', el('pre', { class: 'text-block output', 'data-testid': 'details-output' }, r.output || '(empty)')),
      r.evaluators.length ? section('Evaluators', evaluatorTable(r)) : null,
      r.messages
        ? collapsible(
            `Messages sent (${r.messages.length}${shots ? `, ${shots} few-shot pair${shots === 1 ? '' : 's'}` : ''})`,
            el(
              'ol',
              { class: 'messages' },
              ...r.messages.map((m) => el('li', { class: `message role-${m.role}` }, el('div', { class: 'role' }, m.role), el('pre', { class: 'text-block' }, m.content))),
            ),
            true,
          )
        : null,
      r.context?.length
        ? collapsible(
            `Retrieved context (${r.context.length})`,
            el('ol', { class: 'context' }, ...r.context.map((c) => el('li', {}, el('pre', { class: 'text-block' }, c)))),
            false,
          )
        : null,
    );
  }
}

/** Few-shot pairs: user/assistant pairs before the final user message. */
export function countShots(messages: { role: string }[]): number {
  let pairs = 0;
  for (let i = 0; i + 1 < messages.length - 1; i++) if (messages[i].role === 'user' && messages[i + 1].role === 'assistant') pairs++;
  return pairs;
}

function section(title: string, body: Child): HTMLElement {
  return el('section', { class: 'details-section' }, el('h4', {}, title), body);
}

function collapsible(title: string, body: Child, open: boolean): HTMLElement {
  return el('details', { class: 'details-section', open }, el('summary', {}, title), body);
}

function varsList(vars: Record<string, unknown>): HTMLElement {
  const entries = Object.entries(vars);
  if (entries.length === 0) return el('p', { class: 'muted' }, '(none)');
  return el(
    'dl',
    { class: 'facts vars' },
    ...entries.flatMap(([k, v]) => [
      el('dt', {}, k),
      el('dd', {}, el('pre', { class: 'text-block' }, typeof v === 'string' ? v : JSON.stringify(v, null, 2) ?? String(v))),
    ]),
  );
}

function evaluatorTable(r: CaseResult): HTMLElement {
  return el(
    'table',
    { class: 'evaluators' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Evaluator'), el('th', {}, 'Verdict'), el('th', {}, 'Score'), el('th', {}, 'Details'))),
    el(
      'tbody',
      {},
      ...r.evaluators.map((e) =>
        el(
          'tr',
          { class: e.passed ? 'status-pass' : 'status-fail' },
          el('td', {}, e.name),
          el('td', {}, e.passed ? '✓ pass' : '✗ fail', e.category ? el('span', { class: `chip cat-${e.category}` }, e.category) : null),
          el('td', {}, String(Math.round(e.score * 1000) / 1000)),
          el(
            'td',
            {},
            e.details ? el('pre', { class: 'text-block' }, e.details) : null,
            e.data !== undefined ? collapsible('data', el('pre', { class: 'text-block' }, JSON.stringify(e.data, null, 2) ?? ''), false) : null,
          ),
        ),
      ),
    ),
  );
}
