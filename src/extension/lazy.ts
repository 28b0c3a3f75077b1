// Modules loaded on first use rather than at activation (the engine pulls in the openai client, zod, yaml…).
// `require` keeps them in the one bundle, evaluated only when first called.

/* eslint-disable @typescript-eslint/no-require-imports */
export const engineModule = () => require('../core/engine') as typeof import('../core/engine');
export const loadModule = () => require('../core/prompt/load') as typeof import('../core/prompt/load');
export const storeModule = () => require('../core/runs/store') as typeof import('../core/runs/store');
export const cacheModule = () => require('../core/providers/cache') as typeof import('../core/providers/cache');
export const resolverModule = () => require('./providers/settingsResolver') as typeof import('./providers/settingsResolver');
export const editsModule = () => require('./editing/promptEdits') as typeof import('./editing/promptEdits');
export const templatesModule = () => require('./editing/templates') as typeof import('./editing/templates');
