// How far V8 lets the CLI's heap grow past its live data. With the default heuristics, a process that
// allocates fast (a run of many thousand calls: request objects, replies, promises) lets its old generation
// grow to three or four times what is still live before a full collection. The CLI is a batch tool often run
// in memory-capped CI containers: for a large run (more cases than the engine keeps whole, STREAMED_CASES) it
// asks V8 to grow the heap to at most twice the live data (--heap-growing-percent=100), trading a few more
// full collections for a lower peak. Small runs keep V8's defaults: during start-up the bound would only add
// full collections.
// The extension host is VS Code's process and is not touched. A heap-growing flag the user passes to node
// (on the command line or in NODE_OPTIONS) is left alone, and PROMPT_LADDER_HEAP_GROWTH=default turns this off.

export const HEAP_GROWING_PERCENT = 100;

/** The V8 flag the CLI sets, or undefined when the user chose their own (or turned it off). */
export function heapGrowthFlag(execArgv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const own = (s: string | undefined) => s !== undefined && /--heap[-_]growing[-_]percent\b/.test(s);
  if (execArgv.some((a) => own(a)) || own(env.NODE_OPTIONS)) return undefined;
  const setting = env.PROMPT_LADDER_HEAP_GROWTH?.trim().toLowerCase();
  if (setting === 'default' || setting === 'off') return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

let applied = false;

/** Applies the CLI's heap growth policy to this process, once (V8 reads the flag at each collection). */
export function applyHeapPolicy(): void {
  if (applied) return;
  applied = true;
  const flag = heapGrowthFlag(process.execArgv, process.env);
  // node:v8 is loaded only here: every other run would pay for it at start-up
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  if (flag) (require('node:v8') as typeof import('node:v8')).setFlagsFromString(flag);
}
