// The results panel in real VS Code: open beside the editor, ready handshake, run from the panel's button,
// cells filled from streamed events, a cell's details through a request/response, filters, keyboard,
// opening a case in the editor, comparison with an earlier run, and state re-sent after the panel was hidden.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSummary } from '../../src/core/runs/completeness';
import type { RunRecord } from '../../src/core/runs/schema';
import { RESULTS_VIEW_TYPE } from '../../src/extension/panel/panelManager';
import { api, closeAll, fixture, open, waitFor } from './helpers';
import { probePanel, type ProbeSnapshot } from './webviewProbe';

const PROMPT = 'classify.prompt.yml';

function cell(s: ProbeSnapshot, caseIndex: number, variant: string) {
  return s.cells.find((c) => c.caseIndex === caseIndex && c.variant === variant);
}

export function registerPanelTests(): void {
  describe('results panel', () => {
    after(closeAll);

    const probe = async (opts: { click?: string; key?: string; search?: string } = {}) => probePanel(await api(), fixture(PROMPT), opts);

    /** Resolves with the record of the next finished run of the prompt. */
    const nextFinished = async (): Promise<RunRecord> => {
      const a = await api();
      return new Promise((resolve) => {
        const sub = a.runs.onDidRunEvent((e) => {
          if (e.event.type === 'run-finished' && e.promptUri.toString() === fixture(PROMPT).toString()) {
            sub.dispose();
            resolve(e.event.record);
          }
        });
      });
    };

    it('opens one panel per prompt file beside the editor, titled after the file', async () => {
      const a = await api();
      await open(PROMPT);
      await a.panelManager.show(fixture(PROMPT));
      await a.panelManager.show(fixture(PROMPT)); // the second call reveals the same panel
      await a.panelManager._whenReadyForTest(fixture(PROMPT));
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === `Results: ${PROMPT}`);
      assert.equal(tabs.length, 1, 'exactly one results tab');
      assert.ok(tabs[0].input instanceof vscode.TabInputWebview, 'the tab is a webview');
      assert.notEqual(tabs[0].group.viewColumn, vscode.ViewColumn.One, 'beside the editor');
    });

    it('runs from the Run button; the cells fill with the scripted results', async () => {
      const finished = nextFinished();
      await probe({ click: '[data-testid="run-button"]' });
      const record = await finished;
      assert.equal(record.status, 'completed');
      const s = await waitFor('the new run in the matrix', async () => {
        const snap = await probe();
        return snap.runId === record.id && snap.cells.length === 6 ? snap : undefined;
      });
      assert.equal(s.rowCount, 3);
      assert.equal(cell(s, 0, 'zero-shot')?.status, 'fail', 'zero-shot answers the delivery case in prose');
      assert.equal(cell(s, 0, '2-shot')?.status, 'pass', 'two examples fix it');
      assert.equal(cell(s, 1, 'zero-shot')?.status, 'pass');
      assert.equal(cell(s, 2, '2-shot')?.status, 'fail');
      assert.match(s.progress, /Completed/);
      assert.match(s.summary, /zero-shot/);
      assert.match(s.summary, /33\.3%/);
      assert.match(s.summary, /66\.7%/);
    });

    it('shows an output with markup as literal text', async () => {
      const s = await probe();
      const xss = cell(s, 2, 'zero-shot');
      assert.ok(xss, 'the XSS case is rendered');
      assert.match(xss.text, /<img src=x onerror=alert\(1\)> <script>alert\(2\)<\/script>/);
    });

    it('opens a cell: full output, messages sent with the few-shot pairs, evaluator verdicts', async () => {
      const s = await probe({ click: '[data-testid="matrix-cell"][data-case="0"][data-variant="2-shot"]' });
      assert.ok(s.details, 'details pane open');
      assert.match(s.details, /Case line 10 · 2-shot/);
      assert.match(s.details, /\{"label": "delivery"\}/);
      assert.match(s.details, /Messages sent \(\d+, 2 few-shot pairs\)/);
      assert.match(s.details, /where is my package/);
      assert.match(s.details, /valid-json/);
      assert.match(s.details, /Cached/);
      assert.match(s.focused ?? '', /^2-shot, case line 10: passed/);
    });

    it('opens a cell\'s details beside the matrix, which stays in view', async () => {
      const s = await probe();
      assert.ok(s.details, 'details pane open');
      const { matrix, details } = s.layout;
      assert.ok(details, 'the details have a place in the page');
      assert.ok(matrix.right - matrix.left > 100 && matrix.bottom - matrix.top > 50, `the matrix keeps its room: ${JSON.stringify(s.layout)}`);
      const overlap = Math.max(0, Math.min(matrix.right, details.right) - Math.max(matrix.left, details.left)) * Math.max(0, Math.min(matrix.bottom, details.bottom) - Math.max(matrix.top, details.top));
      assert.equal(overlap, 0, `the details do not cover the matrix: ${JSON.stringify(s.layout)}`);
      assert.ok(s.renderedRows > 0 && s.cells.length > 0, 'the matrix still shows its rows');
    });

    it('the host keeps the run\'s header and row briefs, and the webview asks for the text of the rows it shows', async () => {
      const a = await api();
      const s = await probe();
      const held = a.panelManager._heldForTest(fixture(PROMPT));
      assert.ok(held?.header, 'a run is shown');
      assert.deepEqual(held.header.cases, [], 'no case is kept in the header');
      assert.equal(held.rows, 3);
      const asked = new Set(s.rowRequests.flat());
      assert.ok(s.rowRequests.length > 0, 'rows were asked for');
      for (const c of s.cells) assert.ok(asked.has(c.caseIndex), `case ${c.caseIndex} was asked for before it showed its text`);
      assert.ok(s.cells.some((c) => c.text.length > 0 && c.text !== '…'), 'the rows show their outputs');
    });

    it('keyboard: arrows move between cells, Enter opens, Escape closes', async () => {
      let s = await probe({ key: 'Escape' });
      assert.equal(s.details, null, 'Escape closes the details');
      assert.match(s.focused ?? '', /^2-shot, case line 10/, 'focus goes back to the cell');
      s = await probe({ key: 'ArrowDown' });
      assert.match(s.focused ?? '', /^2-shot, case line 12/);
      s = await probe({ key: 'ArrowLeft' });
      assert.match(s.focused ?? '', /^zero-shot, case line 12/);
      s = await probe({ key: 'Enter' });
      assert.match(s.details ?? '', /Case line 12 · zero-shot/);
      s = await probe({ key: 'Escape' });
      assert.equal(s.details, null);
    });

    it('searches through the host: only the matching case stays', async () => {
      const a = await api();
      const last = await a.runs.lastRun(fixture(PROMPT));
      const rec = last && (await a.runs.readRun(last.uri));
      const word = String(Object.values(rec?.cases[1].vars ?? {})[0] ?? '').split(/\s+/).find((w) => w.length > 4);
      assert.ok(word, 'case 1 has a word to search for');
      let s = await probePanel(a, fixture(PROMPT), { search: word });
      assert.deepEqual([...new Set(s.cells.map((c) => c.caseIndex))], [1], `only the case with "${word}"`);
      s = await probePanel(a, fixture(PROMPT), { search: '' });
      assert.equal(s.rowCount, 3);
    });

    it('filters to failures only and back', async () => {
      let s = await probe({ click: '[data-testid="filter-failures"]' });
      assert.equal(s.rowCount, 2, 'the refund case passes everywhere');
      assert.ok(s.cells.every((c) => c.caseIndex !== 1));
      s = await probe({ click: '[data-testid="filter-failures"]' });
      assert.equal(s.rowCount, 3);
    });

    it('opens the case in the editor from its row header', async () => {
      await probe({ click: '[data-testid="matrix-row"][data-case="1"] .case-cell' });
      const editor = await waitFor('the prompt file at the case line', () => {
        const e = vscode.window.activeTextEditor;
        return e && e.document.uri.fsPath === fixture(PROMPT).fsPath && e.selection.active.line === 11 ? e : undefined;
      });
      assert.equal(editor.selection.active.line, 11, 'testData item 2 starts on line 12');
    });

    it('compares with an earlier run of the same file', async () => {
      const a = await api();
      const full = (r: RunSummary) => r.status === 'completed' && r.caseCount === 3 && r.results === 6;
      const earlierFullRun = async () => {
        const shownId = (await probe()).runId;
        return (await a.runs.listRuns(fixture(PROMPT))).find((r) => r.record.id !== shownId && full(r.record));
      };
      let base = await earlierFullRun();
      if (!base) {
        // only one full run so far (other suites run single cases): run again from the panel
        const finished = nextFinished();
        await probe({ click: '[data-testid="run-button"]' });
        const rec = await finished;
        await waitFor('the second run shown', async () => ((await probe()).runId === rec.id ? true : undefined));
        base = await earlierFullRun();
      }
      assert.ok(base, 'an earlier full run exists');
      await a.panelManager.show(fixture(PROMPT), { compareWith: base.uri });
      const s = await waitFor('the comparison summary', async () => {
        const snap = await probe();
        return snap.compare ? snap : undefined;
      });
      assert.match(s.compare ?? '', /Compared with the run of/);
      assert.match(s.compare ?? '', /unchanged 3/, `same scripted replies → nothing changed: ${s.compare}`);
      await probe({ click: '[data-testid="clear-compare-button"]' });
      assert.equal((await probe()).compare, null);
    });

    it('picks the run to compare with from a quick pick of the history', async () => {
      let settled = false;
      const pending = probe({ click: '[data-testid="compare-button"]' }).finally(() => (settled = true));
      // the probe settles once the pick resolves; accept the first (newest other) run once the pick shows
      while (!settled) {
        await new Promise((r) => setTimeout(r, 300));
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      const s = await pending;
      assert.match(s.compare ?? '', /Compared with the run of/);
      await probe({ click: '[data-testid="clear-compare-button"]' });
    });

    it('opens a given cell with its details (from a hover or the history)', async () => {
      const a = await api();
      await a.panelManager.show(fixture(PROMPT), { focusCase: 2, focusVariant: '2-shot' });
      const s = await waitFor('the focused cell details', async () => {
        const snap = await probe();
        return snap.details?.includes('Case line 14 · 2-shot') ? snap : undefined;
      });
      assert.match(s.focused ?? '', /^2-shot, case line 14/);
      await probe({ key: 'Escape' });
    });

    it('shows an older run when asked, and goes back to the newest', async () => {
      const a = await api();
      const runs = await a.runs.listRuns(fixture(PROMPT));
      const newest = runs[0];
      const older = runs[runs.length - 1];
      assert.notEqual(newest.record.id, older.record.id);
      await a.panelManager.show(fixture(PROMPT), { runUri: older.uri });
      await waitFor('the older run', async () => ((await probe()).runId === older.record.id ? true : undefined));
      const s = await probe({ click: '[data-testid="latest-button"]' });
      await waitFor('the newest run', async () => ((await probe()).runId === newest.record.id ? true : undefined));
      void s;
    });

    it('sends the whole state again after the panel was hidden and shown', async () => {
      const a = await api();
      const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === `Results: ${PROMPT}`);
      assert.ok(tab);
      // Cover the panel with an editor in its group: the hidden webview is torn down.
      const doc = await vscode.workspace.openTextDocument({ content: 'cover', language: 'plaintext' });
      await vscode.window.showTextDocument(doc, { viewColumn: tab.group.viewColumn, preview: false });
      await waitFor('the panel hidden', () => !tab.group.tabs.find((t) => t.label === tab.label)?.isActive || undefined);
      await a.panelManager.show(fixture(PROMPT));
      await a.panelManager._whenReadyForTest(fixture(PROMPT));
      const s = await waitFor('cells after re-showing', async () => {
        const snap = await probe();
        return snap.cells.length === 6 ? snap : undefined;
      });
      assert.equal(s.rowCount, 3);
    });

    it('marks the results stale while the prompt file differs from the run', async () => {
      // edit without showing the file: the panel stays visible
      const doc = await vscode.workspace.openTextDocument(fixture(PROMPT));
      assert.equal((await probe()).stale, false);
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(1, 0), '# edited\n');
      await vscode.workspace.applyEdit(edit);
      try {
        await waitFor('the stale badge', async () => ((await probe()).stale ? true : undefined));
      } finally {
        const undo = new vscode.WorkspaceEdit();
        undo.delete(doc.uri, new vscode.Range(1, 0, 2, 0));
        await vscode.workspace.applyEdit(undo);
        await doc.save();
      }
      await waitFor('the stale badge gone', async () => ((await probe()).stale ? undefined : true));
    });

    it('runs only the cases the filters show', async () => {
      await probe({ click: '[data-testid="filter-failures"]' });
      const finished = nextFinished();
      await probe({ click: '[data-testid="run-shown-button"]' });
      const rec = await finished;
      assert.deepEqual(rec.cases.map((c) => c.index), [0, 2], 'the two failing cases');
      const s = await waitFor('the partial run shown', async () => {
        const snap = await probe();
        return snap.runId === rec.id ? snap : undefined;
      });
      assert.equal(s.rowCount, 2);
      await probe({ click: '[data-testid="filter-failures"]' });
    });

    it('restores a panel from its saved state (window reload): prompt, pinned run and comparison', async () => {
      const a = await api();
      const runs = await a.runs.listRuns(fixture(PROMPT));
      const pinned = runs[runs.length - 1];
      const base = runs[runs.length - 2] ?? runs[0];
      const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, 'Results', vscode.ViewColumn.Two, {});
      await a.panelManager.deserialize(panel, {
        promptUri: fixture(PROMPT).toString(),
        runUri: pinned.uri.toString(),
        compareUri: base.uri.toString(),
      });
      assert.equal(panel.title, `Results: ${PROMPT}`);
      const s = await waitFor('the restored panel', async () => {
        const snap = await probe();
        return snap.runId === pinned.record.id && snap.compare ? snap : undefined;
      });
      assert.equal(s.rowCount, pinned.record.caseCount);
      await probe({ click: '[data-testid="latest-button"]' });
    });

    it('closes a restored panel whose saved state is unusable', async () => {
      const a = await api();
      const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, 'Results', vscode.ViewColumn.Two, {});
      let disposed = false;
      panel.onDidDispose(() => (disposed = true));
      await a.panelManager.deserialize(panel, { nothing: 'here' });
      assert.equal(disposed, true);
    });

    it('shows advice when the run has some, and hides the card when it has none', async () => {
      const a = await api();
      const rec = (await a.runs.lastRun(fixture(PROMPT)))?.record;
      const s = await probe();
      if (rec?.advice?.recommendations.length) {
        assert.ok(s.advice, `advice card shown for ${rec.id}: ${JSON.stringify({ ...s, cells: s.cells.length })}`);
        // the card speaks prose: the why and one sentence per variant, not the evidence's keys and values
        const top = rec.advice.recommendations[0];
        const sentences = (top.evidence.sentences as { text: string }[] | undefined) ?? [];
        assert.ok(s.advice.includes(top.why.split(' Also: ')[0]), 'the why');
        for (const x of sentences) assert.ok(s.advice.includes(x.text), `the evidence sentence "${x.text}"`);
        assert.doesNotMatch(s.advice, /Remaining in best|Share of failures|Per variant ·/, 'no raw key/value dump');
      } else assert.equal(s.advice, null, 'advice card hidden');
    });
  });
}
