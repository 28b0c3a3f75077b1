// Bundles the extension host (cjs, `vscode` external), the CLI (node) and the webview (browser).
// `node esbuild.mjs --watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Prints errors as file:line:col so editors' problem matchers pick them up. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        if (location) console.error(`${location.file}:${location.line}:${location.column}: error: ${text}`);
        else console.error(`error: ${text}`);
      }
    });
  },
};

/** `require('./heavy')` in src/extension/lazy.ts stays a run-time require of the sibling bundle. */
const heavyExternal = {
  name: 'heavy-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/heavy$/ }, (args) =>
      args.importer.endsWith(join('src', 'extension', 'lazy.ts')) ? { path: './extension-heavy.js', external: true } : undefined,
    );
  },
};

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [problemMatcher],
};

// Heavy, rarely needed modules are separate bundles loaded on first use (see src/core/providers/tokenizer.ts).
// The TypeScript transpiler (sucrase) for `code` evaluators written in TypeScript: dist/ts-transpile.js.
// Libraries only some runs need (src/core/lazy/load.ts): Ajv for JSON Schemas, nunjucks and Mustache for .prompty,
// csv-parse for CSV eval sets, so a plain .prompt.yml run over JSONL neither parses nor compiles them.
// Each is dist/<file> built from src/core/lazy/<name>.ts, as listed in src/core/lazy/bundles.json.
const lazyLibs = JSON.parse(readFileSync('src/core/lazy/bundles.json', 'utf8'));
const lazy = {
  define: {
    __PL_TOKENIZER__: JSON.stringify('./tokenizer.js'),
    __PL_SUCRASE__: JSON.stringify('./ts-transpile.js'),
    __PL_LAZY__: JSON.stringify(Object.fromEntries(Object.entries(lazyLibs).map(([k, v]) => [k, `./${v}`]))),
  },
};

const targets = [
  // The CLI in two files so `--help` stays fast: dist/cli.js (arguments, usage) and dist/cli-commands.js (the commands).
  { ...common, ...lazy, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    define: { ...lazy.define, __PL_MCP__: JSON.stringify('mcp.js'), __PL_COMMANDS__: JSON.stringify('cli-commands.js') } },
  { ...common, ...lazy, entryPoints: ['src/cli/commands.ts'], outfile: 'dist/cli-commands.js', platform: 'node', format: 'cjs',
    target: 'node20' },
  // `prompt-ladder mcp` (the MCP SDK with the agent tools), loaded by dist/cli.js only for that command.
  { ...common, ...lazy, entryPoints: ['src/cli/mcpCommand.ts'], outfile: 'dist/mcp.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The extension host in two files so activation stays cheap: dist/extension.js (activation, small) and
  // dist/extension-heavy.js (src/extension/heavy.ts: engine, openai, zod, yaml, the panel), which
  // src/extension/lazy.ts requires on first use.
  { ...common, ...lazy, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['vscode'], plugins: [...common.plugins, heavyExternal] },
  { ...common, ...lazy, entryPoints: ['src/extension/heavy.ts'], outfile: 'dist/extension-heavy.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['node_modules/gpt-tokenizer/esm/main.js'], outfile: 'dist/tokenizer.js', platform: 'node', format: 'cjs',
    target: 'node20', sourcemap: false },
  { ...common, entryPoints: ['node_modules/sucrase/dist/index.js'], outfile: 'dist/ts-transpile.js', platform: 'node', format: 'cjs',
    target: 'node20', sourcemap: false },
  ...Object.entries(lazyLibs).map(([name, out]) => ({
    ...common, entryPoints: [`src/core/lazy/${name}.ts`], outfile: `dist/${out}`, platform: 'node', format: 'cjs', target: 'node20',
    sourcemap: false,
    // nunjucks requires chokidar only for `watch: true`, which Prompt Ladder never sets
    ...(name === 'templates' ? { external: ['chokidar'] } : {}),
  })),
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife',
    target: 'es2022' },
  // the Climb view, its own webview panel (src/extension/climb/climbPanel.ts)
  { ...common, entryPoints: ['src/webview/climb/main.ts'], outfile: 'dist/climb.js', platform: 'browser', format: 'iife',
    target: 'es2022' },
  // The integration suite's webview probe (test/integration/webviewProbe.ts loads it; not in the package).
  { ...common, entryPoints: ['test/integration/webview/probe.ts'], outfile: 'dist/test-probe.js', platform: 'browser', format: 'iife',
    target: 'es2022' },
  { ...common, entryPoints: ['test/integration/index.ts'], outfile: 'out/integration/index.js', platform: 'node',
    format: 'cjs', target: 'node20', external: ['vscode', 'mocha'], sourcemap: 'inline' },
].filter((t) => t.entryPoints.every((e) => existsSync(e)));

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  const results = await Promise.allSettled(targets.map((t) => esbuild.build(t)));
  if (results.some((r) => r.status === 'rejected')) process.exit(1);
}
