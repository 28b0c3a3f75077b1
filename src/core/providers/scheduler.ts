// The Scheduler: runs provider calls for one endpoint with adaptive concurrency, retries and timeouts.
//
// Concurrency finds the server's capacity by itself (TCP-style):
// - slow start: while tasks are waiting, every success raises the limit by one (the limit doubles per
//   round trip) until the first 429 (or 503 with retry-after);
// - then additive increase: +1 per `limit` successes (one step per round trip), probing gently;
//   after a collapse (e.g. a rate-limit storm) growth is fast again up to half the limit before it;
// - on a 429 the limit first drops to the calls in flight (once per window), then by one per 429,
//   so a burst of k rejections above a capacity C settles near C; never below 1;
// - retry-after-ms / retry-after is honoured: the throttled attempt waits that long, and when 429s
//   repeat (not a single probe) new dispatches pause for it too (capped at maxDelayMs).
// An explicit `maxConcurrency` (the user's --concurrency) is both the hard cap and the starting point.
//
// Retries: 408/409/429/5xx, timeouts, connection resets, and malformed bodies and refused connections (these once only), with
// bounded exponential back-off and jitter. Throttling (429) has its own, larger budget (3 × maxRetries)
// because it says "later", not "broken". Non-retryable errors reject at once. A task that keeps failing
// rejects with a ProviderError whose message starts with the reason ('HTTP 500 after 7 attempts: …').
//
// Cancellation: the caller's signal rejects queued and waiting tasks at once with an AbortError and
// aborts the in-flight attempt (the task receives a signal that fires on cancel and on timeout).
// Use one Scheduler per endpoint (Provider.endpointKey).

import { ProviderError } from './provider';

export interface SchedulerOptions {
  /** Hard cap on concurrent calls (default 64). When given explicitly it is also the starting limit. */
  maxConcurrency?: number;
  /** Starting limit (default: maxConcurrency when given, else 16). */
  initialConcurrency?: number;
  /** Per-attempt timeout, ms (default 60000). */
  timeoutMs?: number;
  /** Retries after the first attempt for errors (default 6). */
  maxRetries?: number;
  /** First back-off delay, ms (default 500). */
  baseDelayMs?: number;
  /** Longest back-off delay and longest honoured retry-after, ms (default 30000). */
  maxDelayMs?: number;
  /** Random source in [0,1) for jitter (tests may fix it). */
  random?: () => number;
}

export interface SchedulerStats {
  /** Tasks submitted. */
  calls: number;
  /** Attempts started (calls + retries). */
  attempts: number;
  retries: number;
  peakInFlight: number;
  /** Current concurrency limit. */
  limit: number;
  /** Attempts answered with 429 (or 503 with retry-after). */
  throttled: number;
}

interface Job {
  task: (signal: AbortSignal) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  attempts: number;
  errorRetries: number;
  throttleRetries: number;
  malformedRetries: number;
  /** Set while an attempt runs. */
  controller?: AbortController;
  /** Set while waiting for a retry. */
  timer?: ReturnType<typeof setTimeout>;
  done: boolean;
}

const DEFAULT_START = 16;
const DEFAULT_CAP = 64;

function abortError(signal: AbortSignal | undefined): Error {
  const r: unknown = signal?.reason;
  if (r instanceof Error && r.name === 'AbortError') return r;
  return new DOMException(r instanceof Error ? r.message : typeof r === 'string' ? r : 'The operation was aborted', 'AbortError');
}

function reasonOf(err: ProviderError): string {
  if (err.status !== undefined) return `HTTP ${err.status}`;
  switch (err.opts.code) {
    case 'timeout':
      return 'timed out';
    case 'malformed_response':
      return 'malformed response';
    case undefined:
      return 'failed';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ECONNREFUSED':
      return 'connection refused';
    default:
      return 'connection failed';
  }
}

export class Scheduler {
  private readonly cap: number;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  private limit: number;
  private slowStart = true;
  /** Below this limit growth is fast again (recovery after a collapse), as TCP's ssthresh. */
  private fastBelow = 0;
  private successesSinceThrottle = 0;
  private growthCredit = 0;
  private epoch = 0;
  private inFlight = 0;
  private pauseUntil = 0;
  private lastThrottleAt = -Infinity;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly queue: Job[] = [];
  private readonly watched = new WeakMap<AbortSignal, Set<Job>>();
  private readonly _stats: SchedulerStats;

