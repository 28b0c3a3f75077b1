import { test, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { clearSecretsForTests, redact, redactJsonValue, registerSecret, stringifyRedacted } from '../../../src/core/redact';
import { redactStream } from '../../../src/cli/redactStreams';

beforeEach(() => clearSecretsForTests());

test('every registered key is masked whatever its length, also JSON-escaped, the longest first', () => {
  registerSecret('abc123');
  registerSecret('abc123-and-more');
  registerSecret('q"\\z');
  assert.equal(redact('key abc123, long abc123-and-more'), 'key ***, long ***');
  assert.equal(redact(JSON.stringify({ m: 'got q"\\z' })), '{"m":"got ***"}');
  assert.equal(redact('nothing here'), 'nothing here');
});

test('a short key is masked where it stands alone, not inside longer words; a long one anywhere', () => {
  registerSecret('k');
  registerSecret('Lx0-long-key-value');
  assert.equal(redact('Incorrect API key provided: k. Look: ok, kk, token'), 'Incorrect API key provided: ***. Look: ok, kk, token');
  assert.equal(redact('Bearer xLx0-long-key-valuex'), 'Bearer x***x');
  assert.equal(JSON.stringify({ tokens: 'k', ok: 'ok' }, redactJsonValue), '{"tokens":"***","ok":"ok"}');
});

test('placeholders and empty values are not secrets; an extra key given at the call is masked and remembered', () => {
  registerSecret('');
  registerSecret('ollama');
  registerSecret(undefined);
  assert.equal(redact('ollama none'), 'ollama none');
  assert.equal(redact('echo Zx9', ['Zx9']), 'echo ***');
  assert.equal(redact('later Zx9'), 'later ***');
});

test('the CLI stream edge masks strings and buffers written by any module', () => {
  registerSecret('s3cr3t');
  const sink = new PassThrough();
  let seen = '';
  sink.on('data', (d: Buffer) => (seen += d.toString()));
  redactStream(sink as unknown as NodeJS.WriteStream);
  redactStream(sink as unknown as NodeJS.WriteStream);
  sink.write('a s3cr3t line\n');
  sink.write(Buffer.from('buf s3cr3t\n'));
  assert.equal(seen, 'a *** line\nbuf ***\n');
});

test('stringifyRedacted writes what JSON.stringify with redactJsonValue writes, secret or not', () => {
  const values: unknown[] = [
    { a: 'plain', n: 1, list: ['x', { deep: 'y' }] },
    { m: 'Incorrect API key provided: sk-live-123456789', nested: { k: 'sk-live-123456789 and more' } },
    { esc: 'q"\\z inside', raw: 'a\\"b' },
    { short: 'k', word: 'kk', inWord: 'a-k-b', alone: 'key k here' },
    { 'sk-live-123456789': 'a key as a property name stays' },
    { line: 'tab\tk\nnew' },
    { uni: 'é k ☃' },
  ];
  const check = () => {
    for (const v of values) for (const space of [undefined, 2]) assert.equal(stringifyRedacted(v, space), JSON.stringify(v, redactJsonValue, space));
  };
  check();
  registerSecret('sk-live-123456789');
  check();
  registerSecret('q"\\z');
  registerSecret('k');
  check();
  registerSecret('☃');
  check();
  assert.ok(!stringifyRedacted(values[1]).includes('sk-live-123456789'));
});
