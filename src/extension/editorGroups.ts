// Where a view that opens "beside" the current editor goes. ViewColumn.Beside makes a new group right of the active
// one every time, so the walkthrough, the example it opens and the results panel ended in three narrow groups. An
// existing other group is used when there is one (the next to the right, else the nearest); a second group is made
// only when there is one.

import * as vscode from 'vscode';

export function besideColumn(): vscode.ViewColumn {
  const groups = vscode.window.tabGroups.all;
  if (groups.length < 2) return vscode.ViewColumn.Beside;
  const active = vscode.window.tabGroups.activeTabGroup.viewColumn;
  const others = groups.map((g) => g.viewColumn).filter((c) => c !== active);
  return others.find((c) => c === active + 1) ?? others.sort((a, b) => Math.abs(a - active) - Math.abs(b - active))[0];
}
