// Libraries only some runs need, loaded on first use. A plain .prompt.yml run over a JSONL eval set loads none:
//   jsonSchema(): Ajv and its formats, for `json` evaluators with a schema   (bundled: dist/json-schema.js)
//   templates():  nunjucks and Mustache, for .prompty files                   (bundled: dist/templates.js)
//   csv():        csv-parse, for CSV eval sets                                (bundled: dist/csv.js)
// Bundled builds ship each as a sibling file of the bundle that needs it (esbuild.mjs defines __PL_LAZY__ and
// builds them from the modules beside this one); unbundled (tests under tsx) they are those modules. The CLI
// loads them through V8's code cache when it has installed its loader (src/cli/codeCache.ts).

import type * as JsonSchema from './jsonSchema';
import type * as Templates from './templates';
import type * as Csv from './csv';

type Name = 'jsonSchema' | 'templates' | 'csv';
declare const __PL_LAZY__: Record<Name, string> | undefined;

const BUNDLE_LOADER = Symbol.for('prompt-ladder.requireBundle');

function lazy<T>(name: Name): () => T {
  let mod: T | undefined;
  return () => {
    if (mod === undefined) {
      // Computed ids keep the bundler from inlining the modules.
      if (typeof __PL_LAZY__ === 'object') {
        const file = require.resolve(__PL_LAZY__[name]);
        const loader = (globalThis as Record<symbol, ((file: string) => unknown) | undefined>)[BUNDLE_LOADER];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module loads on first use
        mod = (loader ? loader(file) : require(file)) as T;
      } else {
        const source = './' + name;
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module loads on first use
        mod = require(source) as T;
      }
    }
    return mod;
  };
}

export const jsonSchema = lazy<typeof JsonSchema>('jsonSchema');
export const templates = lazy<typeof Templates>('templates');
export const csv = lazy<typeof Csv>('csv');
