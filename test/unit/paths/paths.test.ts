import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { SpecError } from '../../../src/core/errors';
import { loadDocuments } from '../../../src/core/retrieval/documents';
import { isInsideProject, projectRoot, readProjectFile } from '../../../src/core/paths';

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

test('the gate says why a named file cannot be read: not found, a folder, outside, unreadable', async () => {
  const l = layout();
  try {
    const base = path.join(l.project, 'prompts');
    mkdirSync(path.join(base, 'sub'));
    writeFileSync(path.join(base, 'ok.txt'), 'fine');
    const ok = await readProjectFile(base, 'ok.txt');
    assert.ok(ok.ok && ok.content === 'fine');
    const bin = await readProjectFile(base, 'ok.txt', { encoding: 'binary' });
    assert.ok(bin.ok && bin.content instanceof Uint8Array && bin.content.length === 4);
    const cases: [string, string, RegExp][] = [
      ['nope.txt', 'not-found', /^file not found: nope\.txt$/],
      ['sub', 'folder', /^sub is a folder, not a file$/],
      ['../../secret.txt', 'outside', /^\.\.\/\.\.\/secret\.txt is outside this project/],
      [path.join(l.top, 'secret.txt'), 'outside', /is outside this project/],
    ];
    for (const [ref, kind, message] of cases) {
      const r = await readProjectFile(base, ref);
      assert.ok(!r.ok, ref);
      assert.equal(r.problem.kind, kind, ref);
      assert.match(r.problem.message, message);
    }
    symlinkSync(path.join(base, 'loop-a'), path.join(base, 'loop-b'));
    symlinkSync(path.join(base, 'loop-b'), path.join(base, 'loop-a'));
    const loop = await readProjectFile(base, 'loop-a');
    assert.ok(!loop.ok && loop.problem.kind === 'unreadable' && /symbolic links/.test(loop.problem.message), JSON.stringify(loop));
  } finally {
    l.dispose();
  }
});

test('the gate reports a file it may not read as a permission problem', { skip: process.getuid?.() === 0 ? 'root reads every file' : false }, async () => {
  const l = layout();
  try {
    const base = path.join(l.project, 'prompts');
    writeFileSync(path.join(base, 'locked.txt'), 'x');
    chmodSync(path.join(base, 'locked.txt'), 0o000);
    const r = await readProjectFile(base, 'locked.txt');
    assert.ok(!r.ok && r.problem.kind === 'permission' && r.problem.message === 'cannot read locked.txt: permission denied');
  } finally {
    l.dispose();
  }
});
