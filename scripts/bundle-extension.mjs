// The packaged build of the extension host in two files, so activation stays cheap:
//   dist/extension.js        activation and everything that runs at startup (small),
//   dist/extension-heavy.js  src/extension/heavy.ts and all it needs (engine, openai, zod, yaml, the panel),
//                            required on first use by src/extension/lazy.ts.
// `npm run package` and `npm start` run it after esbuild.mjs; the development bundle from esbuild.mjs keeps
// everything in dist/extension.js (same behaviour, one file).
//
//   node scripts/bundle-extension.mjs [--production]
import * as esbuild from 'esbuild';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');

/** `require('./heavy')` in lazy.ts becomes a require of the sibling file at run time. */
const heavyExternal = {
  name: 'heavy-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/heavy$/ }, (args) =>
      args.importer.endsWith(join('src', 'extension', 'lazy.ts')) ? { path: './extension-heavy.js', external: true } : undefined,
    );
  },
};

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], minify: production, sourcemap: !production, logLevel: 'warning', absWorkingDir: root };
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', plugins: [heavyExternal] }),
  esbuild.build({ ...common, entryPoints: ['src/extension/heavy.ts'], outfile: 'dist/extension-heavy.js' }),
]);
const kb = (f) => `${Math.round(statSync(join(root, 'dist', f)).size / 1024)} KB`;
console.log(`[bundle-extension] dist/extension.js ${kb('extension.js')}, dist/extension-heavy.js ${kb('extension-heavy.js')}`);
