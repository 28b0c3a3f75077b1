import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { createOpenAIProvider } from '../../../src/core/providers/openai';
import { ProviderError, type ChatResult, type Provider } from '../../../src/core/providers/provider';
import { eventLoopLoad, Scheduler } from '../../../src/core/providers/scheduler';
import { rejection } from './rejection';

let server: ScriptedServer;
let provider: Provider;

before(async () => {
  server = await startScriptedServer();
  provider = createOpenAIProvider({ kind: 'custom', baseURL: server.url, apiKey: 'sk-test-scheduler-000' });
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.setOptions({ capacity: undefined, capacitySchedule: undefined, faults: [], latencyMs: 0, retryAfterMs: 50 });
  server.setRules([]);
  server.resetStats();
});

const ask = (content: string) => (signal: AbortSignal) =>
  provider.chat({ model: 'm', messages: [{ role: 'user', content }], params: {} }, signal);

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('429 storm: every call succeeds exactly once, the limit settles near capacity, retry-after is honoured', async () => {
  const RETRY_AFTER = 80;
  server.setOptions({ capacity: 4, latencyMs: 20, retryAfterMs: RETRY_AFTER });
  const scheduler = new Scheduler({ baseDelayMs: 1, maxDelayMs: 1000 });
  // Per call: when each attempt ended with a 429 and when the next attempt started.
  const gaps: number[] = [];
  const tracked = (content: string) => {
    let throttledAt: number | undefined;
    return async (signal: AbortSignal): Promise<ChatResult> => {
      const start = performance.now();
      if (throttledAt !== undefined) gaps.push(start - throttledAt);
      throttledAt = undefined;
      try {
        return await ask(content)(signal);
      } catch (err) {
        if (err instanceof ProviderError && err.status === 429) throttledAt = performance.now();
        throw err;
      }
    };
  };
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => scheduler.run(tracked(`q${i}`))));
  assert.deepEqual(
    results.map((r) => r.text),
    Array.from({ length: 60 }, (_, i) => `echo: q${i}`),
  );
  assert.equal(server.stats.completed, 60, 'no call lost or duplicated');
  assert.ok(scheduler.stats.throttled > 0, 'the storm really throttled');
  assert.equal(scheduler.stats.throttled, server.stats.rejected429);
  assert.ok(scheduler.stats.limit <= 5, `limit ${scheduler.stats.limit} settles near capacity`);
  assert.ok(gaps.length > 0);
  assert.ok(Math.min(...gaps) >= RETRY_AFTER - 2, `a retry came ${Math.min(...gaps).toFixed(1)} ms after a 429`);

  // After the back-off the scheduler stays near the capacity.
  server.resetStats();
  await Promise.all(Array.from({ length: 40 }, (_, i) => scheduler.run(ask(`again${i}`))));
  assert.equal(server.stats.completed, 40);
  assert.ok(server.stats.peakInFlight <= 4 + 2, `peak ${server.stats.peakInFlight}`);
  assert.ok(server.stats.rejected429 <= 10, `${server.stats.rejected429} rejections after back-off`);
});

test('an explicit maxConcurrency is a hard cap', async () => {
  server.setOptions({ latencyMs: 10 });
  const scheduler = new Scheduler({ maxConcurrency: 3 });
  await Promise.all(Array.from({ length: 30 }, (_, i) => scheduler.run(ask(`c${i}`))));
  assert.equal(scheduler.stats.peakInFlight, 3);
  assert.equal(server.stats.peakInFlight, 3);
});

test('injected 500s are retried, then the call succeeds', async () => {
  server.setOptions({ faults: [{ status: 500, times: 3 }] });
  const scheduler = new Scheduler({ baseDelayMs: 1 });
  const res = await scheduler.run(ask('hello'));
  assert.equal(res.text, 'echo: hello');
  assert.equal(server.stats.chatRequests, 4);
  assert.equal(scheduler.stats.retries, 3);
});

test('persistent 500 rejects with the reason after bounded attempts', async () => {
  server.setOptions({ faults: [{ status: 500 }] });
  const scheduler = new Scheduler({ baseDelayMs: 1 });
  const err = (await rejection(scheduler.run(ask('x')))) as ProviderError;
  assert.ok(err instanceof ProviderError);
  assert.match(err.message, /^HTTP 500 after 7 attempts/);
  assert.equal(err.status, 500);
  assert.equal(server.stats.chatRequests, 7);
});

