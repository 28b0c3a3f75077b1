// `npm test`: build + type-check, lint (ESLint, formatting included), unit tests, then the integration suite
// inside real VS Code (code-server) and the Playwright end-to-end run. A failed step fails the run. Prints one closing line "total: N passed, N failed".
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const steps = [
  { name: 'build', cmd: ['npm', 'run', 'build'] },
  { name: 'lint', cmd: ['npm', 'run', 'lint'] },
  { name: 'unit', cmd: [process.execPath, 'scripts/unit-tests.mjs'] },
  { name: 'integration', cmd: [process.execPath, 'scripts/run-integration.mjs'], when: 'scripts/run-integration.mjs' },
  { name: 'e2e', cmd: [process.execPath, 'scripts/run-e2e.mjs'], when: 'scripts/run-e2e.mjs' },
];

/** Pulls pass/fail counts from node:test ("ℹ pass N") and mocha ("N passing") summaries. */
function counts(text) {
  let passed = 0;
  let failed = 0;
  for (const m of text.matchAll(/^\S*\s*ℹ pass (\d+)$/gm)) passed += Number(m[1]);
  for (const m of text.matchAll(/^\S*\s*ℹ fail (\d+)$/gm)) failed += Number(m[1]);
  for (const m of text.matchAll(/^\s*(\d+) passing/gm)) passed += Number(m[1]);
  for (const m of text.matchAll(/^\s*(\d+) failing/gm)) failed += Number(m[1]);
  return { passed, failed };
}

function run(cmd) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      text += d;
    });
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      text += d;
    });
    // eslint-disable-next-line no-control-regex -- strips the terminal's colour codes (ESC [ … m)
    child.on('close', (code) => resolve({ code: code ?? 1, text: text.replace(/\x1b\[[0-9;]*m/g, '') }));
  });
}

let passed = 0;
let failed = 0;
const failedSteps = [];
for (const step of steps) {
  if (step.when && !existsSync(step.when)) {
    console.log(`\n=== ${step.name}: skipped (${step.when} missing)`);
    continue;
  }
  console.log(`\n=== ${step.name}`);
  const started = Date.now();
  const r = await run(step.cmd);
  const c = counts(r.text);
  passed += c.passed;
  failed += c.failed;
  console.log(`=== ${step.name}: exit ${r.code}, ${c.passed} passed, ${c.failed} failed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.code !== 0) {
    failedSteps.push(step.name);
    if (step.name === 'build') break;
  }
}
if (failedSteps.length) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`\ntotal: ${passed} passed, ${failed} failed`);
process.exit(failedSteps.length ? 1 : 0);
