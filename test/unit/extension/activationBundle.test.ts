// The activation bundle (dist/extension.js) stays small: what activation imports must not pull in zod, the
// openai client, yaml, nunjucks or the engine; those load with src/extension/heavy.ts on first use. The
// test bundles the entry points the way esbuild.mjs does and reads the metafile's inputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

async function inputsOf(entry: string, lazyIds: RegExp): Promise<{ inputs: string[]; bytes: number }> {
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
    external: ['vscode'],
    define: { __PL_TOKENIZER__: JSON.stringify('./tokenizer.js'), __PL_MCP__: JSON.stringify('./mcp.js') },
    plugins: [
      {
        name: 'lazy-boundary',
        setup(build) {
          build.onResolve({ filter: lazyIds }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  const out = Object.values(r.metafile.outputs)[0];
  return { inputs: Object.keys(out.inputs).map((f) => f.split(path.sep).join('/')), bytes: out.bytes };
}

const HEAVY = [/node_modules\/zod\//, /node_modules\/openai\//, /node_modules\/yaml\//, /node_modules\/nunjucks\//, /src\/core\/engine\.ts$/];

test('activation imports neither zod, openai, yaml, nunjucks nor the engine', async () => {
  const { inputs, bytes } = await inputsOf('src/extension/extension.ts', /^\.\/heavy$/);
  for (const heavy of HEAVY) {
    const found = inputs.filter((f) => heavy.test(f));
    assert.deepEqual(found.slice(0, 3), [], `${heavy} enters the activation bundle`);
  }
  assert.ok(bytes < 400_000, `activation bundle is ${bytes} bytes`);
});

test('the CLI entry (usage, --help) loads no engine, zod or openai', async () => {
  const { inputs } = await inputsOf('src/cli/main.ts', /^\.\/commands$/);
  for (const heavy of HEAVY) assert.deepEqual(inputs.filter((f) => heavy.test(f)).slice(0, 3), [], `${heavy} enters dist/cli.js`);
});

test('a plain eval does not parse Ajv, nunjucks, Mustache, csv-parse, chokidar or zod locales (lazy bundles, src/core/lazy)', async () => {
  const { inputs, bytes } = await inputsOf('src/cli/commands.ts', /^$/);
  const lazyOnly = [/node_modules\/ajv\//, /node_modules\/ajv-formats\//, /node_modules\/nunjucks\//, /node_modules\/mustache\//, /node_modules\/csv-parse\//, /node_modules\/chokidar\//, /node_modules\/zod\/v4\/locales\/(?!en\.js)/];
  for (const lib of lazyOnly) assert.deepEqual(inputs.filter((f) => lib.test(f)).slice(0, 3), [], `${lib} enters dist/cli-commands.js`);
  assert.ok(bytes < 1_700_000, `commands bundle is ${bytes} bytes`);
});

test('every lazy bundle ships in the VSIX (.vscodeignore allow-list) and has its entry module', () => {
  const bundles = JSON.parse(readFileSync('src/core/lazy/bundles.json', 'utf8')) as Record<string, string>;
  const ignore = readFileSync('.vscodeignore', 'utf8');
  assert.ok(Object.keys(bundles).length >= 3);
  for (const [name, file] of Object.entries(bundles)) {
    assert.match(ignore, new RegExp(`^!dist/${file.replace('.', '\\.')}$`, 'm'), `${file} is not in .vscodeignore`);
    assert.ok(existsSync(path.join('src', 'core', 'lazy', `${name}.ts`)), name);
  }
});
