// Attack: names in a run record (or a prompt file) written as Markdown — a link to a phishing page, an image that
// calls home, HTML, a command link, a fake heading — shown in the Runs view's tooltips and the Language Model
// tool's confirmation. Escaped, each reads as the literal text it is.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { escapeMarkdown } from '../../../src/shared/markdown';

test('attack: links, images, HTML, command links, emphasis and code in a name come out escaped', () => {
  assert.equal(escapeMarkdown('[Fix it](https://evil.example/login)'), '\\[Fix it\\]\\(https\\://evil.example/login\\)');
  assert.equal(escapeMarkdown('![x](https://evil.example/p.png)'), '\\!\\[x\\]\\(https\\://evil.example/p.png\\)');
  assert.equal(escapeMarkdown('<img src=x onerror=alert(1)>'), '\\<img src=x onerror=alert\\(1\\)\\>');
  assert.equal(escapeMarkdown('[run](command:workbench.action.terminal.new)'), '\\[run\\]\\(command\\:workbench.action.terminal.new\\)');
  assert.equal(escapeMarkdown('**bold** _it_ `code` ~~s~~ | a |'), '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\| a \\|');
  assert.equal(escapeMarkdown('see www.evil.example now'), 'see www\\.evil.example now');
  assert.equal(escapeMarkdown('&lt;b&gt;'), '\\&lt;b\\&gt;');
});

test('block markers at the start and line breaks cannot start a new block; plain names stay as written', () => {
  assert.equal(escapeMarkdown('# Heading'), '\\# Heading');
  assert.equal(escapeMarkdown('- item'), '\\- item');
  assert.equal(escapeMarkdown('1. first'), '1\\. first');
  assert.equal(escapeMarkdown('a\n\n# b'), 'a  # b');
  assert.equal(escapeMarkdown('zero-shot, 2-shot'), 'zero-shot, 2-shot');
  assert.equal(escapeMarkdown('openai/gpt-4o-mini'), 'openai/gpt-4o-mini');
  assert.equal(escapeMarkdown('classify.prompt.yml'), 'classify.prompt.yml');
});

test('every character that opens inline Markdown or HTML is escaped, whatever the text', () => {
  const special = '\\`*_{}[]()<>!|~&:$';
  const text = Array.from({ length: 400 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join('');
  const out = escapeMarkdown(text);
  // walking the output: a special character is always the escaped one of a backslash pair
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '\\') {
      assert.ok(special.includes(out[i + 1]) || '.#+-=>)'.includes(out[i + 1]), `escape before ${out[i + 1]}`);
      i++;
      continue;
    }
    assert.ok(!special.includes(out[i]), `unescaped ${out[i]} at ${i}`);
  }
});
