// Loader for `.prompty` files (v1 and v2 front matter, role-marked body) into the same PromptSpec.
// Role markers follow Prompty's own parser: a line holding only `system:` / `user:` / `assistant:`
// (case-insensitive, optionally `# ` before it and `[name="x"]` attributes after the role).

import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SourceProblem } from '../errors';
import type { EvalCase, MessageTemplate, ModelParameters, PromptSpec, Role } from './spec';
import { describeValue } from './issues';
import { YamlSource } from './source';
import { checkTemplate } from '../render/template';
import { COMMON_KEYS, Collector, isMap, parseCommon, sortProblems, warnUnknownKeys } from './common';
import type { LoadResult } from './promptYml';
import { nameFromFile } from './promptYml';
import { casesFromText } from '../cases/files';
import { readProjectFile } from '../paths';

const PROMPTY_KEYS = [
  'name',
  'description',
  'version',
  'authors',
  'tags',
  'id',
  'metadata',
  'model',
  'sample',
  'inputs',
  'outputs',
  'template',
  ...COMMON_KEYS,
] as const;

const ROLE_LINE = /^\s*#?\s*(system|user|assistant)(\[[^\]]*\])?\s*:\s*$/i;

/**
 * Prompty renders the whole body and then splits it on role markers, so a loop can emit chat history
 * (`{{ item.role }}:` lines). Re-split a rendered message the same way: text before the first marker keeps `role`.
 */
export function splitRenderedRoles(role: Role, content: string): { role: Role; content: string }[] {
  if (!/^\s*#?\s*(system|user|assistant)\b/im.test(content)) return [{ role, content }];
  const out: { role: Role; lines: string[] }[] = [{ role, lines: [] }];
  for (const l of content.split('\n')) {
    const m = ROLE_LINE.exec(l);
    if (m) out.push({ role: m[1].toLowerCase() as Role, lines: [] });
    else out[out.length - 1].lines.push(l);
  }
  const msgs = out.map((m) => ({ role: m.role, content: m.lines.join('\n').trim() }));
  return msgs.filter((m, i) => i > 0 || m.content !== '' || msgs.length === 1);
}

/** Split a Prompty body into role messages with their 1-based source lines. */
export function splitPromptyBody(body: string, firstLine: number): MessageTemplate[] {
  const lines = body.split(/\r?\n/);
  const out: { role: Role; line: number; lines: string[] }[] = [];
  let cur: { role: Role; line: number; lines: string[] } | undefined;
  lines.forEach((l, i) => {
    const m = ROLE_LINE.exec(l);
    if (m) {
      cur = { role: m[1].toLowerCase() as Role, line: firstLine + i, lines: [] };
      out.push(cur);
      return;
    }
    if (!cur) {
      if (!l.trim()) return;
      // Text before any marker: Prompty treats it as the system message.
      cur = { role: 'system', line: firstLine + i, lines: [] };
      out.push(cur);
    }
    cur.lines.push(l);
  });
  return out.map((m) => ({ role: m.role, line: m.line, content: m.lines.join('\n').trim() }));
}

function camel(k: string): string {
  return k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Prompty parameter names (snake_case; v2 `maxOutputTokens`) → ours (camelCase, gh names). */
function mapParameters(p: Record<string, unknown>): ModelParameters {
  const out: ModelParameters = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || v === null) continue;
    const c = camel(k);
    if (c === 'maxOutputTokens' || c === 'maxCompletionTokens') out.maxTokens = v as number;
    else out[c] = v;
  }
  return out;
}

/** A model reference from Prompty's model section: azure → `azure/<deployment>`, openai → `openai/<name>`. */
function modelRef(model: unknown): string | undefined {
  if (typeof model === 'string') return model || undefined;
  if (!isMap(model)) return undefined;
  const conf = isMap(model.configuration) ? model.configuration : isMap(model.connection) ? model.connection : {};
  const type = String(model.provider ?? conf.type ?? '').toLowerCase();
  const name = [model.id, conf.azure_deployment, conf.name, conf.model, conf.deployment].find((v) => typeof v === 'string' && v && !v.includes('<'));
  if (typeof name !== 'string') return undefined;
  if (name.includes('/')) return name;
  if (type === 'azure_openai' || type === 'azure' || type === 'azureopenai') return `azure/${name}`;
  if (type === 'openai') return `openai/${name}`;
  return name;
}

