// Compatibility corpus: real public prompt files (gh-models' and Prompty's own examples and tests, Azure samples,
// promptflow, promptpex, …) listed in test/fixtures/wild/SOURCES.tsv with repository, path and commit, and the
// outcome that file's own tool gives: `loads` (with what must be read from it) or `refused` (with the located
// reason). The files are other projects' and are not copied into this repository; scripts/wild-corpus.mjs lays
// them out from clones, and PROMPT_LADDER_WILD_CORPUS (default ../shared/wild) names that folder.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { renderMessages } from '../../../src/core/render/messages';
import { SpecError } from '../../../src/core/errors';

interface Entry {
  repo: string;
  file: string;
  commit: string;
  expect: 'loads' | 'refused' | 'data';
  check: string;
}

const SOURCES = path.resolve(__dirname, '../../fixtures/wild/SOURCES.tsv');
const entries: Entry[] = readFileSync(SOURCES, 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => {
    const [repo, file, commit, expect, check = ''] = l.split('\t');
    return { repo, file, commit, expect: expect as Entry['expect'], check };
  });
const prompts = entries.filter((e) => e.expect !== 'data');
const corpus = path.resolve(process.env.PROMPT_LADDER_WILD_CORPUS ?? path.resolve(__dirname, '../../../../shared/wild'));

test('the corpus list records ≥60 prompt files of both formats from ≥10 repositories, each with a commit and an outcome', () => {
  assert.ok(prompts.length >= 60, `${prompts.length} prompt files`);
  assert.ok(new Set(prompts.map((e) => e.repo)).size >= 10);
  assert.ok(prompts.some((e) => e.file.endsWith('.prompty')));
  assert.ok(prompts.some((e) => /\.ya?ml$/.test(e.file)));
  for (const e of entries) {
    assert.match(e.commit, /^[0-9a-f]{40}$/, `${e.repo} ${e.file}`);
    assert.ok(['loads', 'refused', 'data'].includes(e.expect), `${e.repo} ${e.file}: ${e.expect}`);
    if (e.expect === 'refused') assert.match(e.check, /^line=\d+ \S/, `${e.file}: a refusal names its line and reason`);
  }
});

/** `cases=1 model=azure/gpt-4o msgs=2 evaluators=0` → what the loaded spec must say. */
function parseCheck(check: string): Record<string, string> {
  return Object.fromEntries(check.split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

test('every corpus file gets the outcome its own tool gives (loads and reads the same, or refused at a located line)', { skip: !existsSync(corpus) && `corpus folder ${corpus} not present (see scripts/wild-corpus.mjs)` }, async () => {
  const tally = { loaded: 0, correctlyRefused: 0, wronglyRefused: 0, misread: 0, wronglyLoaded: 0 };
  const failures: string[] = [];
  for (const e of prompts) {
    const abs = path.join(corpus, e.repo, e.file);
    const where = `${e.repo}/${e.file}`;
    let spec;
    try {
      // named explicitly (as on the command line), with no environment: `${env:…}` without a default must refuse
      spec = await loadPromptFile(abs, { anyName: true, env: {} });
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      const [, line, reason] = /^line=(\d+) (.*)$/.exec(e.check) ?? [];
      if (e.expect === 'refused' && err.problems.some((p) => p.line === Number(line) && p.message.includes(reason))) tally.correctlyRefused++;
      else {
        tally.wronglyRefused++;
        failures.push(`${where}: refused: ${err.problems.map((p) => `${p.line}: ${p.message}`).join('; ')}`);
      }
      continue;
    }
    if (e.expect === 'refused') {
      tally.wronglyLoaded++;
      failures.push(`${where}: loaded, but its tool refuses it (${e.check})`);
      continue;
    }
    const want = parseCheck(e.check);
    const got: Record<string, string> = {
      cases: String(spec.cases.length),
      model: spec.model ?? '',
      msgs: String(spec.messages.length),
      ...(spec.format === 'prompt.yml' ? { evaluators: String(spec.evaluators.length) } : {}),
    };
    const diffs = Object.keys(want).filter((k) => (want[k] ?? '') !== (got[k] ?? ''));
    // the first case renders to a chat with no template syntax left (nunjucks for .prompty, gh's rule otherwise)
    let renderProblem = '';
    if (spec.cases[0]) {
      try {
        const chat = renderMessages(spec, spec.variants[0], spec.cases[0], []);
        if (chat.length === 0) renderProblem = 'renders no message';
        else if (spec.format === 'prompty' && chat.some((m) => /\{%|\{\{/.test(m.content))) renderProblem = 'template syntax left after rendering';
      } catch (err) {
        renderProblem = `render failed: ${(err as Error).message}`;
      }
    }
    if (diffs.length || renderProblem) {
      tally.misread++;
      failures.push(`${where}: ${diffs.map((k) => `${k} ${got[k]} (expected ${want[k]})`).join(', ')} ${renderProblem}`.trim());
    } else tally.loaded++;
  }
  console.log(`wild corpus: ${prompts.length} files — loaded ${tally.loaded}, correctly refused ${tally.correctlyRefused}, wrongly refused ${tally.wronglyRefused}, misread ${tally.misread}, wrongly loaded ${tally.wronglyLoaded}`);
  assert.deepEqual(failures, []);
});

test('a `${env:NAME}` model deployment resolves from the environment the caller passes', { skip: !existsSync(corpus) && 'corpus folder not present' }, async () => {
  const e = prompts.find((p) => p.check.includes('MOCK_AZURE_DEVELOPMENT'));
  assert.ok(e);
  const spec = await loadPromptFile(path.join(corpus, e.repo, e.file), { env: { MOCK_AZURE_DEVELOPMENT: 'gpt-35-turbo' } });
  assert.equal(spec.model, 'azure/gpt-35-turbo');
});
