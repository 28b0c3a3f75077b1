// What `eval --batch` prints while it submits and waits: the batches (ids, models, requests), then their
// status, request counts and elapsed time — redrawn on one line on a TTY, one line per change otherwise.

import type { BatchEvent, BatchPartView } from '../core/batch/runBatch';

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function partLabel(p: BatchPartView): string {
  return `${p.id ?? '(not created)'} (${p.model}${p.of > 1 ? `, part ${p.part}/${p.of}` : ''}, ${p.requests} request${p.requests === 1 ? '' : 's'})`;
}

export class BatchProgress {
  private lastLine = '';
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  private get tty(): boolean {
    return Boolean(this.stream.isTTY);
  }

  private say(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  onEvent(e: BatchEvent, root: string): void {
    switch (e.type) {
      case 'submitted':
      case 'attached': {
        const verb = e.type === 'submitted' ? 'Submitted' : 'Attached to';
        for (const p of e.parts) this.say(`${this.label}: ${verb} batch ${partLabel(p)}${e.phase > 1 ? ` — phase ${e.phase}` : ''}`);
        if (e.type === 'submitted') this.say(`${this.label}: pending batches recorded in ${relative(root, e.stateFile)}`);
        return;
      }
      case 'waiting': {
        const done = e.parts.reduce((n, p) => n + p.completed, 0);
        const failed = e.parts.reduce((n, p) => n + p.failed, 0);
        const total = e.parts.reduce((n, p) => n + p.requests, 0);
        const statuses = [...new Set(e.parts.map((p) => p.status))].join(', ');
        const line = `${this.label}: batch ${statuses} — ${done}/${total} done${failed ? `, ${failed} failed` : ''}`;
        const text = `${line} · ${duration(e.elapsedMs)} elapsed (Ctrl-C leaves it running)`;
        if (this.tty) {
          this.stream.write(`\r\x1b[2K${text.slice(0, (this.stream.columns || 120) - 1)}`);
          this.shown = true;
        } else if (line !== this.lastLine) {
          this.stream.write(`${text}\n`);
        }
        this.lastLine = line;
        return;
      }
      case 'phase-done':
        this.say(`${this.label}: batch results read: ${e.answered} answered${e.failed ? `, ${e.failed} failed` : ''}`);
        return;
      case 'problem':
        this.say(`${this.label}: ${e.message}`);
        return;
    }
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

function relative(root: string, file: string): string {
  return file.startsWith(root) ? file.slice(root.length).replace(/^[\\/]/, '') : file;
}
