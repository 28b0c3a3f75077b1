// TypeScript `code` evaluators (.ts, .mts, .cts): type annotations are stripped and ES module syntax becomes
// CommonJS with sucrase (pure JavaScript, no type checking), loaded only when a TypeScript evaluator is used.
// Bundled builds ship sucrase as dist/ts-transpile.js (see esbuild.mjs, which defines __PL_SUCRASE__);
// unbundled (tests) it comes from node_modules. Line numbers are kept, so a stack trace points at the source line.

import type * as Sucrase from 'sucrase';

declare const __PL_SUCRASE__: string | undefined;

let sucrase: typeof Sucrase | undefined;

/** The module id the transpiler loads from (also handed to the evaluator's worker for nested .ts imports). */
export function transpilerModule(): string {
  const id = typeof __PL_SUCRASE__ === 'string' ? __PL_SUCRASE__ : 'sucrase';
  return require.resolve(id);
}

function load(): typeof Sucrase {
  // A computed id keeps bundlers from inlining the module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, by a computed id
  if (!sucrase) sucrase = require(transpilerModule()) as typeof Sucrase;
  return sucrase;
}

/** Whether a code evaluator's file is TypeScript. */
export function isTypeScriptFile(file: string): boolean {
  return /\.(c|m)?ts$/i.test(file) && !/\.d\.(c|m)?ts$/i.test(file);
}

export type Transpiled = { ok: true; code: string } | { ok: false; message: string; line: number; col: number };

/** TypeScript source → CommonJS JavaScript; a syntax error comes back with its 1-based line and column. */
export function transpileTypeScript(source: string, file: string): Transpiled {
  try {
    const { code } = load().transform(source, { transforms: ['typescript', 'imports'], filePath: file, production: true });
    return { ok: true, code };
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    let message = String(err.message ?? e);
    const prefix = `Error transforming ${file}: `;
    if (message.startsWith(prefix)) message = message.slice(prefix.length);
    message = message.replace(/\s*\(\d+:\d+\)$/, '');
    return { ok: false, message, line: err.loc?.line ?? 1, col: Math.max(1, err.loc?.column ?? 1) };
  }
}
