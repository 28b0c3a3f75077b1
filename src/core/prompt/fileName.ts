// Names of prompt files: which files are prompt files, and the name without the prompt extension.

import * as path from 'node:path';

export const PROMPT_FILE_RE = /\.(prompt\.ya?ml|prompty)$/i;

/** `support.prompt.yml` → `support`; the path without its prompt extension when `keepDir` is set. */
export function promptBaseName(file: string, keepDir = false): string {
  return (keepDir ? file : path.basename(file)).replace(PROMPT_FILE_RE, '');
}