test('non-retryable errors reject after one attempt', async () => {
  server.setRules([{ user: '.*', status: 400 }]);
  const scheduler = new Scheduler({ baseDelayMs: 1 });
  const err = (await rejection(scheduler.run(ask('x')))) as ProviderError;
  assert.equal(err.status, 400);
  assert.equal(server.stats.chatRequests, 1);
});

test('a hanging request times out, is retried, and succeeds', async () => {
  server.setOptions({ faults: [{ kind: 'timeout', times: 1 }] });
  const scheduler = new Scheduler({ baseDelayMs: 1, timeoutMs: 150 });
  const res = await scheduler.run(ask('hang'));
  assert.equal(res.text, 'echo: hang');
  assert.equal(server.stats.chatRequests, 2);
  await until(() => server.stats.aborted === 1);
  assert.equal(server.stats.aborted, 1, 'the timed-out request was aborted on the wire');
});

test('a request that always hangs fails with a timeout reason', async () => {
  server.setOptions({ faults: [{ kind: 'timeout' }] });
  const scheduler = new Scheduler({ baseDelayMs: 1, timeoutMs: 100, maxRetries: 1 });
  const err = (await rejection(scheduler.run(ask('hang')))) as ProviderError;
  assert.ok(err instanceof ProviderError);
  assert.match(err.message, /^timed out after 2 attempts/);
});

test('a reset connection is retried', async () => {
  server.setOptions({ faults: [{ kind: 'reset', times: 2 }] });
  const scheduler = new Scheduler({ baseDelayMs: 1 });
  assert.equal((await scheduler.run(ask('r'))).text, 'echo: r');
  assert.equal(server.stats.chatRequests, 3);
});

test('a malformed body is transient: retried like a 5xx with back-off, then reported with the attempts', async () => {
  server.setOptions({ faults: [{ kind: 'malformed', times: 3 }] });
  const scheduler = new Scheduler({ baseDelayMs: 1 });
  assert.equal((await scheduler.run(ask('m'))).text, 'echo: m');
  assert.equal(server.stats.chatRequests, 4);

  server.setOptions({ faults: [{ kind: 'malformed' }] });
  server.resetStats();
  const err = (await rejection(new Scheduler({ baseDelayMs: 1, maxRetries: 2 }).run(ask('m')))) as ProviderError;
  assert.match(err.message, /^malformed response after 3 attempts/);
  assert.equal(server.stats.chatRequests, 3);
});

test('a request that always hangs is retried once only, whatever the retry budget', async () => {
  server.setOptions({ faults: [{ kind: 'timeout' }] });
  const scheduler = new Scheduler({ baseDelayMs: 1, timeoutMs: 100, maxRetries: 6 });
  const err = (await rejection(scheduler.run(ask('hang')))) as ProviderError;
  assert.match(err.message, /^timed out after 2 attempts/);
  assert.equal(server.stats.chatRequests, 2);
  await until(() => server.stats.aborted === 2);
  assert.equal(server.stats.aborted, 2, 'both hung requests were aborted on the wire');
});

test('cancellation rejects queued calls and aborts in-flight ones on the wire', async () => {
  server.setOptions({ latencyMs: 5000 });
  const scheduler = new Scheduler({ maxConcurrency: 2 });
  const ctrl = new AbortController();
  const calls = Array.from({ length: 6 }, (_, i) => scheduler.run(ask(`slow${i}`), ctrl.signal));
  await until(() => server.stats.chatRequests === 2);
  ctrl.abort();
  const errors = await Promise.all(calls.map((c) => rejection(c)));
  for (const e of errors) assert.equal((e as Error).name, 'AbortError');
  await until(() => server.stats.aborted === 2);
  assert.equal(server.stats.aborted, 2, 'both in-flight requests were aborted');
  assert.equal(server.stats.chatRequests, 2, 'queued calls never reached the server');
  assert.equal(server.stats.completed, 0);
  // An already-aborted signal rejects at once, without a call.
  assert.equal(((await rejection(scheduler.run(ask('late'), ctrl.signal))) as Error).name, 'AbortError');
  assert.equal(server.stats.chatRequests, 2);
});

