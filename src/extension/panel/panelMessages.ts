// The messages a results panel posts about the run it shows (shownRun.ts): the whole state when the webview
// (re)starts or the run is replaced, an update while a run goes on, the end of the run it followed, and the
// answers to the webview's requests. Row briefs cross packed (rowBrief.ts). No vscode import: the panel passes
// in what it knows of the file.

import type { CompareData, HostMessage, Request } from '../../shared/protocol';
import { packBriefs } from '../../shared/rowBrief';
import type { PanelFocus } from './panelTypes';
import type { ShownRun } from './shownRun';

/** What the panel knows beside the run: the file, where the record is, and its own state. */
export interface PanelState {
  promptUri: string;
  promptLabel: string;
  runUri?: string;
  pinned: boolean;
  running: boolean;
  compare: CompareData | null;
  focus?: PanelFocus;
  stale: boolean;
}

/** Everything: the header, every row's brief, the live summaries and the panel's state. Takes the pending changes. */
export function initMessage(shown: ShownRun, p: PanelState): HostMessage {
  shown.rows?.takeChanged();
  const summaries = shown.rows?.summaries();
  return {
    type: 'init',
    promptUri: p.promptUri,
    promptLabel: p.promptLabel,
    record: shown.header,
    variants: shown.rows?.variants ?? [],
    rows: packBriefs(shown.rows?.all() ?? []),
    ...(summaries ? { summaries } : {}),
    ...(p.runUri ? { runUri: p.runUri } : {}),
    pinned: p.pinned,
    running: p.running,
    compare: p.compare,
    progress: p.running ? shown.progress : null,
    ...(p.focus ? { focus: p.focus } : {}),
    stale: p.stale,
  };
}

/** What changed since the last update (progress, summaries, changed rows); undefined without a run. */
export function updateMessage(shown: ShownRun): HostMessage | undefined {
  const u = shown.takeUpdate();
  return u ? { type: 'update', ...u, rows: packBriefs(u.rows) } : undefined;
}

/** The followed run finished: its header and the rows that changed at the end, not every row again. */
export function finishedMessage(shown: ShownRun, runUri: string | undefined): HostMessage | undefined {
  if (!shown.header) return undefined;
  return {
    type: 'finished',
    runId: shown.header.id,
    record: shown.header,
    rows: packBriefs(shown.rows?.takeChanged() ?? []),
    ...(runUri ? { runUri } : {}),
  };
}

/** How the panel picks and sets the run it compares with (the webview's compare requests). */
export interface CompareRequests {
  pick(shownId: string): Promise<unknown>;
  compareWith(runUri: string): Promise<unknown>;
}

/** The answer to a webview request: rows or search hits of the shown run (none for another run), a cell's details, a compare. */
export async function requestResult(shown: ShownRun, request: Request, compare: CompareRequests): Promise<unknown> {
  const runId = shown.runId ?? '';
  switch (request.method) {
    case 'rows':
      // rows of another run (the webview asked before a new run reached it) come back empty
      return { runId, rows: request.runId === runId && shown.rows ? await shown.rows.rows(request.caseIndexes) : [] };
    case 'search':
      return { runId, caseIndexes: request.runId === runId && shown.rows ? await shown.rows.search(request.query, request.variant) : [] };
    case 'details':
      return shown.details(request.caseIndex, request.variant);
    case 'pickRunToCompare':
      return shown.header ? compare.pick(shown.header.id) : null;
    case 'compareWith':
      return compare.compareWith(request.runUri);
  }
}
