// Hovers on test-case lines: each variant's output (always as a code block: model output is text), its
// evaluator verdicts, and a link that opens the cell in the results panel.

import * as vscode from 'vscode';
import { codeFence } from './resultText';
import type { ResultsIndex } from './resultsIndex';
import { caseRef } from '../../core/runs/caseRef';

const MAX_OUTPUT = 600;

export class ResultHoverProvider implements vscode.HoverProvider {
  constructor(private readonly index: ResultsIndex) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const at = this.index.caseAt(doc, pos.line);
    // the index keeps verdicts; the outputs come from the run's file
    const c = at && (await this.index.caseRecord(at));
    if (!at || !c) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['promptLadder.openCell'] };
    md.supportHtml = false;
    md.appendMarkdown(`**Prompt Ladder** · case ${escapeMd(caseRef(c))}\n\n`);
    for (const r of c.results) {
      const mark = r.error ? '⚠' : r.passed ? '✓' : '✗';
      const cat = !r.passed && r.category ? ` · ${r.category}` : '';
      const args = encodeURIComponent(JSON.stringify([{ runUri: at.runUri.toString(), caseIndex: c.index, variant: r.variant }]));
      md.appendMarkdown(`${mark} **${escapeMd(r.variant)}**${escapeMd(cat)} · ${Math.round(r.latencyMs)} ms${r.cached ? ' · cached' : ''} — [open in panel](command:promptLadder.openCell?${args})\n\n`);
      const out = r.error ? r.error : r.output.length > MAX_OUTPUT ? `${r.output.slice(0, MAX_OUTPUT)}…` : r.output;
      const fence = codeFence(out);
      md.appendMarkdown(`${fence}text\n${out}\n${fence}\n\n`);
      for (const e of r.evaluators) {
        const details = e.details ? ` — ${escapeMd(e.details.length > 200 ? `${e.details.slice(0, 200)}…` : e.details)}` : '';
        md.appendMarkdown(`- ${e.passed ? '✓' : '✗'} ${escapeMd(e.name)} (${e.score.toFixed(2)})${details}\n`);
      }
      md.appendMarkdown('\n---\n\n');
    }
    return new vscode.Hover(md, doc.lineAt(pos.line).range);
  }
}

/** Escapes Markdown (and HTML) so names and details render as plain text. */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, (ch) => `\\${ch}`);
}
