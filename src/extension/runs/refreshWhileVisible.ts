// Relative times ("3 min ago") in a view go stale while it stays open: this refreshes the view on a timer, only while
// it is visible (a hidden view costs nothing), and once at once when it becomes visible again.
// No `vscode` import: a view and a refresh function are passed in, so this is testable under plain Node.

/** The part of a vscode.TreeView this needs. */
export interface VisibleView {
  readonly visible: boolean;
  onDidChangeVisibility(listener: (e: { visible: boolean }) => unknown): { dispose(): unknown };
}

/** The interval of the relative times' refresh: they are shown to the minute. */
export const RELATIVE_TIME_REFRESH_MS = 60_000;

export function refreshWhileVisible(view: VisibleView, refresh: () => void, everyMs = RELATIVE_TIME_REFRESH_MS): { dispose(): void } {
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const start = (): void => {
    if (timer === undefined) timer = setInterval(refresh, everyMs);
  };
  if (view.visible) start();
  const sub = view.onDidChangeVisibility((e) => {
    if (e.visible) {
      refresh();
      start();
    } else stop();
  });
  return {
    dispose() {
      stop();
      sub.dispose();
    },
  };
}
