// Checks a fine-tuning JSONL file against a format, line by line: every problem names its line, so a broken
// export (or a file the user edited) is refused before it is uploaded, with where to look.

import type { FineTuneFormat } from './formats/format';

export interface LineProblem {
  line: number;
  message: string;
}

export interface ValidationResult {
  /** Lines that hold a valid example. */
  valid: number;
  problems: LineProblem[];
}

export function validateJsonl(format: FineTuneFormat, text: string): ValidationResult {
  const problems: LineProblem[] = [];
  let valid = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) {
      if (i < lines.length - 1) problems.push({ line, message: 'empty line (JSONL holds one example per line)' });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      problems.push({ line, message: `not valid JSON: ${(e as Error).message}` });
      return;
    }
    const found = format.check(value);
    if (found.length) for (const message of found) problems.push({ line, message });
    else valid++;
  });
  return { valid, problems };
}

/** "train.jsonl:3: messages[2].role must be …" — one line per problem, at most `max`. */
export function describeProblems(file: string, problems: readonly LineProblem[], max = 5): string {
  const shown = problems.slice(0, max).map((p) => `${file}:${p.line}: ${p.message}`);
  if (problems.length > max) shown.push(`… and ${problems.length - max} more`);
  return shown.join('\n');
}
