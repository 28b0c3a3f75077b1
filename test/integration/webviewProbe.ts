// The integration suite's side of the results panel's test seam (PanelTestHost): it adds
// dist/test-probe.js (built from ./webview/probe.ts) to every panel's webview and exchanges its own messages
// with it, so a test can click, press keys and read what a panel shows without a test message in the
// panel's protocol.

import * as vscode from 'vscode';
import type { PromptLadderApi } from '../../src/extension/extension';
import type { PanelTestHost } from '../../src/extension/panel/resultsPanel';
import type { ProbeSnapshot } from './webview/probe';

export type { ProbeSnapshot } from './webview/probe';

interface Waiting {
  promptUri: string;
  message: { plTestProbe: { id: number; click?: string; key?: string; search?: string } };
  answer(s: ProbeSnapshot): void;
}

const webviews = new Map<string, vscode.Webview>();
const waiting = new Map<number, Waiting>();
let nextId = 1;

const host: PanelTestHost = {
  scripts: ['test-probe.js'],
  receive(_promptUri, raw) {
    const m = raw as { plTestProbe?: { id: number; snapshot: ProbeSnapshot } } | undefined;
    if (!m || typeof m !== 'object' || !m.plTestProbe) return false;
    const w = waiting.get(m.plTestProbe.id);
    waiting.delete(m.plTestProbe.id);
    w?.answer(m.plTestProbe.snapshot);
    return true;
  },
  ready(promptUri, webview) {
    const key = promptUri.toString();
    webviews.set(key, webview);
    // A hidden webview drops what was posted to it: probes still waiting go again once it has reloaded.
    for (const w of waiting.values()) if (w.promptUri === key) void webview.postMessage(w.message);
  },
};

/** Installs the test host (once per extension instance), before any panel opens. */
export function installPanelTestHost(api: PromptLadderApi): void {
  if (!api.setPanelTestHost) throw new Error('the extension runs outside a test runner: no panel test seam');
  api.setPanelTestHost(host);
}

/** Asks the panel of `promptUri` to click an element (CSS selector) or press a key, then describe what it shows. */
export async function probePanel(api: PromptLadderApi, promptUri: vscode.Uri, opts: { click?: string; key?: string; search?: string } = {}, timeoutMs = 15_000): Promise<ProbeSnapshot> {
  await api.panelManager._whenReadyForTest(promptUri);
  const key = promptUri.toString();
  const id = nextId++;
  return new Promise<ProbeSnapshot>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('the webview did not answer the probe'));
    }, timeoutMs);
    const w: Waiting = {
      promptUri: key,
      message: { plTestProbe: { id, ...opts } },
      answer: (s) => {
        clearTimeout(timer);
        resolve(s);
      },
    };
    waiting.set(id, w);
    const webview = webviews.get(key);
    if (webview) void webview.postMessage(w.message);
  });
}
