// The Scheduler: runs provider calls for one endpoint with adaptive concurrency, retries and timeouts.
//
// Concurrency finds the server's capacity by itself, like a congestion controller that converges:
// - slow start: while tasks are waiting, every success raises the limit by one (the limit doubles per
//   round trip) until the first 429 (or 503 with retry-after);
// - the first overshoot is measured, not guessed: the limit drops to the calls still in flight, then by one
//   for each further 429 of that same burst (attempts sent before the drop), so a burst of k rejections
//   above a capacity C settles at C whatever order the server saw them in. That level is remembered as
//   the ceiling: the level where 429s began;
// - below the ceiling the limit grows by one per round trip (faster below half the level before a
//   collapse); at the ceiling it probes one step above only after `probeGap` quiet round trips (16 at
//   first, doubled after each failed probe, halved after each one that held), so a steady server sees
//   almost no 429s;
// - a failed probe (a 429 for an attempt sent while above the ceiling) returns to the ceiling; a 429 at or
//   below the ceiling means the capacity shrank (a shared quota): back off multiplicatively (× 0.7),
//   once per window (attempts sent after the previous back-off), never once per 429; never below 1;
// - retry-after-ms / retry-after is honoured per request: the throttled attempt waits that long while the
//   others go on. Only when the server refused a call with nothing else in flight (it takes none at all)
//   do new dispatches pause for retry-after too (capped at maxDelayMs).
// There is no fixed cap on the adaptive limit beyond a safety bound of 1024 calls per endpoint. An
// explicit `maxConcurrency` (the user's --concurrency) is both the hard cap and the starting point.
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

const DEFAULT_START = 16;
/** Not a tuning knob: a bound on sockets and memory for a server that never says no. */
const SAFETY_CAP = 1024;
/** Multiplicative back-off when the capacity shrank. */
const BETA = 0.7;
/** Quiet round trips at the ceiling before the first probe above it, and the longest gap between probes. */
const PROBE_GAP_START = 16;
const PROBE_GAP_MAX = 64;
/** A loop busy this share of the time cannot take in answers any faster. */
const LOOP_SATURATED = 0.9;
/** The shortest stretch over which the loop's load is measured, ms. */
const LOOP_WINDOW_MS = 50;

/**
 * How busy this process's event loop has been lately: the share of time busy over stretches of at least
 * LOOP_WINDOW_MS, each new stretch averaged with the previous figure. When the
 * loop is busy nearly all the time, the client itself is the bottleneck: answers wait unread in its own
 * sockets, so the calls it counts as in flight are not all at the server, and more of them only add memory
 * and a later burst of 429s (a CPU-starved client would otherwise "grow" far past the server's capacity).
 */
