// `code` evaluators: a JavaScript or TypeScript module of the project exporting `(output, { vars, expected, case }) →
// boolean | number | { pass, score, reason }` (default export, or a named `evaluate`). It runs in a worker
// thread, so a hung or crashing check cannot stop the run: after `timeoutMs` (default 5 s) the worker is
// terminated and the evaluator fails saying so. The module path passed the containment gate at load; a TypeScript
// module was transpiled there (typescript.ts) and the worker compiles that code under the module's own path. In the
// editor it runs only in a trusted workspace (the engine's `workspaceTrusted`); the CLI always allows it.

import { Worker } from 'node:worker_threads';
import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn, EvaluatorResult } from './evaluator';
import { transpilerModule } from './typescript';

type CodeSpec = Extract<EvaluatorSpec, { kind: 'code' }>;

const DEFAULT_TIMEOUT_MS = 5000;

// The worker: import the module, call its function, post back a plain value (or the error's message).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
(async () => {
  try {
    let m;
    if (typeof workerData.compiled === 'string') {
      // TypeScript, transpiled to CommonJS at load: compile it as the module at its own path, so relative
      // requires and packages resolve from there; a nested .ts import is transpiled the same way
      const Module = require('node:module');
      const path = require('node:path');
      const fs = require('node:fs');
      if (workerData.transpiler) {
        const { transform } = require(workerData.transpiler);
        const hook = (mod, filename) => mod._compile(transform(fs.readFileSync(filename, 'utf8'), { transforms: ['typescript', 'imports'], filePath: filename, production: true }).code, filename);
        for (const ext of ['.ts', '.mts', '.cts']) Module._extensions[ext] = hook;
      }
      const mod = new Module(workerData.module, null);
      mod.filename = workerData.module;
      mod.paths = Module._nodeModulePaths(path.dirname(workerData.module));
      mod._compile(workerData.compiled, workerData.module);
      m = { default: mod.exports };
    } else {
      m = await import(pathToFileURL(workerData.module).href);
    }
    const pick = (x) => (typeof x === 'function' ? x : undefined);
    const fn = pick(m.default) || pick(m.evaluate) || (m.default && (pick(m.default.default) || pick(m.default.evaluate)));
    if (!fn) throw new Error('the module exports no function (export default, or export evaluate)');
    const r = await fn(workerData.output, workerData.context);
    const plain = r !== null && typeof r === 'object' ? { pass: r.pass, score: r.score, reason: r.reason === undefined ? undefined : String(r.reason) } : r;
    parentPort.postMessage({ ok: true, value: plain });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: e && e.message ? String(e.message) : String(e) });
  }
})();
`;

/** What a module's return value means: true/false; a number 0..1 passing at `threshold`; or { pass, score, reason }. */
export function codeVerdict(value: unknown, threshold: number): { passed: boolean; score: number; details?: string } | { error: string } {
  const clamp = (n: number) => Math.max(0, Math.min(1, n));
  if (typeof value === 'boolean') return { passed: value, score: value ? 1 : 0 };
  if (typeof value === 'number' && Number.isFinite(value)) return { passed: value >= threshold, score: clamp(value) };
  if (value !== null && typeof value === 'object') {
    const o = value as { pass?: unknown; score?: unknown; reason?: unknown };
    const score = typeof o.score === 'number' && Number.isFinite(o.score) ? clamp(o.score) : undefined;
    const passed = typeof o.pass === 'boolean' ? o.pass : score !== undefined ? score >= threshold : undefined;
    if (passed === undefined) return { error: 'returned an object without a boolean `pass` or a numeric `score`' };
    return { passed, score: score ?? (passed ? 1 : 0), ...(typeof o.reason === 'string' ? { details: o.reason } : {}) };
  }
  return { error: `returned ${value === undefined ? 'nothing' : JSON.stringify(value)}; expected true/false, a number 0..1 or { pass, score, reason }` };
}

export const evaluateCode: EvaluatorFn<CodeSpec> = async (spec, input) => {
  const fail = (details: string): EvaluatorResult => ({ name: spec.name, passed: false, score: 0, details, category: 'error' });
  // (an untrusted workspace never gets here: the registry refuses CODE_EVALUATOR_KINDS when workspaceTrusted is false)
  if (input.workspaceTrusted === false) return fail('not run: this workspace is not trusted');
  if (!spec.module) return fail(`module ${spec.file} was not loaded`);
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const context = { vars: input.vars, expected: input.expected, case: { vars: input.vars, expected: input.expected, context: input.context } };
  const outcome = await new Promise<{ ok: true; value: unknown } | { ok: false; error: string }>((resolve) => {
    let worker: Worker;
    try {
      const ts = spec.compiled !== undefined ? { compiled: spec.compiled, transpiler: transpilerModule() } : {};
      // execArgv []: the worker gets no loader flags of the host process (e.g. a TypeScript loader), only what this file sets up
      worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module: spec.module, ...ts, output: input.output, context: JSON.parse(JSON.stringify(context)) } });
    } catch (e) {
      resolve({ ok: false, error: (e as Error).message });
      return;
    }
    let done = false;
    const finish = (r: { ok: true; value: unknown } | { ok: false; error: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${timeoutMs} ms` }), timeoutMs);
    const onAbort = () => finish({ ok: false, error: 'cancelled' });
    input.signal.addEventListener('abort', onAbort);
    worker.once('message', (m: { ok: true; value: unknown } | { ok: false; error: string }) => finish(m));
    worker.once('error', (e) => finish({ ok: false, error: e.message }));
    worker.once('exit', (code) => finish({ ok: false, error: `the worker exited (code ${code}) without a result` }));
  });
  if (input.signal.aborted) throw input.signal.reason ?? new Error('cancelled');
  if (!outcome.ok) return fail(`${spec.file}: ${outcome.error}`);
  const v = codeVerdict(outcome.value, spec.threshold ?? 0.5);
  if ('error' in v) return fail(`${spec.file}: ${v.error}`);
  return { name: spec.name, ...v };
};
