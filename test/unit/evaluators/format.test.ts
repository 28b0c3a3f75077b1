// regex and json (with JSON Schema) evaluators.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';
import { runEvaluators } from '../../../src/core/evaluators/registry';
import { compileSchema } from '../../../src/core/evaluators/json';
import { evalInput } from './evalInput';

const run = async (spec: EvaluatorSpec, output: string) => (await runEvaluators([spec], evalInput(output))).results[0];
const regex = (pattern: string, more: { flags?: string; negate?: boolean } = {}): EvaluatorSpec => ({ kind: 'regex', name: 're', line: 1, pattern, ...more });
const json = (schema?: Record<string, unknown>, schemaFile?: string): EvaluatorSpec => ({
  kind: 'json',
  name: 'json',
  line: 1,
  ...(schema ? { schema } : {}),
  ...(schemaFile ? { schemaFile } : {}),
});

describe('regex evaluator', () => {
  it('passes when the pattern matches and names the match', async () => {
    const r = await run(regex('\\d{3}-\\d{4}'), 'Call 555-1234 today');
    assert.equal(r.passed, true);
    assert.match(r.details ?? '', /555-1234/);
  });
  it('fails when it does not match', async () => {
    const r = await run(regex('^\\d+$'), 'forty two');
    assert.equal(r.passed, false);
    assert.equal(r.score, 0);
  });
  it('honours flags', async () => {
    assert.equal((await run(regex('^paris$'), 'Paris')).passed, false);
    assert.equal((await run(regex('^paris$', { flags: 'i' }), 'Paris')).passed, true);
  });
  it('negate passes only when the pattern does NOT match', async () => {
    assert.equal((await run(regex('as an ai', { flags: 'i', negate: true }), 'Paris')).passed, true);
    assert.equal((await run(regex('as an ai', { flags: 'i', negate: true }), 'As an AI, Paris')).passed, false);
  });
  it('anchors apply to the trimmed reply', async () => {
    assert.equal((await run(regex('^Paris$'), '\n  Paris \n')).passed, true);
  });
  it('an invalid pattern fails with a clear message instead of throwing', async () => {
    const r = await run(regex('(unclosed'), 'x');
    assert.equal(r.passed, false);
    assert.match(r.details ?? '', /^Invalid regular expression \/\(unclosed\/: /);
  });
  it('an invalid flag fails the same way', async () => {
    const r = await run(regex('a', { flags: 'q' }), 'a');
    assert.equal(r.passed, false);
    assert.match(r.details ?? '', /Invalid regular expression \/a\/q/);
  });
  it('is a format check unless declared otherwise', async () => {
    assert.equal((await run(regex('x'), 'y')).category, 'format');
    assert.equal((await run({ ...regex('x'), category: 'instruction' }, 'y')).category, 'instruction');
  });
});

const INTENT_SCHEMA = {
  type: 'object',
  properties: {
    intent: { enum: ['delivery', 'refund', 'other'] },
    priority: { type: 'string' },
    email: { type: 'string', format: 'email' },
  },
  required: ['intent', 'priority'],
  additionalProperties: false,
};

describe('json evaluator', () => {
  it('accepts valid JSON of any type', async () => {
    for (const out of ['{"a":1}', '[1,2]', '"s"', '3', 'null', '  {"a": [true]}  ']) {
      assert.equal((await run(json(), out)).passed, true, out);
    }
  });
  it('rejects invalid JSON with the parser message', async () => {
    const r = await run(json(), '{"a":1,}');
    assert.equal(r.passed, false);
    assert.match(r.details ?? '', /^Output is not valid JSON: /);
    assert.equal(r.category, 'format');
  });
  it('rejects an empty reply', async () => {
    assert.match((await run(json(), '   ')).details ?? '', /empty/);
  });
  it('rejects a ```json fence but says the JSON inside is valid', async () => {
    const r = await run(json(), '```json\n{"intent":"refund"}\n```');
    assert.equal(r.passed, false);
    assert.match(r.details ?? '', /code fence/);
    assert.match(r.details ?? '', /the JSON inside the fence is valid/);
  });
  it('says when a fence holds invalid JSON too', async () => {
    const r = await run(json(), '```\n{nope}\n```');
    assert.match(r.details ?? '', /not valid JSON either/);
  });
  it('passes a reply that matches the schema', async () => {
    const r = await run(json(INTENT_SCHEMA), '{"intent":"refund","priority":"high","email":"a@b.co"}');
    assert.equal(r.passed, true, r.details);
    assert.equal(r.score, 1);
  });
  it('lists schema errors with instance paths', async () => {
    const r = await run(json(INTENT_SCHEMA, 'intent.schema.json'), '{"intent":"upgrade","extra":1,"email":"nope"}');
    assert.equal(r.passed, false);
    const d = r.details ?? '';
    assert.match(d, /^JSON does not match the schema intent\.schema\.json: /);
    assert.match(d, /\(root\) must have required property 'priority'/);
    assert.match(d, /\(root\) must NOT have additional properties \('extra'\)/);
    assert.match(d, /\/intent must be equal to one of the allowed values \("delivery", "refund", "other"\)/);
    assert.match(d, /\/email must match format "email"/);
  });
  it('caps the list of schema errors', async () => {
    const schema = { type: 'object', required: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] };
    const d = (await run(json(schema), '{}')).details ?? '';
    assert.match(d, /… and 2 more$/);
  });
  it('supports draft 2020-12 schemas', async () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'number' }], items: false };
    assert.equal((await run(json(schema), '[1]')).passed, true);
    assert.equal((await run(json(schema), '[1, 2]')).passed, false);
  });
  it('an invalid schema fails with a message naming the schema file, not a crash', async () => {
    const v = await runEvaluators([json({ type: 'objekt' }, 'bad.schema.json')], evalInput('{}'));
    assert.equal(v.passed, false);
    assert.match(v.results[0].details ?? '', /JSON Schema bad\.schema\.json is invalid/);
  });
  it('reuses the compiled validator for an equal schema', async () => {
    const a = compileSchema({ type: 'string', minLength: 3 });
    const b = compileSchema({ type: 'string', minLength: 3 });
    assert.equal(a, b);
  });
});
