// Writing generated cases from the CLI: each file gets its insertions applied to the text they were made against,
// atomically, and only if the file on disk still holds exactly that text (else nothing of it is written).

import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { GenerationError } from './client';
import { applyInsertions, readEvalSet, type TextInsertion } from './target';

/**
 * The user's own file, written atomically (tmp + rename) and verbatim: unlike our records (runs/store.ts), it is
 * not passed through the key redactor, which would rewrite existing lines that happen to contain a key's text.
 */
async function writeUserFile(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, text, 'utf8');
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function writeInsertions(edits: readonly TextInsertion[], sources: Record<string, string>): Promise<string[]> {
  const files = [...new Set(edits.map((e) => e.file))];
  const next = new Map<string, string>();
  for (const file of files) {
    const own = edits.filter((e) => e.file === file);
    const source = sources[file] ?? '';
    let now: string | undefined;
    try {
      now = await readEvalSet(path.dirname(file), file);
    } catch (e) {
      throw new GenerationError(`${(e as Error).message}; nothing was written`, 'write');
    }
    const expected = own.every((e) => e.create) ? undefined : source;
    if (now !== expected && !(now === '' && expected === undefined)) {
      throw new GenerationError(`${path.basename(file)} changed on disk while the cases were generated; nothing was written (run again)`, 'write');
    }
    next.set(file, applyInsertions(source, own));
  }
  for (const [file, text] of next) {
    try {
      await writeUserFile(file, text);
    } catch (e) {
      throw new GenerationError(`cannot write ${path.basename(file)}: ${(e as Error).message}`, 'write');
    }
  }
  return files;
}
