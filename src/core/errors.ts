// User-caused problems (bad file, bad row, bad setting) as positioned, printable messages.

export type Severity = 'error' | 'warning';

/** A problem in a user's file. Lines and columns are 1-based. */
export interface SourceProblem {
  file: string;
  line: number;
  col: number;
  /** Optional end of the range, 1-based, for editor diagnostics. */
  endLine?: number;
  endCol?: number;
  message: string;
  severity: Severity;
  /** A likely intended text for the range (a misspelt key's known spelling), offered as a quick fix. */
  replacement?: string;
}

export function formatProblem(p: SourceProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

/** Thrown when a file cannot be used at all (the run cannot start). Carries every problem found. */
export class SpecError extends Error {
  constructor(readonly problems: SourceProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'SpecError';
  }
}
