// Continuous run of the Test Explorer: on save of a prompt file or an eval-set file, re-run the cases the
// edit affected (a case whose content changed; every case when the rest of the prompt file changed), within
// the scope the user started the continuous run for.

import * as vscode from 'vscode';
import { isPromptFile } from '../promptFiles';
import type { PromptTestRunner, RunMode } from './testRunner';
import type { PromptTestTree } from './testTree';

export function runContinuously(
  tree: PromptTestTree,
  runner: PromptTestRunner,
  log: vscode.LogOutputChannel,
  request: vscode.TestRunRequest,
  token: vscode.CancellationToken,
  mode: RunMode,
): Promise<void> {
  const scope = request.include?.length ? request.include : undefined;
  const inScope = (item: vscode.TestItem): boolean => {
    if (!scope) return true;
    for (let i: vscode.TestItem | undefined = item; i; i = i.parent) if (scope.some((s) => s.id === i!.id)) return true;
    return false;
  };
  let queue = Promise.resolve();
  // What each file was when last run (or when the continuous run began): an edit is judged against this,
  // not against the latest parse, which the editor refreshes as you type and as files change on disk.
  const baseline = new Map(tree.parsed);
  const rerun = async (id: string) => {
    if (token.isCancellationRequested) return;
    tree.cancelPending(id);
    const { before: parsedBefore, after } = await tree.refresh(vscode.Uri.parse(id));
    const before = baseline.get(id) ?? parsedBefore;
    const file = tree.controller.items.get(id);
    if (!file || !after) return;
    baseline.set(id, after);
    const all = before === undefined || before.promptPrint !== after.promptPrint;
    const affected: vscode.TestItem[] = [];
    const changed = (index: number) => all || before?.casePrints.get(index) !== after.casePrints.get(index);
    const take = (caseItem: vscode.TestItem) => {
      const d = tree.data.get(caseItem);
      if (d?.kind !== 'case' || !changed(d.index)) return;
      if (inScope(caseItem)) affected.push(caseItem);
      else {
        caseItem.children.forEach((leaf) => {
          if (inScope(leaf)) affected.push(leaf);
        });
      }
    };
    file.children.forEach((child) => {
      const d = tree.data.get(child);
      if (d?.kind !== 'group') return take(child);
      // a big file's group: the whole group when every case of it changed, else the cases that did
      if (!d.cases.some((e) => changed(e.case.index))) return;
      if (d.cases.every((e) => changed(e.case.index)) && child.children.size === 0) {
        if (inScope(child)) affected.push(child);
        return;
      }
      tree.ensureCases(child);
      child.children.forEach(take);
    });
    if (!affected.length) return;
    log.info(`continuous run: ${affected.length} affected case(s) of ${vscode.workspace.asRelativePath(vscode.Uri.parse(id))}`);
    await runner.runRequest(new vscode.TestRunRequest(affected, undefined, request.profile, false), token, mode);
  };
  const sub = vscode.workspace.onDidSaveTextDocument((doc) => {
    const prompts = tree.affectedPrompts(doc.uri);
    if (isPromptFile(doc.uri) && !prompts.length) prompts.push(doc.uri.toString());
    for (const id of prompts) queue = queue.then(() => rerun(id));
  });
  return new Promise((resolve) => {
    token.onCancellationRequested(() => {
      sub.dispose();
      void queue.then(resolve);
    });
  });
}
