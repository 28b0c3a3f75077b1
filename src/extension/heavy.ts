// The lazy-load boundary of the extension: everything needed only after activation (the engine with the openai
// client, the loaders with yaml/ajv, zod schemas, the results panel). `lazy.ts` requires this module on first
// use. The packaged build (scripts/bundle-extension.mjs) puts it in its own file, dist/extension-heavy.js, so
// activation neither loads nor even parses it; the development bundle keeps it inside dist/extension.js.

import * as engine from '../core/engine';
import * as load from './promptLoad';
import * as store from '../core/runs/store';
import * as cache from '../core/providers/cache';
import * as finetune from '../core/finetune/dataset';
import * as resolver from './providers/settingsResolver';
import * as edits from './editing/promptEdits';
import * as templates from './editing/templates';
import * as panel from './panel/panelManager';
import * as fineTune from './fineTune/service';
import * as agent from '../core/agent/tools';
import * as generate from '../core/generate/generate';
import * as batch from '../core/batch/runBatch';
import * as batchState from '../core/batch/state';
import * as advisorArgs from '../core/analysis/advisor/commandArgs';
import * as climb from './climb/climbHeavy';

export const modules = { engine, load, store, cache, finetune, resolver, edits, templates, panel, fineTune, agent, generate, batch, batchState, advisorArgs, climb };