test('cancellation during a retry wait rejects at once', async () => {
  server.setOptions({ faults: [{ status: 500 }] });
  const scheduler = new Scheduler({ baseDelayMs: 10_000 });
  const ctrl = new AbortController();
  const call = scheduler.run(ask('x'), ctrl.signal);
  await until(() => server.stats.chatRequests === 1);
  ctrl.abort();
  assert.equal(((await rejection(call)) as Error).name, 'AbortError');
  assert.equal(server.stats.chatRequests, 1);
});

test('a task that ignores its signal still frees its slot at the timeout', async () => {
  const scheduler = new Scheduler({ timeoutMs: 50, maxRetries: 0, maxConcurrency: 1 });
  const stuck = scheduler.run(() => new Promise<never>(() => undefined));
  const next = scheduler.run(async () => 'ran');
  const err = (await rejection(stuck)) as ProviderError;
  assert.match(err.message, /timed out/);
  assert.equal(await next, 'ran');
});

test('each attempt gets its own signal: a timeout aborts it with the timeout reason, the retry gets a fresh one, a cancel aborts with AbortError', async () => {
  const scheduler = new Scheduler({ timeoutMs: 40, baseDelayMs: 1, maxConcurrency: 4 });
  const seen: AbortSignal[] = [];
  const reasons: unknown[] = [];
  const result = await scheduler.run((signal) => {
    seen.push(signal);
    if (seen.length === 1) {
      // the first attempt hangs and only learns of its timeout through the signal
      return new Promise<string>((_, reject) => {
        signal.addEventListener('abort', () => {
          reasons.push(signal.reason);
          reject(signal.reason);
        });
      });
    }
    return Promise.resolve('second');
  });
  assert.equal(result, 'second');
  assert.equal(seen.length, 2);
  assert.notEqual(seen[0], seen[1]);
  assert.equal(seen[0].aborted, true);
  assert.ok(reasons[0] instanceof ProviderError);
  assert.equal((reasons[0] as ProviderError).opts.code, 'timeout');
  assert.equal(seen[1].aborted, false, 'a settled attempt is never aborted afterwards');
  assert.equal(scheduler.stats.attempts, 2);

  const ctrl = new AbortController();
  let inFlight: AbortSignal | undefined;
  const cancelled = scheduler.run((signal) => {
    inFlight = signal;
    return new Promise<never>(() => undefined); // ignores its signal: the cancel must still settle it
  }, ctrl.signal);
  await until(() => inFlight !== undefined);
  ctrl.abort();
  assert.equal(((await rejection(cancelled)) as Error).name, 'AbortError');
  assert.equal(inFlight?.aborted, true);
  assert.equal((inFlight?.reason as Error).name, 'AbortError');
  // the slot is free again at once
  assert.equal(await scheduler.run(async () => 'after'), 'after');
});

// The following tests drive the scheduler with plain tasks (no model involved) to check its control logic.

test('without waiting work the limit does not grow', async () => {
  const scheduler = new Scheduler({ initialConcurrency: 4 });
  for (let i = 0; i < 20; i++) await scheduler.run(async () => i);
  assert.equal(scheduler.stats.limit, 4);
  assert.equal(scheduler.stats.peakInFlight, 1);
});

test('after a rate-limit collapse the limit recovers quickly, then probes gently', async () => {
  let throttle = false;
  const scheduler = new Scheduler({ maxConcurrency: 32, baseDelayMs: 1 });
  const task = async (): Promise<string> => {
    await new Promise((r) => setTimeout(r, 2));
    if (throttle) throw new ProviderError('HTTP 429', { status: 429, retryable: true, retryAfterMs: 1 });
    return 'ok';
  };
  // A good period at 32, then every call is throttled for a while.
  await Promise.all(Array.from({ length: 64 }, () => scheduler.run(task)));
  assert.equal(scheduler.stats.limit, 32);
  throttle = true;
  const storm = Array.from({ length: 40 }, () => scheduler.run(task));
  await until(() => scheduler.stats.limit === 1);
  assert.equal(scheduler.stats.limit, 1, 'a storm of 429s brings the limit down to 1');
  throttle = false;
  await Promise.all(storm);
  await Promise.all(Array.from({ length: 20 }, () => scheduler.run(task)));
  // Additive growth alone would be near 10 after these 60 successes; recovery is fast up to half of 32.
  assert.ok(scheduler.stats.limit >= 15, `limit ${scheduler.stats.limit} recovered`);
});

