// sha256 of a UTF-8 string as hex: the one-shot `crypto.hash` where the runtime has it (Node 20.12+), which
// skips building a Hash object per call (a cache key and a checksum are computed for every model call),
// else the Hash object. Both give the same digest.

import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string, encoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

export const sha256Hex: (text: string) => string =
  typeof oneShot === 'function'
    ? (text) => oneShot('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');
