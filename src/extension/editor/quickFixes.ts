// Quick fixes for Prompt Ladder's own problems: a misspelt key ("unknown key "testFlie"; did you mean
// "testFile"?") is replaced with the known spelling the message suggests, on the key's range.

import * as vscode from 'vscode';

const DID_YOU_MEAN = /did you mean "([^"]+)"\?/;

export class DidYouMeanFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (!d.source?.startsWith('Prompt Ladder')) continue;
      const suggestion = DID_YOU_MEAN.exec(d.message)?.[1];
      if (!suggestion || d.range.isEmpty || doc.getText(d.range) === suggestion) continue;
      const fix = new vscode.CodeAction(`Change to "${suggestion}"`, vscode.CodeActionKind.QuickFix);
      fix.edit = new vscode.WorkspaceEdit();
      fix.edit.replace(doc.uri, d.range, suggestion);
      fix.diagnostics = [d];
      fix.isPreferred = true;
      out.push(fix);
    }
    return out;
  }
}
