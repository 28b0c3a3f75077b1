// Lint rules that need the whole loaded spec (its templates and its cases together): a `{{variable}}` no case
// provides, a case missing a variable the template needs, and (in a .prompt.yml) a `{{ name }}` with spaces that
// gh sends as written although the cases have `name`. Each is a located warning; `--strict` (the default
// in CI) turns warnings into a failed run. Key-level rules (unknown keys, role markers, CSV headers) live in the
// loaders, where the positions are.

import type { SourceProblem } from '../errors';
import type { PromptSpec } from './spec';
import { templateEngine } from '../render/messages';
import { variablesWith } from '../render/engines';
import { ghSpacedPlaceholders } from '../render/ghTemplate';

/** Names the engine fills itself or our features fill at run time: never expected from a case. */
function providedByTool(spec: PromptSpec): Set<string> {
  const s = new Set<string>(['loop']);
  if (spec.retrieval) s.add(spec.retrieval.into);
  return s;
}

interface Use {
  name: string;
  line: number;
}

/** Every variable the messages read, with the line of the message that reads it first. */
function templateUses(spec: PromptSpec): Use[] {
  const engine = templateEngine(spec);
  const seen = new Map<string, number>();
  for (const m of spec.messages) {
    for (const v of variablesWith(engine, m.content)) if (!seen.has(v)) seen.set(v, m.line);
  }
  // A .prompty body is one template (loops may span role markers): names only the whole body shows.
  if (spec.body) for (const v of variablesWith(engine, spec.body.text)) if (!seen.has(v)) seen.set(v, spec.body.line);
  return [...seen].map(([name, line]) => ({ name, line }));
}

/** `{{ name }}` in a .prompt.yml message where a case or the tool provides `name`: gh replaces only `{{name}}`. */
function spacedPlaceholders(spec: PromptSpec, tool: Set<string>): SourceProblem[] {
  if (spec.format !== 'prompt.yml') return [];
  const out: SourceProblem[] = [];
  for (const m of spec.messages) {
    for (const [raw, name] of ghSpacedPlaceholders(m.content)) {
      if (!tool.has(name) && !spec.cases.some((c) => Object.prototype.hasOwnProperty.call(c.vars, name))) continue;
      const message = `${raw} is sent as written: a .prompt.yml replaces only {{${name}}}, without spaces, as gh does`;
      out.push({ file: spec.file, line: m.line, col: 1, message, severity: 'warning' });
    }
  }
  return out;
}

export function lintSpec(spec: PromptSpec): SourceProblem[] {
  if (spec.cases.length === 0) return [];
  const tool = providedByTool(spec);
  const out = spacedPlaceholders(spec, tool);
  const uses = templateUses(spec).filter((u) => !tool.has(u.name));
  if (uses.length === 0) return out;
  const has = (vars: Record<string, unknown>, name: string) => Object.prototype.hasOwnProperty.call(vars, name);
  const provided = uses.filter((u) => spec.cases.some((c) => has(c.vars, u.name)));
  const caseKeys = [...new Set(spec.cases.flatMap((c) => Object.keys(c.vars)))];
  const literal = spec.format === 'prompt.yml';
  for (const u of uses) {
    if (provided.includes(u)) continue;
    out.push({
      file: spec.file,
      line: u.line,
      col: 1,
      message: `{{${u.name}}} is not provided by any case (${caseKeys.length ? `cases have ${caseKeys.join(', ')}` : 'cases have no variables'}); it ${literal ? 'stays as literal text, as gh sends it' : 'renders empty'}`,
      severity: 'warning',
    });
  }
  for (const c of spec.cases) {
    const missing = provided.filter((u) => !has(c.vars, u.name)).map((u) => u.name);
    if (missing.length === 0) continue;
    out.push({
      file: c.file,
      line: c.line,
      col: 1,
      message: `case ${c.index} has no ${missing.map((m) => `"${m}"`).join(', ')}, which the template uses (${literal ? `{{${missing[0]}}} is sent as written` : 'it renders empty'})`,
      severity: 'warning',
    });
  }
  return out;
}

/** Whether problems hold anything `--strict` refuses: every warning counts. */
export function strictFailures(problems: SourceProblem[]): SourceProblem[] {
  return problems.filter((p) => p.severity === 'warning');
}
