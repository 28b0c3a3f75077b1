// Whether the prompt file changed since the shown run: its current text (the open editor's, else the file's)
// no longer hashes to the run's promptHash.

import { createHash } from 'node:crypto';
import * as vscode from 'vscode';

export async function isStale(promptUri: vscode.Uri, promptHash: string | undefined): Promise<boolean> {
  if (!promptHash) return false;
  let text: string;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === promptUri.toString());
  if (doc) text = doc.getText();
  else {
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(promptUri));
    } catch {
      return false;
    }
  }
  return createHash('sha256').update(text).digest('hex') !== promptHash;
}
