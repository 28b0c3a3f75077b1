// The one way a command rewrites a whole document: a single WorkspaceEdit, so one Undo restores the text as
// it was, and an open editor keeps its unsaved state and history.

import * as vscode from 'vscode';

/** Replaces the whole text of `doc` with `text` as one undoable edit; false when the editor refused it. */
export function replaceDocument(doc: vscode.TextDocument, text: string): Thenable<boolean> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  return vscode.workspace.applyEdit(edit);
}
