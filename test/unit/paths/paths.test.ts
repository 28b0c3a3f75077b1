import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { SpecError } from '../../../src/core/errors';
import { loadDocuments } from '../../../src/core/retrieval/documents';
import { isInsideProject, projectRoot } from '../../../src/core/paths';

function layout() {
  const top = mkdtempSync(path.join(tmpdir(), 'pl-paths-'));
  const project = path.join(top, 'repo');
  mkdirSync(path.join(project, '.git'), { recursive: true });
  mkdirSync(path.join(project, 'prompts'), { recursive: true });
  mkdirSync(path.join(project, 'data'), { recursive: true });
  writeFileSync(path.join(top, 'secret.txt'), 'TOPSECRET\n');
  writeFileSync(path.join(top, 'secret.jsonl'), '{"q":"TOPSECRET"}\n');
  writeFileSync(path.join(project, 'data', 'cases.jsonl'), '{"q":"hello"}\n');
  return { top, project, dispose: () => rmSync(top, { recursive: true, force: true }) };
}

const prompt = (testFile: string) => `name: p\nmodel: openai/x\nmessages:\n  - role: user\n    content: "{{q}}"\ntestFile: ${testFile}\n`;

test('the project of a prompt file is the nearest folder with .git, package.json or .promptladder', () => {
  const l = layout();
  try {
    assert.equal(projectRoot(path.join(l.project, 'prompts')), l.project);
    assert.ok(isInsideProject(path.join(l.project, 'prompts'), path.join(l.project, 'data', 'cases.jsonl')));
    assert.ok(!isInsideProject(path.join(l.project, 'prompts'), path.join(l.top, 'secret.txt')));
  } finally {
    l.dispose();
  }
});

test('an eval set inside the project loads, also from a sibling folder', async () => {
  const l = layout();
  try {
    const file = path.join(l.project, 'prompts', 'a.prompt.yml');
    writeFileSync(file, prompt('../data/cases.jsonl'));
    const spec = await loadPromptFile(file);
    assert.equal(spec.cases.length, 1);
  } finally {
    l.dispose();
  }
});

test('a testFile outside the project (relative, absolute or through a symlink) is refused at its line, never read', async () => {
  const l = layout();
  try {
    symlinkSync(path.join(l.top, 'secret.jsonl'), path.join(l.project, 'data', 'link.jsonl'));
    for (const ref of ['../../secret.jsonl', path.join(l.top, 'secret.jsonl'), '../data/link.jsonl']) {
      const file = path.join(l.project, 'prompts', 'b.prompt.yml');
      writeFileSync(file, prompt(ref));
      await assert.rejects(loadPromptFile(file), (err: unknown) => {
        assert.ok(err instanceof SpecError);
        const p = err.problems.find((x) => /outside this project/.test(x.message));
        assert.ok(p, err.message);
        assert.equal(p.line, 6);
        assert.ok(!err.message.includes('TOPSECRET'));
        return true;
      });
    }
  } finally {
    l.dispose();
  }
});

test('retrieval skips documents outside the project, naming why', async () => {
  const l = layout();
  try {
    writeFileSync(path.join(l.project, 'data', 'doc.md'), '# Refunds\nWithin 30 days.\n');
    const { documents, skipped } = await loadDocuments([path.join(l.top, '*.txt'), '../data/*.md'], path.join(l.project, 'prompts'));
    assert.deepEqual(documents.map((d) => d.source), ['../data/doc.md']);
    assert.ok(skipped.some((s) => /outside this project/.test(s.reason)));
    assert.ok(!documents.some((d) => d.text.includes('TOPSECRET')));
  } finally {
    l.dispose();
  }
});
