// Loaded into the results panel's webview before the panel's own script, only when an integration test set
// a test host on the panel manager (see ../webviewProbe.ts). It takes the webview API first and hands the
// same object to the panel, so it sees every message both ways without being part of the panel's protocol:
// its own messages carry `plTestProbe` and never reach the panel's handler.
//
// On a probe it optionally clicks an element or presses a key, waits until the panel has no request in
// flight and the page has settled, and answers with a flat description of what the panel shows.

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface ProbeSnapshot {
  runId: string | null;
  rowCount: number;
  renderedRows: number;
  cells: { caseIndex: number; variant: string; status: string; text: string; updated: boolean }[];
  details: string | null;
  progress: string;
  summary: string;
  advice: string | null;
  compare: string | null;
  focused: string | null;
  stale: boolean;
  /** Where the matrix and the details sit in the page (the details open beside or under the matrix, never over it). */
  layout: { matrix: Box; details: Box | null };
  /** The `rows` requests the webview made since the panel loaded, and the case indexes they asked for. */
  rowRequests: number[][];
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const api = acquireVsCodeApi();
const inFlight = new Set<number>();
const rowRequests: number[][] = [];
let runId: string | null = null;
let initialized: () => void = () => undefined;
const whenInitialized = new Promise<void>((resolve) => (initialized = resolve));

(globalThis as unknown as { acquireVsCodeApi: () => VsCodeApi }).acquireVsCodeApi = () => ({
  postMessage: (m: unknown) => {
    const msg = m as { type?: string; id?: number };
    if (msg?.type === 'request' && typeof msg.id === 'number') inFlight.add(msg.id);
    const req = (m as { request?: { method?: string; caseIndexes?: number[] } }).request;
    if (msg?.type === 'request' && req?.method === 'rows') rowRequests.push(req.caseIndexes ?? []);
    api.postMessage(m);
  },
  getState: () => api.getState(),
  setState: (s: unknown) => api.setState(s),
});

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as { type?: string; id?: number; plTestProbe?: { id: number; click?: string; key?: string; search?: string }; record?: { id?: string } | null };
  if (m?.plTestProbe) {
    e.stopImmediatePropagation();
    void answer(m.plTestProbe);
    return;
  }
  if (m?.type === 'init') {
    runId = m.record?.id ?? null;
    initialized();
  } else if (m?.type === 'response' && typeof m.id === 'number') {
    // Answered after the panel's own listener handled the response.
    const id = m.id;
    setTimeout(() => inFlight.delete(id), 0);
  }
});

const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
const tick = () => new Promise((r) => setTimeout(r, 0));

async function answer(p: { id: number; click?: string; key?: string; search?: string }): Promise<void> {
  await whenInitialized;
  if (p.click) (document.querySelector(p.click) as HTMLElement | null)?.click();
  if (p.key) {
    const target = (document.activeElement as HTMLElement | null) ?? document.body;
    target.dispatchEvent(new KeyboardEvent('keydown', { key: p.key, bubbles: true, cancelable: true }));
  }
  if (p.search !== undefined) {
    const input = document.querySelector<HTMLInputElement>('[data-testid="filter-search"]');
    if (input) {
      input.value = p.search;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      // the search box waits for a pause in typing before it asks
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await tick();
  while (inFlight.size) await tick();
  await tick();
  await frame();
  api.postMessage({ plTestProbe: { id: p.id, snapshot: snapshot() } });
}

function text(sel: string): string | null {
  const n = document.querySelector<HTMLElement>(sel);
  return !n || n.hidden ? null : (n.textContent ?? '');
}

function box(sel: string): Box | null {
  const n = document.querySelector<HTMLElement>(sel);
  if (!n || n.hidden) return null;
  const r = n.getBoundingClientRect();
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
}

function snapshot(): ProbeSnapshot {
  const cells = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="matrix-cell"]')).map((c) => ({
    caseIndex: Number(c.dataset.case),
    variant: c.dataset.variant ?? '',
    status: c.dataset.status ?? '',
    text: c.querySelector('.cell-output')?.textContent ?? '',
    updated: c.classList.contains('cell-updated'),
  }));
  const grid = document.querySelector('[data-testid="matrix"]');
  return {
    runId,
    rowCount: Math.max(0, Number(grid?.getAttribute('aria-rowcount') ?? '1') - 1),
    renderedRows: document.querySelectorAll('[data-testid="matrix-row"]').length,
    cells,
    details: text('[data-testid="details"]'),
    progress: document.querySelector('[data-testid="progress"]')?.textContent ?? '',
    summary: [...document.querySelectorAll('[data-testid="variant-summary"]')].map((h) => `${h.textContent ?? ''}\n${h.getAttribute('title') ?? ''}`).join('\n'),
    advice: text('[data-testid="advice-card"]'),
    compare: text('[data-testid="compare-summary"]'),
    focused: document.activeElement?.getAttribute('aria-label') ?? null,
    stale: !(document.querySelector<HTMLElement>('[data-testid="stale-badge"]')?.hidden ?? true),
    layout: { matrix: box('[data-testid="matrix"]') ?? { left: 0, top: 0, right: 0, bottom: 0 }, details: box('[data-testid="details"]') },
    rowRequests: rowRequests.map((r) => [...r]),
  };
}
