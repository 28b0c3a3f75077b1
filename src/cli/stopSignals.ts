// How `prompt-ladder eval` stops when asked to: Ctrl-C (SIGINT), SIGTERM (CI runners, `timeout`, Docker,
// systemd) and SIGHUP (the terminal closed) all stop it the same way. No new call starts; calls in flight get
// a short grace period to finish; then the run ends, its partial record and exports are written, and the
// CLI says where. A second signal quits at once.

import { setMaxListeners } from 'node:events';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const SIGNALS: StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const NUMBERS: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
/** How long calls in flight may take to finish after the first signal. */
export const GRACE_MS = 2000;

export class StopSignals {
  /** Aborted when the run must end now (after the grace period, or at once for a batch wait). */
  readonly abort = new AbortController();
  /** Aborted at the first signal: no new call starts. */
  readonly stop = new AbortController();
  received: StopSignal | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly handlers = new Map<StopSignal, () => void>();

  /** `onFirst` prints what happens next (it is called once, at the first signal). */
  constructor(onFirst: (signal: StopSignal) => void, opts: { graceMs?: number } = {}) {
    setMaxListeners(0, this.abort.signal, this.stop.signal);
    for (const sig of SIGNALS) {
      const handler = () => {
        if (this.received) process.exit(128 + NUMBERS[sig]);
        this.received = sig;
        onFirst(sig);
        const reason = `stopped by ${sig}`;
        this.stop.abort(reason);
        this.timer = setTimeout(() => this.abort.abort(reason), opts.graceMs ?? GRACE_MS);
      };
      this.handlers.set(sig, handler);
      process.on(sig, handler);
    }
  }

  /**
   * The exit code a stop gives: 143 after SIGTERM, 129 after SIGHUP (128 + the signal's number, as a shell
   * reports a process the signal ended); undefined after Ctrl-C, which keeps the run's own code (1: not every
   * case ran).
   */
  exitCode(): number | undefined {
    return this.received && this.received !== 'SIGINT' ? 128 + NUMBERS[this.received] : undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const [sig, handler] of this.handlers) process.off(sig, handler);
    this.handlers.clear();
  }
}
