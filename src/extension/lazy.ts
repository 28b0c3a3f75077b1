// Modules loaded on first use rather than at activation (see heavy.ts): the engine pulls in the openai client,
// zod and yaml, which would cost tens of milliseconds to load and parse at startup.

import type { modules as Heavy } from './heavy';

let heavy: typeof Heavy | undefined;

function modules(): typeof Heavy {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  heavy ??= (require('./heavy') as { modules: typeof Heavy }).modules;
  return heavy;
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