  constructor(opts: SchedulerOptions = {}) {
    const explicitCap = opts.maxConcurrency !== undefined && opts.maxConcurrency > 0;
    this.cap = Math.max(1, Math.floor(explicitCap ? (opts.maxConcurrency as number) : DEFAULT_CAP));
    const start = opts.initialConcurrency ?? (explicitCap ? this.cap : DEFAULT_START);
    this.limit = Math.max(1, Math.min(this.cap, Math.floor(start)));
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxRetries = opts.maxRetries ?? 6;
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.random = opts.random ?? Math.random;
    this._stats = { calls: 0, attempts: 0, retries: 0, peakInFlight: 0, limit: this.limit, throttled: 0 };
  }

  get stats(): Readonly<SchedulerStats> {
    return { ...this._stats, limit: Math.floor(this.limit) };
  }

  /** Runs `task` (which must honour the signal it gets) with retries; rejects with AbortError when `signal` aborts. */
  run<T>(task: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    this._stats.calls++;
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const job: Job = {
        task,
        resolve: resolve as (v: unknown) => void,
        reject,
        signal,
        attempts: 0,
        errorRetries: 0,
        throttleRetries: 0,
        malformedRetries: 0,
        done: false,
      };
      if (signal) this.watch(signal, job);
      this.queue.push(job);
      this.pump();
    });
  }

  /** One abort listener per caller signal (not per task), so a run of thousands of calls adds one. */
  private watch(signal: AbortSignal, job: Job): void {
    let jobs = this.watched.get(signal);
    if (!jobs) {
      const set = new Set<Job>();
      jobs = set;
      this.watched.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          this.watched.delete(signal);
          for (const j of [...set]) this.cancel(j);
        },
        { once: true },
      );
    }
    jobs.add(job);
  }

  private finish(job: Job, ok: boolean, value: unknown): void {
    if (job.done) return;
    job.done = true;
    if (job.timer) clearTimeout(job.timer);
    if (job.signal) this.watched.get(job.signal)?.delete(job);
    if (ok) job.resolve(value);
    else job.reject(value);
  }

  private cancel(job: Job): void {
    if (job.done) return;
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
    // An in-flight attempt is aborted through its controller; its settlement is then ignored.
    job.controller?.abort(abortError(job.signal));
    this.finish(job, false, abortError(job.signal));
  }

  private pump(): void {
    const now = Date.now();
    if (now < this.pauseUntil) {
      if (!this.pauseTimer) {
        this.pauseTimer = setTimeout(() => {
          this.pauseTimer = undefined;
          this.pump();
        }, this.pauseUntil - now);
      }
      return;
    }
    while (this.queue.length > 0 && this.inFlight < Math.floor(this.limit)) {
      const job = this.queue.shift() as Job;
      if (job.done) continue;
      this.start(job);
    }
  }

  private start(job: Job): void {
    job.attempts++;
    this._stats.attempts++;
    this.inFlight++;
    this._stats.peakInFlight = Math.max(this._stats.peakInFlight, this.inFlight);
    const epoch = this.epoch;
    const controller = new AbortController();
    job.controller = controller;
    const timer = setTimeout(() => {
      controller.abort(
        new ProviderError(`request timed out after ${this.timeoutMs} ms`, { retryable: true, code: 'timeout' }),
      );
    }, this.timeoutMs);

    // The attempt settles on the task's own settlement or on abort, whichever is first, so a task that
    // ignores its signal cannot hold a slot past its timeout.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    let attempt: Promise<unknown>;
    try {
      attempt = Promise.race([job.task(controller.signal), aborted]);
    } catch (err) {
      attempt = Promise.reject(err);
    }
    attempt.then(
      (value) => this.settle(job, controller, timer, epoch, true, value),
      (err: unknown) => this.settle(job, controller, timer, epoch, false, err),
    );
  }

  private settle(job: Job, controller: AbortController, timer: ReturnType<typeof setTimeout>, epoch: number, ok: boolean, value: unknown): void {
    clearTimeout(timer);
    this.inFlight--;
    if (job.controller === controller) job.controller = undefined;
    if (job.done) {
      // Cancelled while in flight: already rejected.
      this.pump();
      return;
    }
    if (ok) {
      this.onSuccess();
      this.finish(job, true, value);
      this.pump();
      return;
    }
    if (job.signal?.aborted) {
      this.finish(job, false, abortError(job.signal));
      this.pump();
      return;
    }
    const err = value;
    if (!(err instanceof ProviderError)) {
      // Not a provider failure (a bug, or a caller's own abort reason): no retry.
      this.finish(job, false, err);
      this.pump();
      return;
    }
    // 429, or a 503 that says when to come back: the server is busy, not broken.
    const throttled = err.status === 429 || (err.status === 503 && err.retryAfterMs !== undefined);
    if (throttled) this.onThrottle(epoch, err.retryAfterMs);

    let mayRetry = err.retryable;
    if (mayRetry) {
      // A malformed body, and a refused connection (nothing listens there: a server not started, a wrong
      // port), are retried once only, so the user hears about it in a second, not after the whole back-off.
      if (err.opts.code === 'malformed_response' || err.opts.code === 'ECONNREFUSED') mayRetry = job.malformedRetries++ < 1;
      else if (throttled) mayRetry = job.throttleRetries++ < this.maxRetries * 3;
      else mayRetry = job.errorRetries++ < this.maxRetries;
    }
    if (!mayRetry) {
      const final = err.retryable
        ? new ProviderError(`${reasonOf(err)} after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'}: ${err.message}`, err.opts)
        : err;
      this.finish(job, false, final);
      this.pump();
      return;
    }
    this._stats.retries++;
    const delay = this.retryDelay(job, err, throttled);
    job.timer = setTimeout(() => {
      job.timer = undefined;
      if (job.done) return;
      // Retries go ahead of new work.
      this.queue.unshift(job);
      this.pump();
    }, delay);
    this.pump();
  }

  private retryDelay(job: Job, err: ProviderError, throttled: boolean): number {
    const ra = err.retryAfterMs;
    if (ra !== undefined) {
      const base = Math.min(ra, this.maxDelayMs);
      // A little jitter on top, so throttled calls do not all come back in the same millisecond.
      return base + this.random() * Math.min(100, base * 0.2 + 10);
    }
    const n = throttled ? job.throttleRetries : job.errorRetries + job.malformedRetries;
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, n - 1));
    // "Equal jitter": half fixed, half random.
    return exp / 2 + this.random() * (exp / 2);
  }

  private onSuccess(): void {
    this.successesSinceThrottle++;
    if (this.queue.length === 0 && this.inFlight + 1 < Math.floor(this.limit)) return; // not limited by us: don't grow
    if (this.limit >= this.cap) return;
    if (this.slowStart || this.limit < this.fastBelow) {
      this.limit = Math.min(this.cap, this.limit + 1);
    } else {
      this.growthCredit += 1 / Math.floor(this.limit);
      if (this.growthCredit >= 1) {
        this.growthCredit -= 1;
        this.limit = Math.min(this.cap, this.limit + 1);
      }
    }
    this._stats.limit = Math.floor(this.limit);
  }

  private onThrottle(attemptEpoch: number, retryAfterMs: number | undefined): void {
    this._stats.throttled++;
    const newStorm = this.successesSinceThrottle >= Math.floor(this.limit);
    this.successesSinceThrottle = 0;
    this.slowStart = false;
    this.growthCredit = 0;
    const now = Date.now();
    if (attemptEpoch >= this.epoch) {
      // First 429 of this window: the server holds about what is in flight now.
      this.epoch++;
      // A new storm (a full window of successes since the last 429) remembers half the limit it hit;
      // 429s while the limit is still falling keep that mark, so recovery is fast up to it.
      if (newStorm) this.fastBelow = Math.floor(this.limit / 2);
      this.limit = Math.min(this.limit, this.inFlight + 1);
    }
    // Each 429 takes one slot away: a burst of k rejections above capacity C ends near C.
    this.limit = Math.max(1, Math.floor(this.limit) - 1);
    this._stats.limit = Math.floor(this.limit);
    // One 429 is a probe that overshot; several in a row mean "back off": pause new dispatches.
    const window = Math.max(retryAfterMs ?? 0, 250);
    const repeated = now - this.lastThrottleAt < window;
    this.lastThrottleAt = now;
    if (repeated && retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pauseUntil = Math.max(this.pauseUntil, now + Math.min(retryAfterMs, this.maxDelayMs));
    }
  }
}
