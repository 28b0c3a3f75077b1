// The template engines a prompt file's messages are rendered with, chosen by format:
// - `.prompt.yml` → 'gh': gh-models' literal `{{name}}` replacement and nothing else, see ghTemplate.ts;
// - `.prompty` → 'jinja2' (nunjucks, as Prompty's JavaScript runtime renders it: no autoescape, an undefined
//   variable renders empty) or 'mustache' when the file says `template: mustache` (Mustache.render, as Prompty).
// Like Prompty's runtime, a template has no file access, may not call functions and may read only plain own data
// properties, so a workspace file cannot reach `constructor`, read a file or freeze the editor (see sandbox.ts).

import type nunjucks from 'nunjucks';
import { templates } from '../lazy/load';
import { environment, plainData, refusedNode, renderMustache, withSafeRuntime } from './sandbox';
import { ghTemplate, ghVariables } from './ghTemplate';

export type TemplateEngine = 'gh' | 'jinja2' | 'mustache';

export interface TemplateProblem {
  message: string;
  /** 1-based line and column inside the template text. */
  line: number;
  col: number;
}

const compiledCache = new Map<string, nunjucks.Template>();
/** The compiled template; throws (located) for what the sandbox refuses: file tags, unknown filters or tests. */
function compiled(text: string): nunjucks.Template {
  let t = compiledCache.get(text);
  if (!t) {
    const { nunjucks } = templates();
    // (nunjucks exports its parser; @types/nunjucks does not declare it)
    const refused = refusedNode((nunjucks as unknown as { parser: { parse(src: string): unknown } }).parser.parse(text));
    if (refused) throw Object.assign(new Error(refused.message), { lineno: refused.line, colno: refused.col, located: true });
    t = new nunjucks.Template(text, environment(), undefined, true);
    if (compiledCache.size > 500) compiledCache.clear();
    compiledCache.set(text, t);
  }
  return t;
}

/** Strip nunjucks' "(unknown path) [Line 3, Column 5]\n  Template render error: …" decoration. */
function cleanMessage(e: Error): string {
  const lines = e.message.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1] ?? e.message;
  return last.replace(/^\(unknown path\)\s*/, '').replace(/^Template render error:\s*/, '').replace(/^\[Line \d+, Column \d+\]\s*/, '');
}

function position(e: Error): { line: number; col: number } {
  const located = e as Error & { located?: boolean; lineno?: number; colno?: number };
  if (located.located) return { line: located.lineno ?? 1, col: located.colno ?? 1 };
  const m = /\[Line (\d+), Column (\d+)\]/.exec(e.message);
  const ne = e as Error & { lineno?: number; colno?: number };
  if (m) return { line: Number(m[1]), col: Math.max(1, Number(m[2])) };
  return { line: ne.lineno ?? 1, col: Math.max(1, ne.colno ?? 1) };
}

/** Render a template; a render-time failure (a disallowed call) throws an Error with a clean message. */
export function renderWith(engine: TemplateEngine, text: string, vars: Record<string, unknown>): string {
  if (engine === 'gh') return ghTemplate(text, vars);
  if (engine === 'mustache') {
    try {
      return renderMustache(text, vars);
    } catch (e) {
      throw new Error(`template: ${(e as Error).message}`, { cause: e });
    }
  }
  if (!text.includes('{')) return text;
  try {
    return withSafeRuntime(() => compiled(text).render(plainData(vars) as object));
  } catch (e) {
    throw new Error(`template: ${cleanMessage(e as Error)}`, { cause: e });
  }
}

/** A syntax problem of a template, or undefined. */
export function checkWith(engine: TemplateEngine, text: string): TemplateProblem | undefined {
  // gh's rule has no syntax: every text is a valid template.
  if (engine === 'gh') return undefined;
  if (engine === 'mustache') {
    try {
      templates().Mustache.parse(text);
      return undefined;
    } catch (e) {
      const m = /at (\d+)/.exec((e as Error).message);
      const before = text.slice(0, m ? Number(m[1]) : 0).split('\n');
      return { message: (e as Error).message, line: before.length, col: before[before.length - 1].length + 1 };
    }
  }
  if (!text.includes('{')) return undefined;
  try {
    compiled(text);
    return undefined;
  } catch (e) {
    const message = cleanMessage(e as Error);
    if (/unexpected end of file|expected elif, else, or endif|expected endfor|expected endraw/.test(message)) {
      const open = unclosedBlock(text);
      if (open) return open;
    }
    return { message, ...position(e as Error) };
  }
}

const BLOCKS = ['for', 'if', 'raw', 'macro', 'call', 'filter', 'block'];

