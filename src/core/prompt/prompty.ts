// Loader for `.prompty` files (v1 and v2 front matter, role-marked body) into the same PromptSpec.
// Role markers follow Prompty's own parser: a line holding only `system:` / `user:` / `assistant:`
// (case-insensitive, optionally `# ` before it and `[name="x"]` attributes after the role).

import * as path from 'node:path';
import type { SourceProblem } from '../errors';
import type { EvalCase, MessageTemplate, PromptSpec, Role } from './spec';
import { describeValue } from './issues';
import { YamlSource } from './source';
import { checkWith } from '../render/engines';
import type { TemplateEngine } from '../render/engines';
import type { IssuePath } from './issues';
import { editDistance } from '../text/editDistance';
import { COMMON_KEYS, Collector, addUnscopedProblems, isMap, parseCommon, sortProblems, warnUnknownKeys } from './common';
import type { LoadResult } from './promptYml';
import { nameFromFile } from './promptYml';
import { modelOf } from './promptyModel';
import { casesFromText } from '../cases/files';
import { readProjectFile } from '../paths';
import { registerSecret } from '../redact';
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

const REF = /^\$\{(env|file):([^}]*)\}$/i;

/** Connection settings whose `${env:}` is resolved: the ones that name the deployment or model to call. */
const ENV_RESOLVED = new Set(['type', 'azure_deployment', 'deployment', 'name', 'model']);
/** An environment variable whose name says it holds a credential is never read into a deployment name. */
const CREDENTIAL_NAME = /KEY|TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|COOKIE|SESSION|AUTH/i;

/**
 * What to do with a `${env:}` reference at `p`: only the model's connection configuration (model.configuration
 * or model.connection, as Prompty) may hold one. There the settings that name the deployment are resolved; the
 * others (endpoints, keys, versions) are left unread, because endpoints and keys always come from the user's
 * settings. Anywhere else a reference is an error at its line, so a workspace file cannot copy a variable into a
 * model id, a request option, a prompt or a run record.
 */
function envRule(p: IssuePath): 'resolve' | 'ignore' | 'refuse' {
  if (p[0] !== 'model' || (p[1] !== 'configuration' && p[1] !== 'connection') || p.length < 3) return 'refuse';
  return p.length === 3 && ENV_RESOLVED.has(String(p[2])) ? 'resolve' : 'ignore';
}

