// Writing generated cases from the CLI: each file gets its insertions applied to the text they were made against,
// atomically and verbatim (writeFileAtomic masks nothing; run records are redacted when serialised), and only
// if the file on disk still holds exactly that text (else nothing of it is written).

import * as path from 'node:path';
import { writeFileAtomic } from '../runs/store';
import { GenerationError } from './client';
import { applyInsertions, readEvalSet, type TextInsertion } from './target';

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
      await writeFileAtomic(file, text);
    } catch (e) {
      throw new GenerationError(`cannot write ${path.basename(file)}: ${(e as Error).message}`, 'write');
    }
  }
  return files;
}
