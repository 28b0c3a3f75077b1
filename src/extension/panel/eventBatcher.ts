// Collects items (streamed run events) and hands them over in batches, at most one batch per interval,
// so a fast run does not post a webview message per cell. No vscode import: unit-tested under Node.

export class EventBatcher<T> {
  private items: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly intervalMs = 75,
  ) {}

  get pending(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    if (!this.timer) this.timer = setTimeout(() => this.flushNow(), this.intervalMs);
  }

  /** Hands over everything queued now (no-op when empty). */
  flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.flush(batch);
  }

  /** Drops what is queued (the webview will get a full state instead). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
  }

  dispose(): void {
    this.clear();
  }
}
