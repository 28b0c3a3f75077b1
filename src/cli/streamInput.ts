// A prompt file that is not a file on disk: `-` (stdin) and `/dev/fd/N` (a shell's process substitution,
// `prompt-ladder eval <(…)`). Such input is read as a stream, with the same size limit as a file, and stands
// for a prompt file in the current folder (where the files it names are looked for).

import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { MAX_YAML_BYTES, fileTooLargeMessage } from '../core/limits';
import { utf16Bom } from '../core/paths';
import { UsageError } from './usage';

const FD_PATH = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/;

/** Whether a command-line prompt file is a stream: `-`, `/dev/stdin` or `/dev/fd/N`. */
export function isStreamArg(file: string): boolean {
  return file === '-' || file === '/dev/stdin' || FD_PATH.test(file);
}

/** The path a stream stands for: `<cwd>/stdin.prompt.yml` or `<cwd>/fd-N.prompt.yml` (`.prompty` for front matter). */
export function streamStandIn(file: string, text: string): string {
  const fd = FD_PATH.exec(file)?.[1];
  const ext = /^\uFEFF?---\s*$/m.test(text.split('\n', 1)[0] ?? '') ? '.prompty' : '.prompt.yml';
  return path.resolve(fd ? `fd-${fd}${ext}` : `stdin${ext}`);
}

/** Reads a stream argument whole, refusing more than the prompt-file limit and UTF-16 text. */
export async function readStreamArg(file: string, maxBytes = MAX_YAML_BYTES): Promise<string> {
  const input = file === '-' ? process.stdin : createReadStream(file);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of input) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += b.length;
      if (size > maxBytes) throw new UsageError(`${file}: ${fileTooLargeMessage('the input', size, maxBytes)} (read so far)`);
      chunks.push(b);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${file}: cannot read it (${(err as Error).message})`);
  } finally {
    if (file !== '-') (input as ReturnType<typeof createReadStream>).destroy();
  }
  const bytes = Buffer.concat(chunks);
  const utf16 = utf16Bom(bytes);
  if (utf16) throw new UsageError(`${file}: it is ${utf16} (BOM): save it as UTF-8`);
  return bytes.toString('utf8');
}
