// The adaptive concurrency limit of one endpoint's Scheduler: it finds the server's capacity by itself, like a
// congestion controller that converges:
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
// - the limit does not grow while calls wait in a queue (round-trip times well above the best seen) or while
//   this process's event loop is saturated.
// There is no fixed cap on the adaptive limit beyond a safety bound of 1024 calls per endpoint. An
// explicit `maxConcurrency` (the user's --concurrency) is both the hard cap and the starting point.

import { performance } from 'node:perf_hooks';

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

export interface LimitOptions {
  /** Hard cap (default: none but the safety bound); when given it is also the starting limit. */
  maxConcurrency?: number;
  /** Starting limit (default: maxConcurrency when given, else 16). */
  initialConcurrency?: number;
  /** The share of the last stretch of time the event loop was busy, or undefined when too little time has passed. */
  loopBusy: () => number | undefined;
}

/** What an attempt remembers of the limit when it is sent, to be judged by when it ends. */
export interface SentAt {
  /** The back-off window the attempt belongs to. */
  epoch: number;
  /** Sent while the limit was above the ceiling: a probe of a level not known to hold. */
  probe: boolean;
}

export class AdaptiveLimit {
  private readonly cap: number;
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
  /** Times the limit was lowered for a 429. */
  backoffs = 0;

  constructor(opts: LimitOptions) {
    const explicitCap = opts.maxConcurrency !== undefined && opts.maxConcurrency > 0;
    this.cap = Math.max(1, Math.floor(explicitCap ? (opts.maxConcurrency as number) : SAFETY_CAP));
    const start = opts.initialConcurrency ?? (explicitCap ? this.cap : DEFAULT_START);
    this.limit = Math.max(1, Math.min(this.cap, Math.floor(start)));
    this.loopBusy = opts.loopBusy;
  }

  /** The current limit on calls in flight. */
  get current(): number {
    return Math.floor(this.limit);
  }

  /** The remembered capacity, once a 429 has shown one. */
  get knownCeiling(): number | undefined {
    return Number.isFinite(this.ceiling) ? this.ceiling : undefined;
  }

  /** What an attempt sent now belongs to. */
  sent(): SentAt {
    return { epoch: this.epoch, probe: this.limit > this.ceiling };
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

  /** An attempt succeeded after `latencyMs`; `limited`: calls were waiting for a slot (the limit held them back). */
  onSuccess(at: SentAt, latencyMs: number, limited: boolean): void {
    this.successesSinceThrottle++;
    const queueing = this.queueing(latencyMs);
    if (at.probe && this.limit > this.ceiling && ++this.probeSuccesses >= Math.floor(this.limit)) {
      // A whole round trip above the old ceiling without a 429: the server holds more now.
      this.ceiling = Math.floor(this.limit);
      this.probeGap = Math.max(1, Math.floor(this.probeGap / 2));
    }
    if (!limited) return; // not limited by us: don't grow
    if (queueing) return;
    if (this.limit >= this.cap) return;
    // The client cannot take in answers faster: more calls in flight would only wait in its own sockets.
    if ((this.loopBusy() ?? 0) >= LOOP_SATURATED) return;
    const before = Math.floor(this.limit);
    this.grow(1 / before);
    // Grown since the measured overshoot: a 429 now answers the growth, not the old estimate, so it is a
    // new window (a back-off that also lowers the fast-recovery level), not one more slot off the estimate.
    // (Otherwise fast recovery towards a level from before a capacity drop and one-slot corrections alternate
    // without end: a 429 burst every few round trips.)
    if (Math.floor(this.limit) > before) this.measuring = false;
  }

  /** One success's share of growth: a whole step in slow start and fast recovery, `step` of one below the ceiling. */
  private grow(step: number): void {
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
  }

  /** An attempt was throttled (429, or 503 with retry-after) while `inFlight` others were still out. */
  onThrottle(at: SentAt, inFlight: number): void {
    const successes = this.successesSinceThrottle;
    const newStorm = successes >= Math.floor(this.limit);
    this.successesSinceThrottle = 0;
    this.growthCredit = 0;
    this.quietCredit = 0;
    const sameWindow = at.epoch < this.epoch;
    if (this.slowStart) {
      // The first overshoot: the server holds about what is still in flight; the rest of this burst's
      // 429s (sent before this drop) each take one more slot away below.
      this.slowStart = false;
      this.measuring = true;
      if (newStorm) this.fastBelow = Math.floor(this.limit / 2);
      this.newWindow();
      this.limit = Math.max(1, Math.min(Math.floor(this.limit), inFlight));
      this.ceiling = Math.floor(this.limit);
    } else if (sameWindow || (this.measuring && !newStorm)) {
      // The rest of the measured burst, or a refusal right after it (before a full round trip of
      // successes): the estimate was a little high, one slot each. Other windows that already backed
      // off ignore further 429s: once per window, not once per 429.
      if (this.measuring) {
        if (!sameWindow) this.newWindow();
        this.limit = Math.max(1, Math.floor(this.limit) - 1);
        this.ceiling = Math.floor(this.limit);
      }
    } else {
      this.newWindow();
      this.measuring = false;
      this.backOff(at.probe, newStorm, successes);
    }
  }

  private newWindow(): void {
    this.epoch++;
    this.backoffs++;
  }

  /** A 429 in a new window after the first overshoot: a failed probe, or a capacity that shrank. */
  private backOff(probe: boolean, newStorm: boolean, successes: number): void {
    if (probe) {
      // A probe above the ceiling failed: back to the ceiling, and wait longer before the next one.
      this.limit = Math.max(1, Math.min(Math.floor(this.limit), this.ceiling));
      this.probeGap = Math.min(PROBE_GAP_MAX, this.probeGap * 2);
      return;
    }
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
