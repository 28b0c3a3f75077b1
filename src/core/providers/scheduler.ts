// The Scheduler: runs provider calls for one endpoint with adaptive concurrency, retries and timeouts.
//
// Concurrency: an AdaptiveLimit (concurrency.ts) finds the server's capacity by itself; the scheduler starts
// as many calls as it allows and tells it how each one ended. retry-after-ms / retry-after is honoured per
// request: the throttled attempt waits that long while the others go on. Only when the server refused a call
// with nothing else in flight (it takes none at all) do new dispatches pause for retry-after too (capped at
// maxDelayMs).
//
// Retries: 408/409/429/5xx, connection resets, malformed bodies, and timeouts and refused connections (these once only), with
// bounded exponential back-off and jitter. Throttling (429) has its own, larger budget (3 × maxRetries)
// because it says "later", not "broken". Non-retryable errors reject at once. A task that keeps failing
// rejects with a ProviderError whose message starts with the reason ('HTTP 500 after 7 attempts: …').
//
// Cancellation: the caller's signal rejects queued and waiting tasks at once with an AbortError and
// aborts the in-flight attempt (the task receives a signal that fires on cancel and on timeout).
// Use one Scheduler per endpoint (Provider.endpointKey).

import { performance } from 'node:perf_hooks';
import { ProviderError } from './provider';
import { AdaptiveLimit, eventLoopLoad, type SentAt } from './concurrency';

export { eventLoopLoad } from './concurrency';

export interface SchedulerOptions {
  /** Hard cap on concurrent calls (default: none but a safety bound of 1024). When given it is also the starting limit. */
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
  /**
   * The share (0..1) of the last stretch of time this process's event loop was busy, or undefined when too
   * little time has passed to tell (default: measured with `performance.eventLoopUtilization`).
   */
  loopBusy?: () => number | undefined;
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
  /** Times the limit was lowered for a 429 (once per window, plus the measured first overshoot). */
  backoffs: number;
  /** The level where 429s began (the remembered capacity), once known. */
  ceiling?: number;
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
  /** Set while an attempt runs: aborts its signal and settles it at once. */
  stopAttempt?: (reason: unknown) => void;
  /** Set while waiting for a retry. */
  timer?: ReturnType<typeof setTimeout>;
  done: boolean;
}

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
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly limit: AdaptiveLimit;
  private inFlight = 0;
  private pauseUntil = 0;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly queue: Job[] = [];
  private readonly watched = new WeakMap<AbortSignal, Set<Job>>();
  private readonly _stats: SchedulerStats;

  constructor(opts: SchedulerOptions = {}) {
    this.limit = new AdaptiveLimit({
      maxConcurrency: opts.maxConcurrency,
      initialConcurrency: opts.initialConcurrency,
      loopBusy: opts.loopBusy ?? eventLoopLoad(),
    });
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxRetries = opts.maxRetries ?? 6;
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.random = opts.random ?? Math.random;
    this._stats = { calls: 0, attempts: 0, retries: 0, peakInFlight: 0, limit: this.limit.current, throttled: 0, backoffs: 0 };
  }

  get stats(): Readonly<SchedulerStats> {
    const ceiling = this.limit.knownCeiling;
    return { ...this._stats, limit: this.limit.current, backoffs: this.limit.backoffs, ...(ceiling !== undefined ? { ceiling } : {}) };
  }

  /** The current concurrency limit: callers that feed the scheduler keep about this many calls coming. */
  get concurrency(): number {
    return this.limit.current;
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
    // An in-flight attempt is aborted through its signal; its settlement is then ignored.
    job.stopAttempt?.(abortError(job.signal));
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
    while (this.queue.length > 0 && this.inFlight < this.limit.current) {
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
    const sent = this.limit.sent();
    const startedAt = performance.now();
    const controller = new AbortController();

    // The attempt settles on the task's own settlement or on abort, whichever is first, so a task that
    // ignores its signal cannot hold a slot past its timeout. Only the scheduler aborts the attempt's
    // signal (timeout, cancel), and it settles the attempt right there: no listener, no race of promises
    // (this runs once per call).
    let settled = false;
    const done = (ok: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      if (job.stopAttempt === stop) job.stopAttempt = undefined;
      this.settle(startedAt, job, timer, sent, ok, value);
    };
    const stop = (reason: unknown) => {
      if (settled) return;
      controller.abort(reason);
      done(false, reason);
    };
    job.stopAttempt = stop;
    const timer = setTimeout(() => {
      stop(new ProviderError(`request timed out after ${this.timeoutMs} ms`, { retryable: true, code: 'timeout' }));
    }, this.timeoutMs);
    let attempt: Promise<unknown>;
    try {
      attempt = job.task(controller.signal);
    } catch (err) {
      attempt = Promise.reject(err);
    }
    attempt.then(
      (value) => done(true, value),
      (err: unknown) => done(false, err),
    );
  }

  private settle(
    startedAt: number,
    job: Job,
    timer: ReturnType<typeof setTimeout>,
    sent: SentAt,
    ok: boolean,
    value: unknown,
  ): void {
    clearTimeout(timer);
    this.inFlight--;
    if (job.done) {
      // Cancelled while in flight: already rejected.
      this.pump();
      return;
    }
    if (ok) {
      // limited by us: calls wait for a slot, or (nearly) every slot is taken
      const limited = this.queue.length > 0 || this.inFlight + 1 >= this.limit.current;
      this.limit.onSuccess(sent, performance.now() - startedAt, limited);
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
    if (throttled) this.onThrottle(sent, err.retryAfterMs);

    let mayRetry = err.retryable;
    if (mayRetry) {
      // A refused connection (nothing listens there: a server not started, a wrong port) and a timeout (a
      // hung server) are retried once only, so a dead or hung endpoint costs two attempts, not the whole
      // back-off. A garbage body (HTML page, truncated JSON) is retried like a 5xx.
      if (err.opts.code === 'ECONNREFUSED' || err.opts.code === 'timeout') mayRetry = job.malformedRetries++ < 1;
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
    // Node measures a timer from the event loop's cached clock, so on a busy loop it can fire before the delay
    // has passed by the clock; a retry that fires early waits out the rest, so a Retry-After is honoured.
    const due = performance.now() + this.retryDelay(job, err, throttled);
    const fire = () => {
      job.timer = undefined;
      if (job.done) return;
      const left = due - performance.now();
      if (left > 0) {
        job.timer = setTimeout(fire, Math.ceil(left));
        return;
      }
      // Retries go ahead of new work.
      this.queue.unshift(job);
      this.pump();
    };
    job.timer = setTimeout(fire, Math.ceil(due - performance.now()));
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

  private onThrottle(sent: SentAt, retryAfterMs: number | undefined): void {
    this._stats.throttled++;
    this.limit.onThrottle(sent, this.inFlight);
    // Refused with nothing else in flight: the server takes no call at all now, so everyone waits.
    if (this.inFlight === 0 && retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pauseUntil = Math.max(this.pauseUntil, Date.now() + Math.min(retryAfterMs, this.maxDelayMs));
    }
  }
}
