// Modules loaded on first use rather than at activation (see heavy.ts): the engine pulls in the openai client,
// zod and yaml, which would cost tens of milliseconds to load and parse at startup.

import type { modules as Heavy } from './heavy';

let heavy: typeof Heavy | undefined;
let loadedAt: number | undefined;
let loadMs: number | undefined;
/** Set while code that must stay cheap runs (see withoutHeavy): records that it asked for the heavy module. */
let guard: { touched: boolean } | undefined;

function modules(): typeof Heavy {
  if (guard) guard.touched = true;
  if (!heavy) {
    const started = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the heavy modules load on first use, not at activation
    heavy = (require('./heavy') as { modules: typeof Heavy }).modules;
    loadedAt = performance.now();
    loadMs = loadedAt - started;
  }
  return heavy;
}

/** When the heavy module was loaded (performance.now() time) and how long that took; undefined until then. */
export function heavyLoad(): { at: number; ms: number } | undefined {
  return loadedAt === undefined ? undefined : { at: loadedAt, ms: loadMs ?? 0 };
}

/** Runs `fn` and tells whether it asked for the heavy module (it still gets it: a tripwire, not a ban). */
export function withoutHeavy<T>(fn: () => T): { value: T; touchedHeavy: boolean } {
  const outer = guard;
  const mine = { touched: false };
  guard = mine;
  try {
    return { value: fn(), touchedHeavy: mine.touched };
  } finally {
    guard = outer;
    if (outer && mine.touched) outer.touched = true;
  }
}

export const engineModule = () => modules().engine;
export const loadModule = () => modules().load;
export const storeModule = () => modules().store;
export const cacheModule = () => modules().cache;
export const finetuneModule = () => modules().finetune;
export const resolverModule = () => modules().resolver;
export const editsModule = () => modules().edits;
export const templatesModule = () => modules().templates;
export const panelModule = () => modules().panel;
export const fineTuneModule = () => modules().fineTune;
export const agentModule = () => modules().agent;
export const generateModule = () => modules().generate;
export const batchModule = () => modules().batch;
export const batchStateModule = () => modules().batchState;
export const advisorArgsModule = () => modules().advisorArgs;
export const climbModule = () => modules().climb;
