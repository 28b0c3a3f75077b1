import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { loadPromptFile } from '../../../src/core/prompt/load';

const ROOT = path.resolve(__dirname, '../../..');
const FIX = path.join(ROOT, 'test/fixtures/prompts');
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/prompt-file.schema.json'), 'utf8')) as Record<string, unknown>;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  return ajv.compile(schema);
}

test('every fixture prompt file that loads cleanly validates against the JSON Schema', async () => {
  const validate = validator();
  const files = readdirSync(FIX).filter((f) => /\.prompt\.ya?ml$/.test(f));
  let clean = 0;
  for (const f of files) {
    let ok: boolean;
    try {
      ok = (await loadPromptFile(path.join(FIX, f))).problems.length === 0;
    } catch {
      ok = false;
    }
    const valid = validate(parse(readFileSync(path.join(FIX, f), 'utf8')));
    assert.equal(valid, ok, `${f}: loader ${ok ? 'accepts' : 'rejects'} it, schema ${valid ? 'accepts' : 'rejects'} it: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    if (ok) clean++;
  }
  assert.ok(clean >= 2, 'at least two clean fixtures');
});

test('the schema rejects an unknown evaluator kind and two kinds in one evaluator', () => {
  const validate = validator();
  const base = { messages: [{ role: 'user', content: 'hi' }] };
  assert.equal(validate({ ...base, evaluators: [{ name: 'x', contains: 'a' }] }), false);
  assert.equal(validate({ ...base, evaluators: [{ name: 'x', string: { contains: 'a' }, regex: { pattern: 'a' } }] }), false);
  assert.equal(validate({ ...base, evaluators: [{ name: 'x', regex: { pattern: 'a' }, category: 'format' }] }), true);
});

test('every property in the schema has a description (for editor completion)', () => {
  const missing: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.properties && typeof n.properties === 'object') {
      for (const [k, v] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
        const target = v.$ref ? ((schema.definitions as Record<string, Record<string, unknown>>)[String(v.$ref).split('/').pop()!] ?? v) : v;
        if (typeof target.description !== 'string') missing.push(`${at}.${k}`);
      }
    }
    for (const [k, v] of Object.entries(n)) if (v && typeof v === 'object') walk(v, `${at}.${k}`);
  };
  walk(schema, '$');
  assert.deepEqual(missing, []);
});