/** `${file:x.json}` or a plain path → the path; undefined for anything else. */
function fileRef(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\$\{file:(.+)\}$/.exec(v.trim());
  return m ? m[1].trim() : v.trim();
}

/** A `sample:` file read through the containment gate: its value, or the reason it cannot be used. */
async function readDataFile(baseDir: string, ref: string): Promise<{ value: unknown } | { error: string }> {
  const r = await readProjectFile(baseDir, ref);
  if (!r.ok) return { error: r.problem.message };
  try {
    return { value: r.abs.toLowerCase().endsWith('.json') ? JSON.parse(r.content) : parseYaml(r.content) };
  } catch (e) {
    return { error: `cannot read ${ref}: ${(e as Error).message}` };
  }
}

export async function loadPrompty(file: string, text: string): Promise<LoadResult> {
  const norm = text.replace(/^\uFEFF/, '');
  const fm = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(norm);
  const front = fm ? fm[1] : '';
  const bodyStart = fm ? fm[0].split('\n').length - (fm[0].endsWith('\n') ? 1 : 0) + 1 : 1;
  const body = fm ? norm.slice(fm[0].length) : norm;

  const src = new YamlSource(file, front, 1);
  const c = new Collector(src);
  if (norm.startsWith('---') && !fm) {
    c.push({ file, line: 1, col: 1, message: 'front matter is not closed: add a line with `---` after it', severity: 'error' });
    return { fatal: c.fatal, soft: c.soft };
  }
  if (src.hasErrors) return { fatal: src.syntaxProblems, soft: [] };
  src.syntaxProblems.forEach((p) => c.push(p));
  const raw = src.toJS();
  const obj: Record<string, unknown> = raw === null || raw === undefined ? {} : isMap(raw) ? raw : {};
  if (!isMap(raw) && raw !== null && raw !== undefined) c.add({ path: [], message: `front matter: expected a map, got ${describeValue(raw)}` });
  warnUnknownKeys(c, obj, PROMPTY_KEYS, []);

  const name = typeof obj.name === 'string' ? obj.name : nameFromFile(file, /\.prompty$/i);
  const description = typeof obj.description === 'string' ? obj.description : undefined;

  // model: v1 {api, configuration, parameters}; v2 {id, provider, connection, options}; or a plain string.
  let modelParameters: ModelParameters = {};
  if (obj.model !== undefined && obj.model !== null && typeof obj.model !== 'string' && !isMap(obj.model)) {
    c.add({ path: ['model'], message: `expected a map (configuration, parameters) or a model name, got ${describeValue(obj.model)}` });
  }
  const model = modelRef(obj.model);
  if (isMap(obj.model)) {
    for (const key of ['parameters', 'options'] as const) {
      const p = obj.model[key];
      if (p === undefined || p === null) continue;
      if (!isMap(p)) c.add({ path: ['model', key], message: `expected a map, got ${describeValue(p)}` });
      else modelParameters = { ...modelParameters, ...mapParameters(p) };
    }
    for (const k of ['maxTokens', 'temperature', 'topP'] as const) {
      const v = modelParameters[k];
      if (v !== undefined && typeof v !== 'number') {
        const key = isMap(obj.model.options) ? 'options' : 'parameters';
        c.add({ path: ['model', key], message: `${k}: expected a number, got ${describeValue(v)}` });
      }
    }
  }

  // inputs: defaults fill missing case variables; examples make a single case when there is no eval set.
  const defaults: Record<string, unknown> = {};
  const inputExamples: Record<string, unknown> = {};
  const inputs = obj.inputs;
  const inputEntries: [string, unknown][] = isMap(inputs)
    ? Object.entries(inputs)
    : Array.isArray(inputs)
      ? inputs.filter(isMap).map((i) => [String(i.name), i] as [string, unknown])
      : [];
  if (inputs !== undefined && inputs !== null && !isMap(inputs) && !Array.isArray(inputs)) c.add({ path: ['inputs'], message: `expected a map of inputs, got ${describeValue(inputs)}` });
  for (const [k, v] of inputEntries) {
    if (isMap(v)) {
      if (v.default !== undefined) defaults[k] = v.default;
      const ex = v.example ?? v.sample;
      if (ex !== undefined) inputExamples[k] = ex;
    } else if (v !== null && v !== undefined) {
      inputExamples[k] = v; // `inputs: {question: "What is…"}` shorthand
    }
  }

  let sample: Record<string, unknown> | undefined;
  if (obj.sample !== undefined && obj.sample !== null) {
    if (isMap(obj.sample)) sample = obj.sample;
    else {
      const ref = fileRef(obj.sample);
      if (!ref) c.add({ path: ['sample'], message: `expected a map of variables or a file path, got ${describeValue(obj.sample)}` });
      else {
        const r = await readDataFile(path.dirname(file), ref);
        if ('error' in r) c.add({ path: ['sample'], message: r.error });
        else if (isMap(r.value)) sample = r.value;
        else c.add({ path: ['sample'], message: `${ref}: expected a map of variables, got ${describeValue(r.value)}` });
      }
    }
  }

  // body
  const messages = splitPromptyBody(body, bodyStart);
  if (messages.length === 0) c.push({ file, line: bodyStart, col: 1, message: 'no messages: the body after the front matter is empty (write `system:` / `user:` sections)', severity: 'error' });
  for (const m of messages) {
    const err = checkTemplate(m.content);
    if (err) {
      const bodyLines = body.split(/\r?\n/);
      // locate the error in the body: the content starts on the line after its marker
      const rel = m.content.slice(0, err.offset).split('\n').length - 1;
      let first = m.line - bodyStart + (ROLE_LINE.test(bodyLines[m.line - bodyStart] ?? '') ? 1 : 0);
      while (first < bodyLines.length && !bodyLines[first].trim()) first++;
      c.push({ file, line: bodyStart + first + rel, col: 1, message: `template: ${err.message}`, severity: 'error' });
    }
  }

  const common = await parseCommon(c, obj, file);

  // eval set: our keys, else a sibling NAME.cases.jsonl, else the sample / input examples as one case
  let cases: EvalCase[] = common.cases;
  if (obj.testData === undefined && obj.testFile === undefined) {
    // the implicit sibling passes the same gate as a named testFile: a symlink out of the project is refused
    const siblingName = `${path.basename(file).replace(/\.prompty$/i, '')}.cases.jsonl`;
    const sibling = await readProjectFile(path.dirname(file), siblingName);
    if (sibling.ok) {
      const r = await casesFromText(sibling.abs, sibling.content, 0);
      cases = r.cases;
      r.problems.forEach((p) => c.push(p, true));
    } else if (sibling.problem.kind !== 'not-found') {
      c.push({ file, line: 1, col: 1, message: `sibling eval set ${sibling.problem.message}`, severity: 'error' }, true);
    } else {
      const vars = { ...inputExamples, ...(sample ?? {}) };
      if (Object.keys(vars).length) {
        const line = src.keyRange([sample ? 'sample' : 'inputs']).line;
        cases = [{ index: 0, file, line, vars, ...(typeof vars.expected === 'string' ? { expected: vars.expected } : {}) }];
      }
    }
  }
  if (Object.keys(defaults).length) for (const cs of cases) cs.vars = { ...defaults, ...cs.vars };

  if (c.fatal.length) return { fatal: c.fatal, soft: c.soft };

  const keyLines: Record<string, number> = {};
  for (const k of Object.keys(obj)) keyLines[k] = src.keyRange([k]).line;
  const problems: SourceProblem[] = sortProblems(c.soft, file);
  const spec: PromptSpec = {
    format: 'prompty',
    file,
    name,
    ...(description !== undefined ? { description } : {}),
    ...(model !== undefined ? { model } : {}),
    modelParameters,
    messages,
    evaluators: common.evaluators,
    cases,
    examples: common.examples,
    variants: common.variants ?? [{ name: 'default', shots: 0, line: keyLines.model ?? 1 }],
    ...(common.retrieval ? { retrieval: common.retrieval } : {}),
    problems,
    keyLines,
  };
  return { spec, fatal: [], soft: problems };
}
