#!/usr/bin/env node
// Lays out the compatibility corpus listed in test/fixtures/wild/SOURCES.tsv from local git clones of those public
// repositories (the files stay their authors'; this repository keeps only the list). Usage:
//   node scripts/wild-corpus.mjs --git-dir '<path with {owner} and {name}>' --out <dir>
// e.g. --git-dir '../clones/{owner}/{name}/.git'. Each file is read at the commit SOURCES.tsv records, so the
// corpus is the same wherever it is built. Then: PROMPT_LADDER_WILD_CORPUS=<dir> node scripts/unit-tests.mjs wild
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'git-dir': { type: 'string' }, out: { type: 'string' } } });
if (!values['git-dir'] || !values.out) {
  process.stderr.write("usage: node scripts/wild-corpus.mjs --git-dir '<path with {owner} and {name}>' --out <dir>\n");
  process.exit(2);
}
const sources = path.resolve(import.meta.dirname, '../test/fixtures/wild/SOURCES.tsv');
let written = 0;
const missing = [];
for (const line of readFileSync(sources, 'utf8').split('\n')) {
  if (!line.trim() || line.startsWith('#')) continue;
  const [repo, file, commit] = line.split('\t');
  const [owner, name] = repo.split('/');
  const gitDir = values['git-dir'].replaceAll('{owner}', owner).replaceAll('{name}', name);
  const dest = path.join(values.out, owner, name, file);
  try {
    const body = execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${file}`], { maxBuffer: 8 << 20 });
    mkdirSync(path.dirname(dest), { recursive: true });
    // each repository is its own project (files a prompt names must stay inside it)
    mkdirSync(path.join(values.out, owner, name, '.git'), { recursive: true });
    writeFileSync(dest, body);
    written++;
  } catch {
    missing.push(`${repo} ${file}@${commit.slice(0, 12)}`);
  }
}
process.stdout.write(`${written} files written to ${values.out}${missing.length ? `; not found: ${missing.length}\n  ${missing.join('\n  ')}` : ''}\n`);
process.exit(missing.length ? 1 : 0);
