// The Climb view's webview: the steps (kept / dropped, evidence, cost), a small SVG chart of validation and
// test pass rate against cumulative dollars, and the climbed prompt as a diff with Apply / Open as New File.
// Everything from the record is inserted as text, never as HTML.

import { parseClimbHostMessage, type ClimbWebviewMessage } from '../../shared/climbProtocol';
import type { ClimbView } from '../../core/climb/view';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: ClimbWebviewMessage) => vscode.postMessage(m);
const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Validation (solid) and test (dots) pass rate against cumulative spend. */
function chart(view: ClimbView): SVGElement {
  const W = 420;
  const H = 160;
  const pad = 32;
  const root = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Pass rate against cumulative cost' });
  const maxX = Math.max(...view.chart.map((p) => p.x), 1e-9);
  const x = (v: number) => pad + (v / maxX) * (W - 2 * pad);
  const y = (v: number) => H - pad - v * (H - 2 * pad);
  root.append(svg('line', { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, class: 'axis' }), svg('line', { x1: pad, y1: pad, x2: pad, y2: H - pad, class: 'axis' }));
  for (const [v, t] of [[0, '0%'], [1, '100%']] as const) {
    const label = svg('text', { x: 2, y: y(v) + 4, class: 'tick' });
    label.textContent = t;
    root.append(label);
  }
  const axis = svg('text', { x: W - pad, y: H - 8, 'text-anchor': 'end', class: 'tick' });
  axis.textContent = view.money ? `$${maxX.toPrecision(2)} spent` : `${maxX} calls`;
  root.append(axis);
  const val = view.chart.filter((p) => p.validation !== null);
  if (val.length > 1) root.append(svg('polyline', { points: val.map((p) => `${x(p.x)},${y(p.validation!)}`).join(' '), class: 'validation' }));
  for (const p of view.chart) {
    for (const [v, cls] of [[p.validation, 'validation'], [p.test, 'test']] as const) {
      if (v === null) continue;
      const dot = svg('circle', { cx: x(p.x), cy: y(v), r: cls === 'test' ? 4 : 3, class: `dot ${cls}` });
      const title = svg('title', {});
      title.textContent = `${p.label}: ${cls} ${pct(v)}`;
      dot.append(title);
      root.append(dot);
    }
  }
  return root;
}

function render(view: ClimbView): void {
  const body = document.body;
  body.replaceChildren();
  body.append(el('h2', `Climb of ${view.file}`));
  body.append(el('p', `${view.status}${view.stopReason ? ` — ${view.stopReason}` : ''}`, 'status'));
  body.append(el('p', `Spent: ${view.spent}`, 'spent'));
  if (view.chart.length) {
    const fig = el('figure');
    fig.append(chart(view), el('figcaption', 'Validation pass rate (line) and test pass rate (larger dots: baseline and final) against cumulative ' + (view.money ? 'dollars' : 'calls')));
    body.append(fig);
  }
  const list = el('ol', undefined, 'steps');
  list.setAttribute('aria-label', 'Steps');
  for (const s of view.steps) {
    const li = el('li', undefined, s.kept ? 'kept' : 'dropped');
    li.dataset.testid = 'climb-step';
    li.append(el('strong', `${s.kept ? '✓ kept' : '✗ dropped'} · step ${s.round} · ${s.action} (${s.label})`));
    li.append(el('div', `${s.kind} · search ${pct(s.search)} · validation ${pct(s.validation)} · ${s.cost}`, 'figures'));
    li.append(el('div', s.why, 'why'));
    list.append(li);
  }
  body.append(list);
  if (view.diff) {
    body.append(el('h3', 'Climbed prompt'));
    const actions = el('div', undefined, 'actions');
    const apply = el('button', 'Apply');
    apply.disabled = !view.canApply;
    apply.title = view.canApply ? 'Replace the prompt file with the climbed one (one undoable edit)' : 'The file already holds the climbed prompt';
    apply.addEventListener('click', () => post({ type: 'apply' }));
    const open = el('button', 'Open as New File');
    open.addEventListener('click', () => post({ type: 'openAsNew' }));
    actions.append(apply, open);
    body.append(actions);
    const pre = el('pre', undefined, 'diff');
    for (const d of view.diff) pre.append(el('span', `${d.kind} ${d.text}\n`, d.kind === '+' ? 'add' : d.kind === '-' ? 'del' : 'same'));
    body.append(pre);
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const parsed = parseClimbHostMessage(e.data);
  if (!parsed.ok) return;
  // the record's path, so a reloaded window reopens this view from the record
  if (parsed.message.state) vscode.setState(parsed.message.state);
  render(parsed.message.view);
});

post({ type: 'ready' });
