// The extension's log edge: every line written to the Prompt Ladder output channels passes the one
// redaction function, so a configured key never shows in a log (e.g. inside a server's error message).

import type * as vscode from 'vscode';
import { redact } from '../core/redact';

const WRITERS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

function clean(arg: unknown): unknown {
  if (typeof arg === 'string') return redact(arg);
  if (arg instanceof Error) {
    const e = new Error(redact(arg.message));
    e.name = arg.name;
    if (arg.stack) e.stack = redact(arg.stack);
    return e;
  }
  return arg;
}

/** `log` with every written message and argument redacted. */
export function redactingLog(log: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(log, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop === 'string' && WRITERS.has(prop) && typeof value === 'function') {
        return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map(clean));
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