/** Where `${file:}` references are resolved: the model section (not its connection) and the case sources. */
function fileRefAllowed(p: IssuePath): boolean {
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
    if (!m) return value;
    const kind = m[1].toLowerCase();
    if (kind === 'env') return envRule(p) === 'ignore' ? value : resolveEnv(c, m[2], p, env);
    if (!fileRefAllowed(p)) return value;
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

/** A `${env:NAME}` / `${env:NAME:default}` reference at `p` (see envRule); a value read from the environment is redacted everywhere. */
function resolveEnv(c: Collector, ref: string, p: IssuePath, env: NodeJS.ProcessEnv): unknown {
  const at = p.join('.');
  if (envRule(p) === 'refuse') {
    c.add({ path: p, message: `\${env:} is only read in the model's connection settings (model.configuration: type, azure_deployment, name); write the value of ${at} in the file` });
    return undefined;
  }
  const colon = ref.indexOf(':');
  const name = (colon < 0 ? ref : ref.slice(0, colon)).trim();
  if (CREDENTIAL_NAME.test(name)) {
    c.add({ path: p, message: `${name} looks like a credential, not a deployment name: ${at} does not read it (keys come from your settings or environment, never through a prompt file)` });
    return undefined;
  }
  const v = env[name];
  if (v !== undefined && v !== '') {
    registerSecret(v);
    return v;
  }
  if (colon >= 0) return ref.slice(colon + 1);
  c.add({ path: p, message: `environment variable ${name} is not set (Prompty refuses the file too); set it or write the value` });
  return undefined;
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

/** The `---` front matter and the body after it, with the body's first line number. */
function splitFrontMatter(norm: string): { fm: RegExpExecArray | null; front: string; body: string; bodyStart: number } {
  // `---` / `---` with nothing between is a valid (empty) front matter.
  const fm = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/.exec(norm);
  const front = fm ? (fm[1] ?? '') : '';
  const bodyStart = fm ? fm[0].split('\n').length - (fm[0].endsWith('\n') ? 1 : 0) + 1 : 1;
  const body = fm ? norm.slice(fm[0].length) : norm;
  return { fm, front, body, bodyStart };
}

/** inputs: defaults fill missing case variables; examples make a single case when there is no eval set. */
function inputsOf(c: Collector, inputs: unknown): { defaults: Record<string, unknown>; inputExamples: Record<string, unknown> } {
  const defaults: Record<string, unknown> = {};
  const inputExamples: Record<string, unknown> = {};
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
  return { defaults, inputExamples };
}

/** `sample:` as a map of variables, or the path of a file holding one. */
async function sampleOf(c: Collector, value: unknown, file: string): Promise<Record<string, unknown> | undefined> {
  if (value === undefined || value === null) return undefined;
  if (isMap(value)) return value;
  const ref = typeof value === 'string' && value.trim() && !value.trim().startsWith('${') ? value.trim() : undefined;
  if (!ref) {
    c.add({ path: ['sample'], message: `expected a map of variables or a file path, got ${describeValue(value)}` });
    return undefined;
  }
  const r = await readDataFile(path.dirname(file), ref);
  if ('error' in r) c.add({ path: ['sample'], message: r.error });
  else if (isMap(r.value)) return r.value;
  else c.add({ path: ['sample'], message: `${ref}: expected a map of variables, got ${describeValue(r.value)}` });
  return undefined;
}

/** The body's messages, with its problems: over-long lines, no messages, a template error, unknown role markers. */
function messagesOf(c: Collector, file: string, body: string, bodyStart: number, engine: TemplateEngine, hasFrontMatter: boolean): MessageTemplate[] {
  for (const l of longLines(body)) c.push({ file, line: bodyStart + l.line - 1, col: 1, message: longLineMessage(bodyStart + l.line - 1, l.bytes), severity: 'error' });
  const messages = splitPromptyBody(body, bodyStart);
  if (messages.length === 0) {
    c.push({ file, line: bodyStart, col: 1, message: hasFrontMatter ? 'no messages: the body after the front matter is empty (write `system:` / `user:` sections)' : 'no messages: the file is empty (write `system:` / `user:` sections, optionally after a `---` front matter)', severity: 'error' });
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
  return messages;
}

/** Without testData/testFile: a sibling NAME.cases.jsonl, else the sample / input examples as one case. */
async function implicitCases(c: Collector, file: string, src: YamlSource, vars: Record<string, unknown>, fromSample: boolean): Promise<EvalCase[] | undefined> {
  // the implicit sibling passes the same gate as a named testFile: a symlink out of the project is refused
  const siblingName = `${path.basename(file).replace(/\.prompty$/i, '')}.cases.jsonl`;
  const sibling = await readProjectFile(path.dirname(file), siblingName, { maxBytes: MAX_EVAL_SET_BYTES });
  if (sibling.ok) {
    const r = await casesFromText(sibling.abs, sibling.content, 0);
    r.problems.forEach((p) => c.push(p, true));
    return r.cases;
  }
  if (sibling.problem.kind !== 'not-found') {
    c.push({ file, line: 1, col: 1, message: `sibling eval set ${sibling.problem.message}`, severity: 'error' }, true);
    return undefined;
  }
  if (!Object.keys(vars).length) return undefined;
  const line = src.keyRange([fromSample ? 'sample' : 'inputs']).line;
  // every value of the one case came from the file itself (sample / input examples / defaults)
  return [{ index: 0, file, line, vars, ...(typeof vars.expected === 'string' ? { expected: vars.expected } : {}) }];
}

/** The front matter as a map (`obj`), or the result to return at once when it cannot be read (`stop`). */
function readFrontMatter(c: Collector, src: YamlSource, file: string, norm: string, closed: boolean): { obj: Record<string, unknown> } | { stop: LoadResult } {
  if (norm.startsWith('---') && !closed) {
    c.push({ file, line: 1, col: 1, message: 'front matter is not closed: add a line with `---` after it', severity: 'error' });
    return { stop: { fatal: c.fatal, soft: c.soft } };
  }
  if (src.hasErrors) return { stop: { fatal: src.syntaxProblems, soft: [] } };
  src.syntaxProblems.forEach((p) => c.push(p));
  const raw = src.toJS();
  if (!isMap(raw) && raw !== null && raw !== undefined) c.add({ path: [], message: `front matter: expected a map, got ${describeValue(raw)}` });
  return { obj: isMap(raw) ? raw : {} };
}

export async function loadPrompty(file: string, text: string, opts: PromptyLoadOptions = {}): Promise<LoadResult> {
  const norm = text.replace(/^\uFEFF/, '');
  const { fm, front, body, bodyStart } = splitFrontMatter(norm);
  const src = new YamlSource(file, front, 1);
  const c = new Collector(src);
  const read = readFrontMatter(c, src, file, norm, fm !== null);
  if ('stop' in read) return read.stop;
  const obj = read.obj;
  addUnscopedProblems(c, obj);
  warnUnknownKeys(c, obj, PROMPTY_KEYS, []);
  for (const k of ['model', 'inputs', 'sample', 'outputs']) if (k in obj) obj[k] = await resolveRefs(c, obj[k], [k], file, opts.env ?? process.env);

  const name = typeof obj.name === 'string' ? obj.name : nameFromFile(file, /\.prompty$/i);
  const description = typeof obj.description === 'string' ? obj.description : undefined;
  const template = templateEngineOf(c, obj.template);
  const { model, modelHint, modelParameters } = modelOf(c, obj, src, file, fm !== null);
  const { defaults, inputExamples } = inputsOf(c, obj.inputs);
  const sample = await sampleOf(c, obj.sample, file);
  const messages = messagesOf(c, file, body, bodyStart, template ?? 'jinja2', fm !== null);
  const common = await parseCommon(c, obj, file);

  // eval set: our keys, else a sibling NAME.cases.jsonl, else the sample / input examples as one case
  let cases: EvalCase[] = common.cases;
  if (obj.testData === undefined && obj.testFile === undefined) {
    cases = (await implicitCases(c, file, src, { ...defaults, ...inputExamples, ...(sample ?? {}) }, sample !== undefined)) ?? cases;
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