/** The innermost `{% for %}` / `{% if %}` … left open at the end of the text (nunjucks does not say which). */
function unclosedBlock(text: string): TemplateProblem | undefined {
  const stack: { tag: string; at: number }[] = [];
  for (const m of text.matchAll(/\{%-?\s*(end)?(\w+)/g)) {
    const tag = m[2];
    if (!m[1] && BLOCKS.includes(tag)) stack.push({ tag, at: m.index ?? 0 });
    else if (m[1] && BLOCKS.includes(tag)) {
      const i = stack.map((s) => s.tag).lastIndexOf(tag);
      if (i >= 0) stack.splice(i);
    }
  }
  const top = stack[stack.length - 1];
  if (!top) return undefined;
  const before = text.slice(0, top.at).split('\n');
  return { message: `{% ${top.tag} %} without {% end${top.tag} %}`, line: before.length, col: before[before.length - 1].length + 1 };
}

type NjNode = { typename: string; value?: unknown; name?: NjNode; target?: NjNode; children?: NjNode[]; [k: string]: unknown };

/** Top-level variable names a template reads (loop targets, `loop` and {% set %} names excluded), in order of use. */
export function variablesWith(engine: TemplateEngine, text: string): string[] {
  if (engine === 'gh') return ghVariables(text);
  if (engine === 'mustache') return mustacheVariables(text);
  return nunjucksVariables(text);
}

/** Names a Mustache template reads at the top level; a template that does not parse reads none. */
function mustacheVariables(text: string): string[] {
  let tokens: [string, string, number, number, unknown[]?][];
  try {
    tokens = templates().Mustache.parse(text) as typeof tokens;
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const t of tokens) {
    // a section's own name is read; names inside it may come from the section's object, so they are not top-level needs
    if (t[0] === 'name' || t[0] === '&' || t[0] === '{' || t[0] === '#' || t[0] === '^') names.push(t[1].split('.')[0]);
  }
  return [...new Set(names.filter((n) => n && n !== '.'))];
}

/** Names a nunjucks template reads that nothing in it binds, from its parse tree; a template that does not parse reads none. */
function nunjucksVariables(text: string): string[] {
  let root: NjNode;
  try {
    root = (templates().nunjucks as unknown as { parser: { parse(src: string): NjNode } }).parser.parse(text);
  } catch {
    return [];
  }
  const seen: string[] = [];
  visitNunjucks(root, new Set(), seen);
  return seen;
}

/** Adds to `seen` each free variable under `node`; `bound` holds the names loops and {% set %} bind in scope. */
function visitNunjucks(node: unknown, bound: Set<string>, seen: string[]): void {
  if (!node || typeof node !== 'object') return;
  const visit = (child: unknown, scope = bound) => visitNunjucks(child, scope, seen);
  if (Array.isArray(node)) {
    for (const n of node) visit(n);
    return;
  }
  const n = node as NjNode;
  switch (n.typename) {
    case 'Symbol': {
      const name = String(n.value);
      if (!bound.has(name) && !seen.includes(name)) seen.push(name);
      return;
    }
    case 'LookupVal':
      visit(n.target);
      // `a[b]` reads b; `a.b` is a Literal key
      visit(n.val);
      return;
    case 'For':
    case 'AsyncEach':
    case 'AsyncAll':
      visit(n.arr);
      visit(n.body, loopScope(n, bound));
      visit(n.else_);
      return;
    case 'Set':
      visit(n.value);
      visit(n.body);
      for (const t of (n.targets as NjNode[]) ?? []) if (t.typename === 'Symbol') bound.add(String(t.value));
      return;
    case 'FunCall':
      visit(n.name);
      visit(n.args);
      return;
    case 'Filter':
      // the filter's name is not a variable; its arguments are
      visit(n.args);
      return;
    case 'Pair':
      visit(n.value);
      return;
  }
  for (const [k, v] of Object.entries(n)) {
    if (k === 'typename' || k === 'lineno' || k === 'colno') continue;
    if (v && typeof v === 'object') visit(v);
  }
}

/** The names bound inside a loop's body: the outer ones, `loop`, and the loop's targets (`for k, v in …`). */
function loopScope(loop: NjNode, bound: Set<string>): Set<string> {
  const inner = new Set([...bound, 'loop']);
  const addTarget = (t: unknown): void => {
    const tn = t as NjNode;
    if (!tn) return;
    if (tn.typename === 'Symbol') inner.add(String(tn.value));
    else if (Array.isArray(tn.children)) tn.children.forEach(addTarget);
  };
  addTarget(loop.name);
  return inner;
}
