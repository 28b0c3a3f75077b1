// Cache keys keep their meaning: canonicalJson writes exactly what JSON.stringify of a key-sorted copy wrote
// (the earlier implementation, kept here as the reference), so an existing cache keeps hitting.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ResponseCache, canonicalJson } from '../../../src/core/providers/cache';

/** The earlier canonicalJson: a sorted copy, then JSON.stringify. */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortKeys(x)));
    if (v && typeof v === 'object' && (v as object).constructor === Object) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sortKeys(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

test('a chat request gives the key earlier versions gave (a cache written before still hits)', () => {
  const request = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi "there"\n\u2028 é' }, { role: 'assistant', content: '' }],
    params: { temperature: 0, maxTokens: 10, topP: undefined },
    responseFormat: { type: 'json_schema', jsonSchema: { name: 's', schema: { type: 'object', properties: { b: { type: 'string' }, a: { type: 'number' }, '10': {}, '9': {} }, required: ['b', 'a'] } } },
  };
  // computed by the earlier implementation
  assert.equal(
    ResponseCache.keyOf({ endpoint: 'openai:https://api.example/v1', request: request as never, repeat: 2 }),
    '2264cb346cda48e6eba71743956531e8b4f949e0f6c1d9c10bd1b55be0fa31e5',
  );
});

test('canonicalJson equals the sorted-copy text on edge values and on random JSON-like trees', () => {
  class Point {
    constructor(
      readonly y: number,
      readonly x: number,
    ) {}
  }
  const edge: unknown[] = [
    null, true, false, 0, -0, 1.5, 1e21, NaN, Infinity, -Infinity, '', 'a"b\\c\n\u0001\ud800', [], {},
    [undefined, () => 1, Symbol('s'), null], // array holes of every kind
    [1, , 3], // eslint-disable-line no-sparse-arrays -- a hole is the case under test
    { b: 1, a: undefined, c: () => 1, d: Symbol('x'), '2': 'two', '10': 'ten', '01': 'zero-one', '4294967295': 'not an index', '-1': 'm' },
    { when: new Date(0), p: new Point(2, 1) }, // class instances: not sorted, as before
    { toJSON: () => ({ z: 1, a: 2 }) },
    { nested: { toJSON: () => 'x' } },
    Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
    { s: new String('boxed'), n: new Number(3) },
    Object.assign([1, 2], { toJSON: () => 'array toJSON' }),
  ];
  for (const v of edge) assert.equal(canonicalJson(v), reference(v), String(reference(v)));

  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const keys = ['a', 'b', 'B', 'é', '10', '2', '0', 'z z', '__proto__x', 'role', 'content', '𝌆'];
  const gen = (depth: number): unknown => {
    const r = rnd();
    if (depth > 3 || r < 0.3) {
      const p = rnd();
      return p < 0.2 ? rnd() * 1000 - 500 : p < 0.4 ? Math.floor(rnd() * 100) : p < 0.7 ? keys[Math.floor(rnd() * keys.length)] + '\n"' : p < 0.8 ? null : p < 0.9 ? rnd() < 0.5 : undefined;
    }
    if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rnd() * 5); i > 0; i--) o[keys[Math.floor(rnd() * keys.length)]] = gen(depth + 1);
    return o;
  };
  for (let i = 0; i < 2000; i++) {
    const v = gen(0);
    assert.equal(canonicalJson(v), reference(v));
  }
});
