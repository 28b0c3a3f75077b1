// Runs the `regex` evaluator's JavaScript regular expressions off the main thread, under a time limit. A pattern
// in a prompt file is workspace content, and a backtracking one like `^(a+)+$` takes exponential time on a long
// reply: run inline it would freeze the editor's extension host. Here a worker thread (one, kept between calls,
// unref'd so it never keeps a process alive) runs each match; one that takes longer than REGEX_TIME_MS ends the
// worker (a new one starts for the next match) and fails that evaluation with the reason. The match itself is
// V8's own engine, so results are exactly JavaScript's. A pattern that has timed out twice is not run again in
// this process: its later evaluations fail at once, so a hostile file costs seconds, not hours.

import { Worker } from 'node:worker_threads';

export const REGEX_TIME_MS = 1000;

// The worker marks in shared memory which match it is running and since when, and which it finished, so the limit
// counts only the match itself: not the worker's start, nor a main thread too busy to read the answer in time.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ids = new Int32Array(workerData.shared, 0, 2);
const since = new Float64Array(workerData.shared, 8, 1);
parentPort.on('message', (m) => {
  let out;
  since[0] = Date.now();
  Atomics.store(ids, 0, m.id);
  try {
    const r = new RegExp(m.pattern, m.flags).exec(m.text);
    out = { id: m.id, match: r === null ? null : r[0] };
  } catch (e) {
    out = { id: m.id, error: String((e && e.message) || e) };
  }
  Atomics.store(ids, 1, m.id);
  parentPort.postMessage(out);
});
`;

export type RegexOutcome = { match: string | null } | { error: string } | { timedOut: true; skipped?: true };

interface Job {
  id: number;
  pattern: string;
  flags: string;
  text: string;
  resolve(o: RegexOutcome): void;
}

let worker: Worker | undefined;
/** [0]: the id of the match the worker started last, [1]: of the one it finished last; then its start time (ms). */
let shared = new SharedArrayBuffer(16);
let nextId = 0;
const queue: Job[] = [];
let current: { job: Job; timer: ReturnType<typeof setTimeout> } | undefined;
const timeouts = new Map<string, number>();

function startWorker(): Worker {
  shared = new SharedArrayBuffer(16);
  new Int32Array(shared, 0, 2).fill(-1);
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared } });
  w.on('message', (m: { id: number; match?: string | null; error?: string }) => {
    if (!current || current.job.id !== m.id) return;
    clearTimeout(current.timer);
    const { job } = current;
    current = undefined;
    job.resolve(m.error !== undefined ? { error: m.error } : { match: m.match ?? null });
    pump();
  });
  w.on('error', (err) => {
    // the worker died (out of memory on a huge match): fail the match it had, go on with a new worker
    if (worker === w) worker = undefined;
    if (current) {
      clearTimeout(current.timer);
      const { job } = current;
      current = undefined;
      job.resolve({ error: `the match failed: ${err.message}` });
    }
    pump();
  });
  // after the listeners (adding a message listener refs the worker again)
  w.unref();
  return w;
}

function pump(): void {
  if (current) return;
  const job = queue.shift();
  if (!job) return;
  const key = `${job.flags}/${job.pattern}`;
  if ((timeouts.get(key) ?? 0) >= 2) {
    job.resolve({ timedOut: true, skipped: true });
    pump();
    return;
  }
  worker ??= startWorker();
  const ids = new Int32Array(shared, 0, 2);
  const since = new Float64Array(shared, 8, 1);
  const check = (): void => {
    if (!current || current.job !== job) return;
    const running = Atomics.load(ids, 0) === job.id && Atomics.load(ids, 1) !== job.id;
    const left = running ? REGEX_TIME_MS - (Date.now() - since[0]) : 0;
    // not started yet (the worker is starting), finished (its answer is on the way) or within the limit: wait on
    if (!running || left > 0) {
      current.timer = setTimeout(check, running ? left : 50);
      return;
    }
    current = undefined;
    timeouts.set(key, (timeouts.get(key) ?? 0) + 1);
    const w = worker;
    worker = undefined;
    void w?.terminate();
    job.resolve({ timedOut: true });
    pump();
  };
  const timer = setTimeout(check, REGEX_TIME_MS);
  current = { job, timer };
  worker.postMessage({ id: job.id, pattern: job.pattern, flags: job.flags, text: job.text });
}

/** Matches `text` against a JavaScript regular expression, off the main thread, within REGEX_TIME_MS. */
export function matchRegex(pattern: string, flags: string, text: string): Promise<RegexOutcome> {
  return new Promise((resolve) => {
    queue.push({ id: nextId++, pattern, flags, text, resolve });
    pump();
  });
}
