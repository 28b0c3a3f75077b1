// Where a prompt file's runs live: <run root>/.promptladder/. The run root is the prompt file's project (the
// nearest folder above it with .git, package.json or .promptladder; see paths.ts), the same for the CLI and
// the editor, so runs made from a terminal anywhere in the project show in the editor's history and back.

import * as path from 'node:path';
import { projectRoot } from '../paths';

export function runRootOf(promptFile: string): string {
  return projectRoot(path.dirname(path.resolve(promptFile)));
}
