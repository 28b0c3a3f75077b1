// The CLI's output edge: whatever any module writes to stdout or stderr passes the one redaction function
// first, so a key a server echoed back (or any other path a key could take) never reaches a terminal or a
// CI log.

import { redact } from '../core/redact';

const wrapped = new WeakSet<NodeJS.WriteStream>();

/** Route every write of `stream` through `redact`. Idempotent. */
export function redactStream(stream: NodeJS.WriteStream): void {
  if (wrapped.has(stream)) return;
  wrapped.add(stream);
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string') return write(redact(chunk), ...rest);
    if (chunk instanceof Uint8Array) return write(redact(Buffer.from(chunk).toString('utf8')), ...rest);
    return write(chunk, ...rest);
  }) as NodeJS.WriteStream['write'];
}
