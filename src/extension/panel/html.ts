// The HTML shell of our webviews (results panel, Climb view): strict CSP, the script by nonce, styles and script from dist/ and media/ only.

import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/** The panel's page; `extraScripts` (files under dist/, from the test seam only) load before its script. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, extraScripts: readonly string[] = []): string {
  return webviewPage(webview, extensionUri, { script: 'webview.js', style: 'panel.css', title, extraScripts });
}

/**
 * A webview page of ours: the strict CSP, `script` (under dist/, by nonce) after any `extraScripts`, and
 * `style` (under media/). The results panel and the Climb view share it.
 */
export function webviewPage(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: { script: string; style: string; title: string; extraScripts?: readonly string[] },
): string {
  const nonce = makeNonce();
  const dist = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', f));
  const before = (page.extraScripts ?? []).map((f) => `<script nonce="${nonce}" src="${dist(f)}"></script>\n`).join('');
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', page.style));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
${before}<script nonce="${nonce}" src="${dist(page.script)}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
