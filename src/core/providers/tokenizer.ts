// Loads the o200k BPE tokenizer (about 3 MB of tables) on first use only, so starting the CLI or the
// extension does not pay for it. Bundled builds ship it as dist/tokenizer.js (see esbuild.mjs, which
// defines __PL_TOKENIZER__); unbundled (tests) it comes from node_modules.

import type * as GptTokenizer from 'gpt-tokenizer';

declare const __PL_TOKENIZER__: string | undefined;

let tokenizer: typeof GptTokenizer | undefined;

export function loadTokenizer(): typeof GptTokenizer {
  if (!tokenizer) {
    const id = typeof __PL_TOKENIZER__ === 'string' ? __PL_TOKENIZER__ : 'gpt-tokenizer';
    // A computed id keeps bundlers from inlining the module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, by a computed id
    tokenizer = require(id) as typeof GptTokenizer;
  }
  return tokenizer;
}
