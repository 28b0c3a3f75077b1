// The advisor's card: ranked recommendations with their why, evidence (facts and links that filter the
// matrix to the cases behind them) and action buttons. Hidden when the run has no advice.

import type { Advice, Recommendation } from '../core/runs/schema';
import { parseAction } from '../shared/actions';
import { TOP_CASES, adviceProse } from './adviceModel';
import { el, setChildren } from './dom';
import { pct } from './format';

export interface AdviceCallbacks {
  showCases(label: string, cases: number[]): void;
  runAction(action: string): void;
  /** The card was collapsed or expanded (kept in the UI state). */
  toggled(collapsed: boolean): void;
}

/** The rung a recommendation belongs to; what to do on it is the recommendation's title. */
const KIND_LABEL: Record<string, string> = {
  evaluation: 'Evaluation',
  'prompt-engineering': 'Prompt engineering',
  rag: 'Retrieval (RAG)',
  'fine-tuning': 'Fine-tuning',
};

const CONFIDENCE_TIP = "The advisor's confidence that this is the right next step, from the strength of its evidence (cases behind it, paired tests between variants).";

function confidenceText(c: number): string {
  return `confidence ${pct(c)}`;
}

let shown: Advice | undefined;

/** Renders the card; the same advice object is not rendered twice (keeps what the user expanded). */
export function renderAdvice(root: HTMLElement, advice: Advice | undefined, collapsed: boolean, cb: AdviceCallbacks): void {
  if (advice && advice === shown && root.childElementCount > 0) return;
  shown = advice;
  const recs = advice?.recommendations ?? [];
  if (recs.length === 0) {
    root.hidden = true;
    root.replaceChildren();
    return;
  }
  root.hidden = false;
  const [top, ...rest] = recs;
  const card = el(
    'details',
    { class: 'advice-details', open: !collapsed },
    el(
      'summary',
      { class: 'advice-summary' },
      el('span', { class: 'advice-label' }, 'Advisor'),
      el('span', { class: 'advice-headline', title: CONFIDENCE_TIP }, `${KIND_LABEL[top.kind] ?? top.kind}${top.title ? ` · ${top.title}` : ''} · ${confidenceText(top.confidence)}`),
    ),
    recommendation(top, true, cb),
    rest.length
      ? el('details', { class: 'advice-more' }, el('summary', {}, `${rest.length} more recommendation${rest.length === 1 ? '' : 's'}`), ...rest.map((r) => recommendation(r, false, cb)))
      : null,
  );
  card.addEventListener('toggle', () => cb.toggled(!card.open));
  setChildren(root, card);
}

function recommendation(r: Recommendation, top: boolean, cb: AdviceCallbacks): HTMLElement {
  const prose = adviceProse(r.why, r.evidence);
  const actions = r.actions.map(parseAction);
  const link = (label: string, cases: number[], text: string) =>
    el('button', { type: 'button', class: 'link-button', 'data-testid': 'advice-evidence', onclick: () => cb.showCases(label, cases) }, text);
  return el(
    'div',
    { class: `recommendation kind-${r.kind}${top ? ' top' : ''}`, 'data-testid': 'recommendation', 'data-kind': r.kind },
    el(
      'div',
      { class: 'rec-head' },
      el('span', { class: 'rec-kind' }, KIND_LABEL[r.kind] ?? r.kind),
      el('span', { class: 'rec-confidence', title: CONFIDENCE_TIP }, confidenceText(r.confidence)),
    ),
    r.title ? el('div', { class: 'rec-title' }, r.title) : null,
    ...prose.paragraphs.map((p, i) => el('p', { class: i === 0 ? 'rec-why' : 'rec-why rec-also' }, p)),
    prose.sentences.length
      ? el(
          'ul',
          { class: 'rec-evidence' },
          ...prose.sentences.map((s) =>
            el('li', {}, s.text, s.cases.length ? ' ' : null, s.cases.length ? link(s.label, s.cases, `show ${s.cases.length} case${s.cases.length === 1 ? '' : 's'}`) : null),
          ),
        )
      : null,
    prose.cases.length ? el('div', { class: 'rec-links' }, link(TOP_CASES, prose.cases, `${TOP_CASES}: show ${prose.cases.length} case${prose.cases.length === 1 ? '' : 's'}`)) : null,
    actions.some((a) => a.command)
      ? el(
          'div',
          { class: 'rec-actions' },
          ...actions
            .map((a, i) => ({ a, raw: r.actions[i] }))
            .filter((x) => x.a.command)
            .map((x) => el('button', { type: 'button', class: 'button secondary', 'data-testid': 'advice-action', onclick: () => cb.runAction(x.raw) }, x.a.label)),
        )
      : null,
    actions.some((a) => !a.command) ? el('ul', { class: 'rec-tips' }, ...actions.filter((a) => !a.command).map((a) => el('li', {}, a.label))) : null,
  );
}
