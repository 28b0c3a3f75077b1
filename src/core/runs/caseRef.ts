// How a case is named to people, in one scheme everywhere (CLI, HTML, JUnit, the panel, Problems, hovers):
// by its eval-set line: "intent.cases.jsonl:4" for an eval-set file, "line 12" for inline testData (the line
// in the prompt file itself).
// The line is the stable reference: it does not shift when rows before it are skipped, filtered or re-run,
// and it is where "open in the editor" goes. Positions in the run (CaseRecord.index) stay internal.
// Browser-safe (no node imports): the webview uses it too.

export interface CaseLocation {
  /** Eval-set file relative to the run root; absent for inline testData. */
  file?: string;
  line: number;
}

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

/** "intent.cases.jsonl:4"; "line 4" when the file is not known. */
export function caseRef(c: CaseLocation): string {
  return c.file ? `${baseName(c.file)}:${c.line}` : `line ${c.line}`;
}

/** With the file's path as stored (relative to the run root): "examples/x/intent.cases.jsonl:4". */
export function caseRefLong(c: CaseLocation): string {
  return c.file ? `${c.file}:${c.line}` : `line ${c.line}`;
}