export function eventLoopLoad(): () => number | undefined {
  let last = performance.eventLoopUtilization();
  let lastAt = performance.now();
  let share: number | undefined;
  return () => {
    const now = performance.now();
    if (now - lastAt >= LOOP_WINDOW_MS) {
      const current = performance.eventLoopUtilization();
      const u = performance.eventLoopUtilization(current, last).utilization;
      // smoothed, so one quieter stretch in a busy run does not open a whole window of growth
      share = share === undefined ? u : (share + u) / 2;
      last = current;
      lastAt = now;
    }
    return share;
  };
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
  private readonly cap: number;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly loopBusy: () => number | undefined;

  private limit: number;
  private slowStart = true;
  /** The level where 429s began (Infinity until the first one). */
  private ceiling = Infinity;
  /** Below this limit growth is fast again (recovery after a collapse), as TCP's ssthresh. */
  private fastBelow = 0;
  private successesSinceThrottle = 0;
  private growthCredit = 0;
  /** Round trips (in units of `limit` successes) spent at the ceiling since the last probe. */
  private quietCredit = 0;
  private probeGap = PROBE_GAP_START;
  /** Successes since the limit last went above the ceiling. */
  private probeSuccesses = 0;
  /** Attempts started after a back-off carry the new epoch; 429s from older attempts belong to that same window. */
  private epoch = 0;
  /** The last back-off measured a burst (the first overshoot): its later 429s each take one slot. */
  private measuring = false;
  private inFlight = 0;
  private pauseUntil = 0;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly queue: Job[] = [];
  private readonly watched = new WeakMap<AbortSignal, Set<Job>>();
  private readonly _stats: SchedulerStats;

  constructor(opts: SchedulerOptions = {}) {
    const explicitCap = opts.maxConcurrency !== undefined && opts.maxConcurrency > 0;
    this.cap = Math.max(1, Math.floor(explicitCap ? (opts.maxConcurrency as number) : SAFETY_CAP));
    const start = opts.initialConcurrency ?? (explicitCap ? this.cap : DEFAULT_START);
    this.limit = Math.max(1, Math.min(this.cap, Math.floor(start)));
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxRetries = opts.maxRetries ?? 6;
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.random = opts.random ?? Math.random;
    this.loopBusy = opts.loopBusy ?? eventLoopLoad();
    this._stats = { calls: 0, attempts: 0, retries: 0, peakInFlight: 0, limit: this.limit, throttled: 0, backoffs: 0 };
  }

  get stats(): Readonly<SchedulerStats> {
    return { ...this._stats, limit: Math.floor(this.limit), ...(Number.isFinite(this.ceiling) ? { ceiling: this.ceiling } : {}) };
  }

  /** The current concurrency limit: callers that feed the scheduler keep about this many calls coming. */
  get concurrency(): number {
    return Math.floor(this.limit);
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
    // Sent while the limit was above the ceiling: a probe of a level not known to hold.
    const probe = this.limit > this.ceiling;
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
      this.settle(startedAt, job, timer, epoch, probe, ok, value);
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
    epoch: number,
    probe: boolean,
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
      this.onSuccess(probe, performance.now() - startedAt);
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
    if (throttled) this.onThrottle(epoch, probe, err.retryAfterMs);

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

  /**
   * Round-trip times: the median of each round's first samples, and the lowest such median so far. When a
   * round's median is more than twice the best one, calls wait in a queue (the server's, or our own
   * process's when it is short of CPU): more concurrency would only lengthen the queue, so the limit
   * does not grow. A median, not a minimum, so models whose replies vary in length do not trip it.
   */
  private roundSamples: number[] = [];
  private roundSuccesses = 0;
  /** Successes that make up the current round: the limit when it began. */
  private roundLength = 8;
  private roundMedian = 0;
  private bestMedian = Infinity;

  private queueing(latencyMs: number): boolean {
    if (this.roundSamples.length < 16) this.roundSamples.push(latencyMs);
    if (++this.roundSuccesses >= this.roundLength) {
      const sorted = this.roundSamples.sort((a, b) => a - b);
      this.roundMedian = sorted[sorted.length >> 1];
      this.bestMedian = Math.min(this.bestMedian, this.roundMedian);
      this.roundSamples = [];
      this.roundSuccesses = 0;
      this.roundLength = Math.max(8, Math.floor(this.limit));
    }
    return this.roundMedian > 2 * this.bestMedian + 5;
  }

  private onSuccess(probe: boolean, latencyMs: number): void {
    this.successesSinceThrottle++;
    const queueing = this.queueing(latencyMs);
    if (probe && this.limit > this.ceiling && ++this.probeSuccesses >= Math.floor(this.limit)) {
      // A whole round trip above the old ceiling without a 429: the server holds more now.
      this.ceiling = Math.floor(this.limit);
      this.probeGap = Math.max(1, Math.floor(this.probeGap / 2));
    }
    if (this.queue.length === 0 && this.inFlight + 1 < Math.floor(this.limit)) return; // not limited by us: don't grow
    if (queueing) return;
    if (this.limit >= this.cap) return;
    // The client cannot take in answers faster: more calls in flight would only wait in its own sockets.
    if ((this.loopBusy() ?? 0) >= LOOP_SATURATED) return;
    const step = 1 / Math.floor(this.limit);
    const before = Math.floor(this.limit);
    if (this.slowStart || this.limit < this.fastBelow) {
      this.limit = Math.min(this.cap, this.limit + 1);
      // Recovering after a collapse: the levels passed on the way back up held before.
      if (!this.slowStart) this.ceiling = Math.max(this.ceiling, Math.floor(this.limit));
    } else if (this.limit < this.ceiling) {
      // Additive increase: one step per round trip.
      this.growthCredit += step;
      if (this.growthCredit >= 1) {
        this.growthCredit = 0;
        this.limit = Math.min(this.cap, this.limit + 1, this.ceiling);
      }
    } else {
      // At the ceiling: probe one step above it only after `probeGap` quiet round trips.
      this.quietCredit += step;
      if (this.quietCredit >= this.probeGap) {
        this.quietCredit = 0;
        this.probeSuccesses = 0;
        this.limit = Math.min(this.cap, this.limit + 1);
      }
    }
    // Grown since the measured overshoot: a 429 now answers the growth, not the old estimate, so it is a
    // new window (a back-off that also lowers the fast-recovery level), not one more slot off the estimate.
    // (Otherwise fast recovery towards a level from before a capacity drop and one-slot corrections alternate
    // without end: a 429 burst every few round trips.)
    if (Math.floor(this.limit) > before) this.measuring = false;
    this._stats.limit = Math.floor(this.limit);
  }

  private onThrottle(attemptEpoch: number, probe: boolean, retryAfterMs: number | undefined): void {
    this._stats.throttled++;
    const successes = this.successesSinceThrottle;
    const newStorm = successes >= Math.floor(this.limit);
    this.successesSinceThrottle = 0;
    this.growthCredit = 0;
    this.quietCredit = 0;
    const sameWindow = attemptEpoch < this.epoch;
    if (this.slowStart) {
      // The first overshoot: the server holds about what is still in flight; the rest of this burst's
      // 429s (sent before this drop) each take one more slot away below.
      this.slowStart = false;
      this.measuring = true;
      if (newStorm) this.fastBelow = Math.floor(this.limit / 2);
      this.epoch++;
      this._stats.backoffs++;
      this.limit = Math.max(1, Math.min(Math.floor(this.limit), this.inFlight));
      this.ceiling = Math.floor(this.limit);
    } else if (sameWindow || (this.measuring && !newStorm)) {
      // The rest of the measured burst, or a refusal right after it (before a full round trip of
      // successes): the estimate was a little high, one slot each. Other windows that already backed
      // off ignore further 429s: once per window, not once per 429.
      if (this.measuring) {
        if (!sameWindow) {
          this.epoch++;
          this._stats.backoffs++;
        }
        this.limit = Math.max(1, Math.floor(this.limit) - 1);
        this.ceiling = Math.floor(this.limit);
      }
    } else {
      this.epoch++;
      this._stats.backoffs++;
      this.measuring = false;
      if (probe) {
        // A probe above the ceiling failed: back to the ceiling, and wait longer before the next one.
        this.limit = Math.max(1, Math.min(Math.floor(this.limit), this.ceiling));
        this.probeGap = Math.min(PROBE_GAP_MAX, this.probeGap * 2);
      } else {
        // Refused at a level that held before: the capacity shrank. Multiplicative back-off. After a
        // good period, the limit may regrow fast to half of where it was (a passing storm); while the
        // server still answers some calls it serves less now, and the new level is where growth slows.
        const before = Math.floor(this.limit);
        this.limit = Math.max(1, Math.floor(before * BETA));
        if (newStorm) this.fastBelow = Math.floor(before / 2);
        else if (successes > 0) this.fastBelow = Math.floor(this.limit);
        this.ceiling = Math.floor(this.limit);
      }
    }
    this._stats.limit = Math.floor(this.limit);
    // Refused with nothing else in flight: the server takes no call at all now, so everyone waits.
    if (this.inFlight === 0 && retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pauseUntil = Math.max(this.pauseUntil, Date.now() + Math.min(retryAfterMs, this.maxDelayMs));
    }
  }
}