test('one caller signal shared by many calls adds one listener (no MaxListeners warning)', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const scheduler = new Scheduler({ maxConcurrency: 2 });
    const ctrl = new AbortController();
    await Promise.all(Array.from({ length: 50 }, (_, i) => scheduler.run(async () => i, ctrl.signal)));
    const pending = Array.from({ length: 20 }, () => scheduler.run(() => new Promise<never>(() => undefined), ctrl.signal));
    ctrl.abort();
    for (const p of pending) assert.equal(((await rejection(p)) as Error).name, 'AbortError');
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.ok(!warnings.includes('MaxListenersExceededWarning'), warnings.join(', '));
});

// Convergence, counted on the server side (429s sent, peak admitted): no wall-clock assertions.

/** Feeds `n` calls the way the engine does: about twice the scheduler's limit outstanding at any time. */
async function feed(scheduler: Scheduler, n: number, prefix: string, onDone?: (i: number) => void): Promise<string[]> {
  const texts: string[] = new Array(n);
  let next = 0;
  let active = 0;
  await new Promise<void>((done, fail) => {
    const fill = () => {
      while (next < n && active < Math.max(8, 2 * scheduler.concurrency)) {
        const i = next++;
        active++;
        scheduler.run(ask(`${prefix}${i}`)).then((r) => {
          texts[i] = r.text;
          active--;
          onDone?.(i);
          fill();
        }, fail);
      }
      if (active === 0) done();
    };
    fill();
  });
  return texts;
}

test('the limit converges at the capacity: one measured overshoot, then (almost) no 429s', async () => {
  server.setOptions({ capacity: 8, latencyMs: 50, retryAfterMs: 50 });
  const scheduler = new Scheduler({ baseDelayMs: 1 });
  const first = await feed(scheduler, 80, 'a');
  assert.deepEqual(first, Array.from({ length: 80 }, (_, i) => `echo: a${i}`));
  assert.equal(server.stats.completed, 80, 'no call lost or duplicated');
  assert.ok(server.stats.rejected429 > 0, 'slow start overshot the capacity once');
  assert.equal(scheduler.stats.ceiling, 8, 'the level where 429s began is the capacity');
  assert.equal(scheduler.stats.limit, 8);

  server.resetStats();
  await feed(scheduler, 320, 'b');
  assert.equal(server.stats.completed, 320);
  // 40 round trips at the ceiling: at most a couple of gentle probes above it, each refused once.
  assert.ok(server.stats.rejected429 <= 3, `${server.stats.rejected429} × 429 once converged`);
  assert.equal(server.stats.peakAdmitted, 8, 'the capacity was used in full');
  assert.ok(scheduler.stats.limit >= 8 && scheduler.stats.limit <= 9, `limit ${scheduler.stats.limit}`);
});

test('without a server limit the concurrency grows past 64 (no fixed cap)', async () => {
  server.setOptions({ latencyMs: 200 });
  // a client with CPU to spare (a loaded test machine must not make this one fail: see the next test)
  const scheduler = new Scheduler({ loopBusy: () => 0 });
  await feed(scheduler, 500, 'u');
  assert.equal(server.stats.completed, 500);
  assert.ok(server.stats.peakInFlight > 64, `peak ${server.stats.peakInFlight}`);
  assert.equal(server.stats.rejected429, 0);
});

test('a client whose own event loop is saturated does not raise its limit: the answers would only wait unread', async () => {
  server.setOptions({ latencyMs: 20 });
  const busy = new Scheduler({ loopBusy: () => 0.97 });
  await feed(busy, 300, 'busy');
  assert.equal(server.stats.completed, 300);
  assert.equal(busy.stats.limit, 16, 'the starting limit held');
  assert.ok(server.stats.peakInFlight <= 16, `peak ${server.stats.peakInFlight}`);

  // the same calls from a client with CPU to spare: slow start grows the limit
  server.resetStats();
  const idle = new Scheduler({ loopBusy: () => 0.2 });
  await feed(idle, 300, 'idle');
  assert.equal(server.stats.completed, 300);
  assert.ok(idle.stats.limit > 16, `limit ${idle.stats.limit}`);
  assert.ok(server.stats.peakInFlight > 16, `peak ${server.stats.peakInFlight}`);
});

