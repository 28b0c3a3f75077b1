// Crafted repositories: every kind of path a prompt file makes us read, under every way out of the project
// (`..`, an absolute path, a symlinked file, a symlinked folder, a dangling symlink). Each must be refused
// with a message naming the reference, and the secret outside must never reach the spec.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { SpecError } from '../../../src/core/errors';
import type { SourceProblem } from '../../../src/core/errors';
import { loadDocuments } from '../../../src/core/retrieval/documents';

const SECRET = 'TOPSECRET';

function repo() {
  const top = mkdtempSync(path.join(tmpdir(), 'pl-contain-'));
  const project = path.join(top, 'repo');
  const outside = path.join(top, 'elsewhere');
  mkdirSync(path.join(project, '.git'), { recursive: true });
  mkdirSync(path.join(project, 'prompts'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.jsonl'), `{"q":"${SECRET}","input":"${SECRET}","output":"x"}\n`);
  writeFileSync(path.join(outside, 'secret.json'), `{"q":"${SECRET}","type":"object","title":"${SECRET}"}\n`);
  writeFileSync(path.join(outside, 'secret.md'), `# ${SECRET}\n`);
  symlinkSync(outside, path.join(project, 'linked'), 'dir');
  return { top, project, outside, prompts: path.join(project, 'prompts'), dispose: () => rmSync(top, { recursive: true, force: true }) };
}
type Repo = ReturnType<typeof repo>;

/** The reference an attack writes into the prompt file, for a secret file named `name` outside the project. */
const ATTACKS: Record<string, (r: Repo, name: string) => string> = {
  '..': (_r, name) => `../../elsewhere/${name}`,
  'absolute path': (r, name) => path.join(r.outside, name),
  'symlinked file': (r, name) => {
    const link = path.join(r.prompts, `link-${name}`);
    symlinkSync(path.join(r.outside, name), link);
    return `./link-${name}`;
  },
  'symlinked folder': (_r, name) => `../linked/${name}`,
  'dangling symlink': (r, name) => {
    const link = path.join(r.prompts, `gone-${name}`);
    symlinkSync(path.join(r.outside, `missing-${name}`), link);
    return `./gone-${name}`;
  },
};

/** Each kind of path: the prompt file to write for a reference, and the secret file it names. */
const KINDS: { kind: string; secret: string; file: string; text: (ref: string) => string }[] = [
  {
    kind: 'testFile',
    secret: 'secret.jsonl',
    file: 'a.prompt.yml',
    text: (ref) => `name: p\nmodel: openai/x\nmessages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: inline\ntestFile: ${JSON.stringify(ref)}\n`,
  },
  {
    kind: 'examples file',
    secret: 'secret.jsonl',
    file: 'a.prompt.yml',
    text: (ref) => `name: p\nmodel: openai/x\nmessages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: inline\nexamples: ${JSON.stringify(ref)}\n`,
  },
  {
    kind: 'json schema file',
    secret: 'secret.json',
    file: 'a.prompt.yml',
    text: (ref) =>
      `name: p\nmodel: openai/x\nmessages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: inline\nevaluators:\n  - name: shape\n    json: { schema: ${JSON.stringify(ref)} }\n`,
  },
  {
    kind: '${file:} sample',
    secret: 'secret.json',
    file: 'a.prompty',
    text: (ref) => `---\nname: p\nmodel: openai/x\nsample: \${file:${ref}}\n---\nuser:\n{{q}}\n`,
  },
  {
    kind: '${file:} input default',
    secret: 'secret.json',
    file: 'a.prompty',
    text: (ref) => `---\nname: p\nmodel: openai/x\ninputs:\n  q:\n    type: string\n    default: \${file:${ref}}\n---\nuser:\n{{q}}\n`,
  },
  {
    kind: '${file:} model options',
    secret: 'secret.json',
    file: 'a.prompty',
    text: (ref) => `---\nname: p\nmodel:\n  id: x\n  options: \${file:${ref}}\ninputs:\n  q: hello\n---\nuser:\n{{q}}\n`,
  },
];

function problemsOf(e: unknown): SourceProblem[] {
  if (e instanceof SpecError) return e.problems;
  throw e;
}

async function load(file: string): Promise<{ problems: SourceProblem[]; dump: string }> {
  try {
    const spec = await loadPromptFile(file);
    return { problems: spec.problems, dump: JSON.stringify(spec) };
  } catch (e) {
    return { problems: problemsOf(e), dump: (e as Error).message };
  }
}

for (const k of KINDS) {
  for (const [attack, make] of Object.entries(ATTACKS)) {
    test(`containment: ${k.kind} × ${attack} → refused at its line, secret not read`, async () => {
      const r = repo();
      try {
        const ref = make(r, k.secret);
        const file = path.join(r.prompts, k.file);
        writeFileSync(file, k.text(ref));
        const { problems, dump } = await load(file);
        const p = problems.find((x) => /outside this project/.test(x.message));
        assert.ok(p, `no containment problem among: ${problems.map((x) => x.message).join(' / ')}`);
        assert.ok(p.message.includes(ref), `the message names the reference: ${p.message}`);
        assert.equal(p.file, file);
        assert.ok(p.line > 1, 'located at the line that names the file');
        assert.ok(!dump.includes(SECRET), 'the secret outside reached the spec');
      } finally {
        r.dispose();
      }
    });
  }
}

test('containment: a .prompty sibling NAME.cases.jsonl symlinked out of the project is refused, not run', async () => {
  for (const attack of ['symlinked file', 'dangling symlink'] as const) {
    const r = repo();
    try {
      const file = path.join(r.prompts, 'qa.prompty');
      writeFileSync(file, '---\nname: qa\nmodel: openai/x\n---\nuser:\n{{q}}\n');
      symlinkSync(path.join(r.outside, attack === 'dangling symlink' ? 'missing.jsonl' : 'secret.jsonl'), path.join(r.prompts, 'qa.cases.jsonl'));
      const { problems, dump } = await load(file);
      const p = problems.find((x) => /qa\.cases\.jsonl is a symlink to a place outside this project/.test(x.message));
      assert.ok(p, `${attack}: ${problems.map((x) => x.message).join(' / ')}`);
      assert.equal(p.severity, 'error');
      assert.ok(!dump.includes(SECRET));
    } finally {
      r.dispose();
    }
  }
});

test('containment: a sibling eval set symlinked to another file inside the project still loads', async () => {
  const r = repo();
  try {
    mkdirSync(path.join(r.project, 'data'));
    writeFileSync(path.join(r.project, 'data', 'shared.jsonl'), '{"q":"hello"}\n{"q":"again"}\n');
    const file = path.join(r.prompts, 'qa.prompty');
    writeFileSync(file, '---\nname: qa\nmodel: openai/x\n---\nuser:\n{{q}}\n');
    symlinkSync(path.join(r.project, 'data', 'shared.jsonl'), path.join(r.prompts, 'qa.cases.jsonl'));
    const spec = await loadPromptFile(file);
    assert.deepEqual(
      spec.cases.map((c) => c.vars.q),
      ['hello', 'again'],
    );
  } finally {
    r.dispose();
  }
});

test('containment: a prompt file that is itself a symlink out of the project is refused', async () => {
  const r = repo();
  try {
    writeFileSync(path.join(r.outside, 'real.prompt.yml'), `name: ${SECRET}\nmessages:\n  - role: user\n    content: hi\n`);
    const file = path.join(r.prompts, 'x.prompt.yml');
    symlinkSync(path.join(r.outside, 'real.prompt.yml'), file);
    await assert.rejects(loadPromptFile(file), (e: unknown) => {
      assert.ok(e instanceof SpecError);
      assert.match(e.problems[0].message, /x\.prompt\.yml is a symlink to a place outside this project/);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
  } finally {
    r.dispose();
  }
});

const DOC_ATTACKS: Record<string, (r: Repo) => { globs: string[]; named: string }> = {
  '..': () => ({ globs: ['../../elsewhere/*.md'], named: '../../elsewhere' }),
  'absolute path': (r) => ({ globs: [path.join(r.outside, '*.md')], named: 'elsewhere' }),
  'absolute file': (r) => ({ globs: [path.join(r.outside, 'secret.md')], named: 'secret.md' }),
  'symlinked file': (r) => {
    mkdirSync(path.join(r.prompts, 'docs'));
    symlinkSync(path.join(r.outside, 'secret.md'), path.join(r.prompts, 'docs', 'secret.md'));
    return { globs: ['docs/**/*.md'], named: 'docs/secret.md' };
  },
  'symlinked folder': (r) => {
    mkdirSync(path.join(r.prompts, 'docs'));
    symlinkSync(r.outside, path.join(r.prompts, 'docs', 'more'), 'dir');
    return { globs: ['docs/**/*.md'], named: 'docs/more' };
  },
  'symlinked docs root': (r) => {
    symlinkSync(r.outside, path.join(r.prompts, 'docs'), 'dir');
    return { globs: ['docs/**/*.md'], named: 'docs' };
  },
  'dangling symlink': (r) => {
    mkdirSync(path.join(r.prompts, 'docs'));
    symlinkSync(path.join(r.outside, 'gone.md'), path.join(r.prompts, 'docs', 'gone.md'));
    return { globs: ['docs/*.md'], named: 'docs/gone.md' };
  },
};

for (const [attack, make] of Object.entries(DOC_ATTACKS)) {
  test(`containment: retrieval documents × ${attack} → skipped with a warning naming it, secret not read`, async () => {
    const r = repo();
    try {
      writeFileSync(path.join(r.prompts, 'inside.md'), '# Refunds\nWithin 30 days.\n');
      const { globs, named } = make(r);
      const { documents, skipped } = await loadDocuments([...globs, 'inside.md'], r.prompts);
      assert.deepEqual(
        documents.map((d) => d.source),
        ['inside.md'],
      );
      const s = skipped.find((x) => /outside this project/.test(x.reason));
      assert.ok(s, `skipped: ${JSON.stringify(skipped)}`);
      assert.ok(s.reason.includes(named) || s.source.includes(named), `names ${named}: ${JSON.stringify(s)}`);
      assert.ok(!JSON.stringify(documents).includes(SECRET));
    } finally {
      r.dispose();
    }
  });
}

test('containment: symlinked documents and folders inside the project are followed (once, even in a loop)', async () => {
  const r = repo();
  try {
    mkdirSync(path.join(r.project, 'kb', 'deep'), { recursive: true });
    writeFileSync(path.join(r.project, 'kb', 'deep', 'a.md'), '# A\nalpha\n');
    mkdirSync(path.join(r.prompts, 'docs'));
    writeFileSync(path.join(r.prompts, 'docs', 'b.md'), '# B\nbeta\n');
    symlinkSync(path.join(r.project, 'kb'), path.join(r.prompts, 'docs', 'kb'), 'dir');
    symlinkSync(path.join(r.prompts, 'docs'), path.join(r.prompts, 'docs', 'loop'), 'dir');
    const { documents, skipped } = await loadDocuments(['docs/**/*.md'], r.prompts);
    assert.deepEqual(documents.map((d) => d.source).sort(), ['docs/b.md', 'docs/kb/deep/a.md']);
    assert.deepEqual(skipped, []);
  } finally {
    r.dispose();
  }
});
