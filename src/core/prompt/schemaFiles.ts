// Loads the JSON Schema files named by `json: { schema: ./x.schema.json }` evaluators, relative to the declaring file.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SourceProblem } from '../errors';
import type { EvaluatorSpec } from './spec';
import type { Range } from './source';
import { isInsideProject, outsideProjectMessage } from '../paths';

/**
 * Fill `schema` of json evaluators that name a `schemaFile`. Problems point at the evaluator's line;
 * `fileOf` names the file that declared it. Returns the problems (each one makes its evaluator unusable).
 */
export async function loadSchemaFiles(
  evaluators: EvaluatorSpec[],
  baseDir: string,
  file: string,
  /** Where the `schema:` value of an evaluator is written, when known (else its line, column 1). */
  rangeOf?: (e: EvaluatorSpec) => Range | undefined,
): Promise<SourceProblem[]> {
  const problems: SourceProblem[] = [];
  const at = (e: EvaluatorSpec): Range => rangeOf?.(e) ?? { line: e.line, col: 1 };
  for (const e of evaluators) {
    if (e.kind !== 'json' || !e.schemaFile || e.schema) continue;
    const abs = path.resolve(baseDir, e.schemaFile);
    if (!isInsideProject(baseDir, abs)) {
      problems.push({ file, ...at(e), message: `evaluator "${e.name}": ${outsideProjectMessage(e.schemaFile, baseDir)}`, severity: 'error' });
      continue;
    }
    let body: string;
    try {
      body = await fs.readFile(abs, 'utf8');
    } catch {
      problems.push({ file, ...at(e), message: `evaluator "${e.name}": schema file ${e.schemaFile} not found`, severity: 'error' });
      continue;
    }
    try {
      const parsed: unknown = JSON.parse(body);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      e.schema = parsed as Record<string, unknown>;
    } catch (err) {
      problems.push({ file, ...at(e), message: `evaluator "${e.name}": schema file ${e.schemaFile} is not a JSON Schema object (${(err as Error).message})`, severity: 'error' });
    }
  }
  return problems;
}
