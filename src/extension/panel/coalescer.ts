// Coalesces "something changed" into flushes at a bounded rate: the first change after a quiet spell is flushed
// at once (a run's first cell shows without delay), later ones at most once per interval, each flush carrying
// whatever accumulated. No vscode import: unit-tested under Node.

export class Coalescer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = -Infinity;
  private dirty = false;

  constructor(
    private readonly flush: () => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something changed: a flush follows, no sooner than `intervalMs` after the previous one. */
  mark(): void {
    this.dirty = true;
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.now());
    this.timer = setTimeout(() => this.flushNow(), wait);
  }

  /** Flushes now if anything changed (a run started or finished: no wait). */
  flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    this.lastFlush = this.now();
    this.flush();
  }

  /** Drops what is pending (the webview gets a whole state instead). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
  }

  dispose(): void {
    this.clear();
  }
}