test('eventLoopLoad: the share of time this process was busy, smoothed over stretches of 50 ms', async () => {
  const load = eventLoopLoad();
  assert.equal(load(), undefined, 'too soon to tell');
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  spin(80);
  const busy = load();
  assert.ok(busy !== undefined && busy >= 0.9, `busy: ${busy}`);
  assert.equal(load(), busy, 'the figure holds until the next stretch is long enough');
  await new Promise((r) => setTimeout(r, 120));
  const calmer = load();
  assert.ok(calmer !== undefined && calmer < 0.9 && calmer < busy, `after an idle stretch: ${calmer}`);
  await new Promise((r) => setTimeout(r, 120));
  const idle = load();
  assert.ok(idle !== undefined && idle < calmer, `idle again: ${idle}`);
});

test('a capacity that shrinks mid-run: multiplicative back-off once per window, no retry storm', async () => {
  server.setOptions({ capacity: 32, latencyMs: 50, retryAfterMs: 50, capacitySchedule: [{ afterCompleted: 150, capacity: 8 }] });
  const scheduler = new Scheduler({ baseDelayMs: 1 });
  let rejectedAtDrop = -1;
  let backoffsAtDrop = -1;
  const texts = await feed(scheduler, 600, 'd', () => {
    if (rejectedAtDrop < 0 && server.stats.capacityChangedAt.length > 0) {
      rejectedAtDrop = server.stats.rejected429;
      backoffsAtDrop = scheduler.stats.backoffs;
    }
  });
  assert.deepEqual(texts, Array.from({ length: 600 }, (_, i) => `echo: d${i}`));
  assert.equal(server.stats.completed, 600, 'no call lost or duplicated');
  assert.ok(rejectedAtDrop >= 0, 'the capacity dropped');
  const after = server.stats.rejected429 - rejectedAtDrop;
  // 32 → 8 is four windows of × 0.7. The refusals are the calls sent before each back-off was seen (and
  // their retries), not a storm: a scheduler that backs off per 429 or freezes the pool makes hundreds.
  assert.ok(after >= 1 && after <= 80, `${after} × 429 after the drop`);
  assert.ok(scheduler.stats.backoffs - backoffsAtDrop <= 10, `${scheduler.stats.backoffs - backoffsAtDrop} back-offs after the drop`);
  assert.ok(scheduler.stats.limit >= 5 && scheduler.stats.limit <= 9, `limit ${scheduler.stats.limit} near the new capacity`);
});

test('retry-after holds back only the refused call: the others keep the pool busy meanwhile', async () => {
  // A long retry-after: if it froze the whole pool, nothing would complete between a 429 and its retry.
  server.setOptions({ capacity: 4, latencyMs: 10, retryAfterMs: 400 });
  const scheduler = new Scheduler({ baseDelayMs: 1 });
  const events: string[] = [];
  const tracked = (i: number) => {
    let refused = false;
    return async (signal: AbortSignal): Promise<ChatResult> => {
      if (refused) events.push('retry');
      try {
        const r = await ask(`p${i}`)(signal);
        events.push('ok');
        return r;
      } catch (err) {
        if (err instanceof ProviderError && err.status === 429) {
          refused = true;
          events.push('429');
        }
        throw err;
      }
    };
  };
  await Promise.all(Array.from({ length: 120 }, (_, i) => scheduler.run(tracked(i))));
  assert.equal(server.stats.completed, 120);
  const firstRefusal = events.indexOf('429');
  const firstRetry = events.indexOf('retry');
  assert.ok(firstRefusal >= 0 && firstRetry > firstRefusal);
  const between = events.slice(firstRefusal, firstRetry).filter((e) => e === 'ok').length;
  assert.ok(between >= 20, `${between} calls completed while the refused ones waited out retry-after`);
});
