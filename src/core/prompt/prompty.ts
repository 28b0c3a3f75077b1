// Loader for `.prompty` files (v1 and v2 front matter, role-marked body) into the same PromptSpec.
// Role markers follow Prompty's own parser: a line holding only `system:` / `user:` / `assistant:`
// (case-insensitive, optionally `# ` before it and `[name="x"]` attributes after the role).

import * as path from 'node:path';
import type { SourceProblem } from '../errors';
import type { EvalCase, MessageTemplate, ModelParameters, PromptSpec, Role } from './spec';
import { describeValue } from './issues';
import { YamlSource } from './source';
import { checkWith } from '../render/engines';
import type { TemplateEngine } from '../render/engines';
import type { IssuePath } from './issues';
import { COMMON_KEYS, Collector, addUnscopedProblems, isMap, parseCommon, sortProblems, warnUnknownKeys } from './common';
import type { LoadResult } from './promptYml';
import { nameFromFile } from './promptYml';
import { casesFromText } from '../cases/files';
import { readProjectFile } from '../paths';
import { MAX_EVAL_SET_BYTES, MAX_YAML_BYTES, longLineMessage, longLines } from '../limits';

const PROMPTY_KEYS = [
  '$schema',
  'kind',
  'tools',
  'instructions',
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

const ROLE_LINE = /^\s*#?\s*(system|user|assistant|developer)(\[[^\]]*\])?\s*:\s*$/i;
/** A line that looks like a role marker Prompty does not know (`human:`, `asistant:`): text for Prompty, a likely typo. */
const MARKER_LIKE = /^\s*#?\s*([A-Za-z_]+)(\[[^\]]*\])?\s*:\s*$/;
const KNOWN_ROLES = ['system', 'user', 'assistant', 'developer'];
const ROLE_LOOKALIKES = new Set(['human', 'ai', 'bot', 'function', 'tool', 'model', 'chatbot']);

/** Prompty's `developer` role is sent as `system` (the instructions role every OpenAI-compatible server accepts). */
function roleOf(marker: string): Role {
  const r = marker.toLowerCase();
  return r === 'developer' ? 'system' : (r as Role);
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** Lines of a body that look like a misspelt or foreign role marker, with their 1-based line. */
export function unknownRoleMarkers(body: string, firstLine: number): { line: number; marker: string }[] {
  const out: { line: number; marker: string }[] = [];
  body.split(/\r?\n/).forEach((l, i) => {
    if (ROLE_LINE.test(l)) return;
    const m = MARKER_LIKE.exec(l);
    if (!m) return;
    const w = m[1].toLowerCase();
    if (ROLE_LOOKALIKES.has(w) || (w.length >= 3 && KNOWN_ROLES.some((r) => editDistance(w, r) <= 2))) out.push({ line: firstLine + i, marker: m[1] });
  });
  return out;
}

/**
 * Prompty renders the whole body and then splits it on role markers, so a loop can emit chat history
 * (`{{ item.role }}:` lines). Re-split a rendered message the same way: text before the first marker keeps `role`.
 */
export function splitRenderedRoles(role: Role, content: string): { role: Role; content: string }[] {
  if (!/^\s*#?\s*(system|user|assistant|developer)\b/im.test(content)) return [{ role, content }];
  const out: { role: Role; lines: string[] }[] = [{ role, lines: [] }];
  for (const l of content.split('\n')) {
    const m = ROLE_LINE.exec(l);
    if (m) out.push({ role: roleOf(m[1]), lines: [] });
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
      cur = { role: roleOf(m[1]), line: firstLine + i, lines: [] };
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

/** The `model.configuration.type` values Prompty's runtimes know (lower-cased). */
const PROMPTY_CONFIGURATION_TYPES = ['azure_openai', 'azure', 'openai', 'serverless', 'azure_serverless'];

const REF = /^\$\{(env|file):([^}]*)\}$/i;

/** Where `${env:}` and `${file:}` references are resolved: the model section (env and files) and the case sources (files). */
function refAllowed(kind: string, p: IssuePath): boolean {
  // env: only the values that say which model to call and how; endpoints and keys always come from the user's
  // settings, so `${env:AZURE_OPENAI_API_KEY}` there is left alone (and needs not be set).
  if (kind === 'env') {
    if (p[0] !== 'model') return false;
    if (p.length === 2) return ['id', 'provider', 'api', 'apiType'].includes(String(p[1]));
    if (p[1] === 'configuration') return p.length === 3 && ['type', 'azure_deployment', 'name', 'model', 'deployment'].includes(String(p[2]));
    return p[1] === 'options' || p[1] === 'parameters';
  }
  return (p[0] === 'model' && p[1] !== 'connection') || p[0] === 'inputs' || p[0] === 'sample' || p[0] === 'outputs';
}

export interface PromptyLoadOptions {
  /** The environment `${env:NAME}` reads (default process.env). Never a workspace file. */
  env?: NodeJS.ProcessEnv;
}

/** A file a prompt file names (`sample`, `${file:}`), read through the containment gate: JSON, YAML, else text. */
async function readDataFile(baseDir: string, ref: string): Promise<{ value: unknown } | { error: string }> {
  const r = await readProjectFile(baseDir, ref, { maxBytes: MAX_YAML_BYTES });
  if (!r.ok) return { error: r.problem.message };
  const f = r.abs.toLowerCase();
  try {
    if (f.endsWith('.json')) return { value: JSON.parse(r.content) };
    if (f.endsWith('.yml') || f.endsWith('.yaml')) {
      const src = new YamlSource(r.abs, r.content);
      const bad = src.hasErrors ? src.syntaxProblems.find((p) => p.severity === 'error') : src.scoped[0];
      if (bad) return { error: `cannot read ${ref}: line ${bad.line}: ${bad.message}` };
      return { value: src.toJS() };
    }
    return { value: r.content };
  } catch (e) {
    return { error: `cannot read ${ref}: ${(e as Error).message.split('\n')[0]}` };
  }
}

/**
 * Resolve Prompty v2 references in the front matter, in place: `${env:NAME}` / `${env:NAME:default}` from the user's
 * environment (model section only, so a workspace file cannot copy a secret into a prompt or a run record),
 * `${file:path}` as JSON/YAML (text otherwise) from inside the project. Problems are located at the value.
 */
async function resolveRefs(c: Collector, value: unknown, p: IssuePath, file: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  if (typeof value === 'string') {
    const m = REF.exec(value.trim());
    if (!m || !refAllowed(m[1].toLowerCase(), p)) return value;
    const kind = m[1].toLowerCase();
    if (kind === 'env') {
      const colon = m[2].indexOf(':');
      const name = (colon < 0 ? m[2] : m[2].slice(0, colon)).trim();
      const v = env[name];
      const got = v !== undefined && v !== '' ? v : colon >= 0 ? m[2].slice(colon + 1) : undefined;
      // a parameter from the environment is text: `0.2` means the number, `true` the boolean
      const typed = (t: string): unknown => (/^-?\d+(\.\d+)?$/.test(t.trim()) ? Number(t) : /^(true|false)$/i.test(t.trim()) ? t.trim().toLowerCase() === 'true' : t);
      if (got !== undefined) return p[1] === 'options' || p[1] === 'parameters' ? typed(got) : got;
      c.add({ path: p, message: `environment variable ${name} is not set (Prompty refuses the file too); set it or write the value` });
      return undefined;
    }
    const ref = m[2].trim();
    const r = await readDataFile(path.dirname(file), ref);
    if ('error' in r) {
      c.add({ path: p, message: r.error });
      return undefined;
    }
    return r.value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = await resolveRefs(c, value[i], [...p, i], file, env);
    return value;
  }
  if (isMap(value)) {
    for (const k of Object.keys(value)) value[k] = await resolveRefs(c, value[k], [...p, k], file, env);
  }
  return value;
}

/** Which engine renders the body: v1 `template: jinja2|mustache`, v2 `template: {format: {kind}}` or `{format: name}`. */
function templateEngineOf(c: Collector, t: unknown): TemplateEngine | undefined {
  if (t === undefined || t === null) return undefined;
  let kind: unknown = t;
  if (isMap(t)) kind = isMap(t.format) ? t.format.kind : (t.format ?? t.type);
  if (kind === undefined || kind === null) return undefined;
  const k = String(kind).toLowerCase();
  if (k === 'jinja2' || k === 'jinja' || k === 'nunjucks') return 'jinja2';
  if (k === 'mustache') return 'mustache';
  c.add({ path: ['template'], message: `unknown template format "${String(kind)}"; expected jinja2 or mustache (rendered as jinja2)`, severity: 'warning' });
  return undefined;
}

export async function loadPrompty(file: string, text: string, opts: PromptyLoadOptions = {}): Promise<LoadResult> {
  const norm = text.replace(/^\uFEFF/, '');
  // `---` / `---` with nothing between is a valid (empty) front matter.
  const fm = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/.exec(norm);
  const front = fm ? (fm[1] ?? '') : '';
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
  addUnscopedProblems(c, obj);
  warnUnknownKeys(c, obj, PROMPTY_KEYS, []);
  for (const k of ['model', 'inputs', 'sample', 'outputs']) if (k in obj) obj[k] = await resolveRefs(c, obj[k], [k], file, opts.env ?? process.env);

  const name = typeof obj.name === 'string' ? obj.name : nameFromFile(file, /\.prompty$/i);
  const description = typeof obj.description === 'string' ? obj.description : undefined;
  const template = templateEngineOf(c, obj.template);
  // model: v1 {api, configuration, parameters}; v2 {id, provider, connection, options}; or a plain string.
  let modelParameters: ModelParameters = {};
  if (obj.model !== undefined && obj.model !== null && typeof obj.model !== 'string' && !isMap(obj.model)) {
    c.add({ path: ['model'], message: `expected a map (configuration, parameters) or a model name, got ${describeValue(obj.model)}` });
  }
  const model = modelRef(obj.model);
  let modelHint: string | undefined;
  if (isMap(obj.model)) {
    const confKey = obj.model.configuration !== undefined ? 'configuration' : obj.model.connection !== undefined ? 'connection' : undefined;
    const conf = confKey ? obj.model[confKey] : undefined;
    if (confKey && conf !== null && !isMap(conf) && !(typeof conf === 'string' && conf.trim().startsWith('${'))) {
      c.add({ path: ['model', confKey], message: `expected a map (type, azure_deployment or name, …), got ${describeValue(conf)}` });
    } else if (confKey && isMap(conf) && conf.type !== undefined) {
      const type = String(conf.type).toLowerCase();
      if (!PROMPTY_CONFIGURATION_TYPES.includes(type)) {
        c.add({
          path: ['model', confKey, 'type'],
          message: `unknown configuration type "${String(conf.type)}" (Prompty's: ${PROMPTY_CONFIGURATION_TYPES.join(', ')}); the model is called through the default provider`,
          severity: 'warning',
        });
      }
    }
    if (model === undefined) {
      const at = src.keyRange(confKey && isMap(conf) ? ['model', confKey] : ['model']).line;
      modelHint = confKey && isMap(conf)
        ? `${path.basename(file)}:${at}: model.${confKey} names no deployment or model (azure_deployment for type azure_openai, name for openai)`
        : `${path.basename(file)}:${at}: the model section names no model (id, or configuration with azure_deployment / name)`;
    }
  } else if (model === undefined) {
    modelHint = fm
      ? `${path.basename(file)}:1: the front matter has no model section`
      : `${path.basename(file)}:1: the file has no front matter (a --- block with model:), so it names no model`;
  }
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
  const fileRef = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() && !v.trim().startsWith('${') ? v.trim() : undefined);
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
  for (const l of longLines(body)) c.push({ file, line: bodyStart + l.line - 1, col: 1, message: longLineMessage(bodyStart + l.line - 1, l.bytes), severity: 'error' });
  const engine: TemplateEngine = template ?? 'jinja2';
  const messages = splitPromptyBody(body, bodyStart);
  if (messages.length === 0) {
    c.push({ file, line: bodyStart, col: 1, message: fm ? 'no messages: the body after the front matter is empty (write `system:` / `user:` sections)' : 'no messages: the file is empty (write `system:` / `user:` sections, optionally after a `---` front matter)', severity: 'error' });
  }
  // Prompty renders the whole body, then splits it on role markers: check it as one template.
  const err = checkWith(engine, body);
  if (err) c.push({ file, line: bodyStart + err.line - 1, col: err.col, message: `template (${engine}): ${err.message}`, severity: 'error' });
  for (const u of unknownRoleMarkers(body, bodyStart)) {
    c.push({
      file,
      line: u.line,
      col: 1,
      message: `unknown role marker "${u.marker}:"; Prompty starts messages only at system:, user:, assistant: or developer:, so this line stays text of the message before it`,
      severity: 'warning',
    });
  }

  const common = await parseCommon(c, obj, file);

  // eval set: our keys, else a sibling NAME.cases.jsonl, else the sample / input examples as one case
  let cases: EvalCase[] = common.cases;
  if (obj.testData === undefined && obj.testFile === undefined) {
    // the implicit sibling passes the same gate as a named testFile: a symlink out of the project is refused
    const siblingName = `${path.basename(file).replace(/\.prompty$/i, '')}.cases.jsonl`;
    const sibling = await readProjectFile(path.dirname(file), siblingName, { maxBytes: MAX_EVAL_SET_BYTES });
    if (sibling.ok) {
      const r = await casesFromText(sibling.abs, sibling.content, 0);
      cases = r.cases;
      r.problems.forEach((p) => c.push(p, true));
    } else if (sibling.problem.kind !== 'not-found') {
      c.push({ file, line: 1, col: 1, message: `sibling eval set ${sibling.problem.message}`, severity: 'error' }, true);
    } else {
      const vars = { ...defaults, ...inputExamples, ...(sample ?? {}) };
      if (Object.keys(vars).length) {
        const line = src.keyRange([sample ? 'sample' : 'inputs']).line;
        // every value of the one case came from the file itself (sample / input examples / defaults)
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
    ...(modelHint !== undefined ? { modelHint } : {}),
    modelParameters,
    ...(template ? { template } : {}),
    messages,
    body: { text: body, line: bodyStart },
    evaluators: common.evaluators,
    ...(common.declaredEvaluators !== undefined ? { declaredEvaluators: common.declaredEvaluators } : {}),
    cases,
    examples: common.examples,
    variants: common.variants ?? [{ name: 'default', shots: 0, line: keyLines.model ?? 1 }],
    ...(common.retrieval ? { retrieval: common.retrieval } : {}),
    problems,
    keyLines,
  };
  return { spec, fatal: [], soft: problems };
}
