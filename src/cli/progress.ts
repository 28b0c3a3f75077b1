// The one-line progress display on a TTY (stderr), redrawn at most every 100 ms.

import type { RunEvent } from '../core/events';

export class ProgressLine {
  private last = 0;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  onEvent(e: RunEvent): void {
    if (!this.enabled || e.type !== 'progress') return;
    const now = Date.now();
    if (now - this.last < 100 && e.done < e.total) return;
    this.last = now;
    const width = 24;
    const filled = e.total ? Math.round((e.done / e.total) * width) : width;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const text = `${this.label} ${bar} ${e.done}/${e.total}  ✓ ${e.passed}  ✗ ${e.failed}  ! ${e.errors}${e.cached ? `  cached ${e.cached}` : ''}  (Ctrl-C to stop)`;
    this.stream.write(`\r\x1b[2K${text.slice(0, (this.stream.columns || 120) - 1)}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
