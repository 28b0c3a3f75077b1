// Loads the JSON Schema files named by `json: { schema: ./x.schema.json }` evaluators, relative to the declaring file.

import type { SourceProblem } from '../errors';
import type { EvaluatorSpec } from './spec';
import type { Range } from './source';
import { readProjectFile, resolveInProject } from '../paths';
import { checkSchema } from '../evaluators/json';
import { YamlSource } from './source';
import { MAX_YAML_BYTES } from '../limits';
import { isTypeScriptFile, transpileTypeScript } from '../evaluators/typescript';

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
  /** Where a path inside an inline schema is written (for the line of an invalid keyword). */
  inlineAt?: (e: EvaluatorSpec, path: (string | number)[]) => Range | undefined,
  /** Filled with the evaluators whose inline schema is invalid (the caller leaves them out). */
  invalid: EvaluatorSpec[] = [],
): Promise<SourceProblem[]> {
  const problems: SourceProblem[] = [];
  const at = (e: EvaluatorSpec): Range => rangeOf?.(e) ?? { line: e.line, col: 1 };
  for (const e of evaluators) {
    if (e.kind === 'code' && !e.module) {
      // a code evaluator's module: through the gate; JavaScript runs in a worker as is, TypeScript is transpiled
      // here (so a syntax error is reported at load, at its line in the evaluator's file) and the worker runs the result
      const r = await resolveInProject(baseDir, e.file);
      if (!r.ok) problems.push({ file, ...at(e), message: `evaluator "${e.name}": ${r.problem.message}`, severity: 'error' });
      else if (isTypeScriptFile(r.real)) {
        const src = await readProjectFile(baseDir, e.file);
        if (!src.ok) {
          problems.push({ file, ...at(e), message: `evaluator "${e.name}": ${src.problem.message}`, severity: 'error' });
          continue;
        }
        const t = transpileTypeScript(src.content.replace(/^\uFEFF/, ''), src.real);
        if (!t.ok) {
          problems.push({ file: src.real, line: t.line, col: t.col, message: `TypeScript syntax error in code evaluator "${e.name}" (${e.file}): ${t.message}`, severity: 'error' });
          continue;
        }
        e.module = src.real;
        e.compiled = t.code;
      } else if (!/\.(m?js|cjs)$/i.test(r.real)) {
        problems.push({ file, ...at(e), message: `evaluator "${e.name}": ${e.file} is not a JavaScript or TypeScript module (.js, .mjs, .cjs, .ts, .mts or .cts)`, severity: 'error' });
      } else e.module = r.real;
      continue;
    }
    if (e.kind !== 'json') continue;
    if (e.schema && !e.schemaFile) {
      // inline: an invalid schema is an error at its keyword's line (the inline schema's range when unknown)
      const bad = checkSchema(e.schema);
      if (bad) {
        problems.push({ file, ...(inlineAt?.(e, bad.path) ?? at(e)), message: `evaluator "${e.name}": invalid JSON Schema: ${bad.message}`, severity: 'error' });
        invalid.push(e);
      }
      continue;
    }
    if (!e.schemaFile || e.schema) continue;
    const r = await readProjectFile(baseDir, e.schemaFile, { maxBytes: MAX_YAML_BYTES });
    if (!r.ok) {
      const message = r.problem.kind === 'not-found' ? `schema file ${e.schemaFile} not found` : r.problem.message;
      problems.push({ file, ...at(e), message: `evaluator "${e.name}": ${message}`, severity: 'error' });
      continue;
    }
    const body = r.content;
    try {
      const parsed: unknown = JSON.parse(body);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      const bad = checkSchema(parsed as Record<string, unknown>);
      if (bad) {
        // located in the schema file itself (JSON is YAML, so its source gives the keyword's line)
        const src = new YamlSource(r.abs, body);
        const range = src.hasErrors ? { line: 1, col: 1 } : src.range(bad.path);
        problems.push({ file: r.abs, ...range, message: `evaluator "${e.name}" (${file.split(/[\\/]/).pop()}): invalid JSON Schema: ${bad.message}`, severity: 'error' });
        continue;
      }
      e.schema = parsed as Record<string, unknown>;
    } catch (err) {
      problems.push({ file, ...at(e), message: `evaluator "${e.name}": schema file ${e.schemaFile} is not a JSON Schema object (${(err as Error).message})`, severity: 'error' });
    }
  }
  return problems;
}
