// Runs the `regex` evaluator's JavaScript regular expressions off the main thread, under a time limit. A pattern
// in a prompt file is workspace content, and a backtracking one like `^(a+)+$` takes exponential time on a long
// reply: run inline it would freeze the editor's extension host. Here a worker thread (one, kept between calls,
// unref'd so it never keeps a process alive) runs each match; one that takes longer than REGEX_TIME_MS ends the
// worker (a new one starts for the next match) and fails that evaluation with the reason. The match itself is
// V8's own engine, so results are exactly JavaScript's. A pattern that has timed out twice is not run again in
// this process: its later evaluations fail at once, so a hostile file costs seconds, not hours.

import { Worker } from 'node:worker_threads';

export const REGEX_TIME_MS = 1000;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  let out;
  try {
    const r = new RegExp(m.pattern, m.flags).exec(m.text);
    out = { id: m.id, match: r === null ? null : r[0] };
  } catch (e) {
    out = { id: m.id, error: String((e && e.message) || e) };
  }
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
let nextId = 0;
const queue: Job[] = [];
let current: { job: Job; timer: ReturnType<typeof setTimeout> } | undefined;
const timeouts = new Map<string, number>();

function startWorker(): Worker {
  const w = new Worker(WORKER_SOURCE, { eval: true });
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
  const timer = setTimeout(() => {
    if (!current || current.job !== job) return;
    current = undefined;
    timeouts.set(key, (timeouts.get(key) ?? 0) + 1);
    const w = worker;
    worker = undefined;
    void w?.terminate();
    job.resolve({ timedOut: true });
    pump();
  }, REGEX_TIME_MS);
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
