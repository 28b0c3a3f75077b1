// What a `.prompty` template may do: read the case's plain data and nothing else. A prompt file is workspace
// content, so its template is treated as hostile:
// - no file access: the nunjucks Environment's one loader refuses every name, and `include`, `import`, `from`
//   and `extends` are refused before rendering with the line they are on (Prompty's runtime loads no files);
// - no prototypes: a variable, member, filter or test resolves only through own properties (a null-prototype
//   copy of the data; filter and test names from the fixed lists below), so `constructor`, `__lookupGetter__`
//   and the like resolve to nothing; no function is called (nunjucks' runtime hooks below) and no function
//   value reaches a filter;
// - a budget: a render stops with an error after RENDER_TIME_MS, after MAX_ITERATIONS loop iterations (nested
//   loops count every inner pass) or when a value grows past MAX_VALUE_CHARS, so a hostile file cannot freeze
//   the editor's extension host. nunjucks offers no public hook for lookups and loops, so the render swaps the
//   runtime's lookup, call and iteration functions for checked ones while it runs (synchronously) and puts the
//   originals back after; Mustache lookups go through a Context subclass (Mustache's exported Context API).

import type nunjucks from 'nunjucks';
import type { Context as MustacheContext } from 'mustache';
import { templates } from '../lazy/load';

export const RENDER_TIME_MS = 2000;
export const MAX_ITERATIONS = 100_000;
export const MAX_VALUE_CHARS = 10_000_000;

/** The filters of nunjucks (Jinja2's builtins) a template may use. */
const FILTERS = new Set(
  'abs batch capitalize center default dictsort dump escape safe first forceescape groupby indent join last length list lower nl2br random reject rejectattr select selectattr replace reverse round slice sum sort string striptags title trim truncate upper urlencode urlize wordcount float int d e'.split(' '),
);
/** The tests (`x is odd`) a template may use. */
const TESTS = new Set(
  'callable defined divisibleby escaped equalto eq sameas even falsy ge greaterthan gt le lessthan lt lower ne null number odd string truthy undefined upper iterable mapping'.split(' '),
);
const FILE_TAGS: Record<string, string> = { Include: 'include', Import: 'import', FromImport: 'from', Extends: 'extends' };
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

export class TemplateLimitError extends Error {}

// ---------------------------------------------------------------------------------------------
// The budget of the render in progress

let deadline = 0;
let iterations = 0;

function spend(): void {
  if (deadline && performance.now() > deadline) throw new TemplateLimitError(`the template took longer than ${RENDER_TIME_MS / 1000} s to render (stopped)`);
}

function tooLong(): TemplateLimitError {
  return new TemplateLimitError(`a value in the template grew past ${MAX_VALUE_CHARS.toLocaleString('en')} characters (stopped)`);
}

function checkSize(v: unknown): unknown {
  if (typeof v === 'string' && v.length > MAX_VALUE_CHARS) throw tooLong();
  return v;
}

/** Counts the passes a loop (or a Mustache section over a list) is about to make. */
function countIterations(n: number): void {
  iterations += n;
  if (iterations > MAX_ITERATIONS) throw new TemplateLimitError(`the template's loops ran more than ${MAX_ITERATIONS.toLocaleString('en')} times (stopped)`);
}

/** Runs one render under the budget. */
export function withBudget<T>(fn: () => T): T {
  deadline = performance.now() + RENDER_TIME_MS;
  iterations = 0;
  try {
    return checkSize(fn()) as T;
  } catch (e) {
    // a value past V8's longest string (a concatenation inside a loop): the same stop, said the same way
    if (/Invalid string length/.test(String((e as Error).message))) throw tooLong();
    throw e;
  } finally {
    deadline = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Plain data

/** Copy of the variables holding only plain data: null-prototype objects, no getters or functions. */
export function plainData(v: unknown, seen = new WeakMap<object, unknown>()): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v !== 'object') return undefined;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(plainData(x, seen));
    return out;
  }
  const out = Object.create(null) as Record<string, unknown>;
  seen.set(v, out);
  for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(v))) if (!UNSAFE.has(k) && 'value' in d) out[k] = plainData(d.value, seen);
  return out;
}

/** An own data property of a plain value (string length and characters, array items, object keys), or undefined. */
function own(obj: unknown, prop: unknown): { value: unknown } | undefined {
  if (typeof prop !== 'string' && typeof prop !== 'number') return undefined;
  if (typeof obj === 'string') return prop === 'length' ? { value: obj.length } : /^\d+$/.test(String(prop)) && Number(prop) < obj.length ? { value: obj[Number(prop)] } : undefined;
  if (obj === null || typeof obj !== 'object') return undefined;
  const d = Object.getOwnPropertyDescriptor(obj, prop);
  return d !== undefined && 'value' in d && typeof d.value !== 'function' ? { value: d.value } : undefined;
}

// ---------------------------------------------------------------------------------------------
// nunjucks

/** The one loader: every name is refused (templates have no file access). */
const NO_FILES = {
  getSource(name: string): never {
    throw new Error(`templates have no file access: "${name}" is not loaded`);
  },
};

/** A filter that refuses function values and counts against the budget. */
function guardedFilter(name: string, f: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]) {
    spend();
    for (const a of args) if (typeof a === 'function') throw new Error(`filter ${name}: a function is not a value a template may use`);
    return checkSize(f.apply(this, args));
  };
}

let env: nunjucks.Environment | undefined;

/** The shared Environment: the refusing loader, no autoescape (as Prompty), the allowed filters guarded. */
export function environment(): nunjucks.Environment {
  if (env) return env;
  const { nunjucks } = templates();
  const e = new nunjucks.Environment([NO_FILES as unknown as nunjucks.ILoader], { autoescape: false, throwOnUndefined: false });
  for (const name of FILTERS) e.addFilter(name, guardedFilter(name, e.getFilter(name) as (...args: unknown[]) => unknown));
  return (env = e);
}

type NjNode = { typename: string; value?: unknown; lineno?: number; colno?: number; [k: string]: unknown };

/** The first thing in a parsed template a sandboxed render refuses (file tags, unknown filters and tests), located. */
export function refusedNode(root: unknown): { message: string; line: number; col: number } | undefined {
  const at = (n: NjNode) => ({ line: (n.lineno ?? 0) + 1, col: (n.colno ?? 0) + 1 });
  const visit = (node: unknown): { message: string; line: number; col: number } | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    if (Array.isArray(node)) {
      for (const x of node) {
        const hit = visit(x);
        if (hit) return hit;
      }
      return undefined;
    }
    const n = node as NjNode;
    const tag = FILE_TAGS[n.typename];
    if (tag) return { message: `{% ${tag} %} is not allowed: templates have no file access (write the text into the prompt file)`, ...at(n) };
    if (n.typename === 'Filter' || n.typename === 'FilterAsync') {
      const name = String((n.name as NjNode | undefined)?.value ?? '');
      if (!FILTERS.has(name)) return { message: `unknown filter "${name}"`, ...at(n.name as NjNode) };
    }
    if (n.typename === 'Is') {
      const right = n.right as NjNode | undefined;
      const name = String(right?.typename === 'FunCall' ? (right.name as NjNode).value : right?.value);
      if (!TESTS.has(name)) return { message: `unknown test "${name}"`, ...at(right ?? n) };
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === 'typename' || !v || typeof v !== 'object') continue;
      const hit = visit(v);
      if (hit) return hit;
    }
    return undefined;
  };
  return visit(root);
}

type Runtime = {
  memberLookup: (o: unknown, p: unknown) => unknown;
  callWrap: (f: unknown, name: string, ctx: unknown, args: unknown[]) => unknown;
  contextOrFrameLookup: (context: unknown, frame: unknown, name: string) => unknown;
  fromIterator: (arr: unknown) => unknown;
  suppressValue: (val: unknown, autoescape: boolean) => unknown;
};

function memberLookup(obj: unknown, prop: unknown): unknown {
  spend();
  if (typeof prop === 'string' && UNSAFE.has(prop)) throw new Error(`unsafe template member access: ${prop}`);
  return own(obj, prop)?.value;
}

function callWrap(_f: unknown, name: string): never {
  throw new Error(`template function calls are not allowed: ${name}`);
}

/** A variable: the loop's and `set`'s (the frame), else an own property of the data; never a global. */
function contextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown {
  spend();
  const inFrame = (frame as { lookup(n: string): unknown }).lookup(name);
  if (inFrame !== undefined) return inFrame;
  return own((context as { getVariables(): unknown }).getVariables(), name)?.value;
}

function fromIteratorWith(original: Runtime['fromIterator']): Runtime['fromIterator'] {
  return (arr) => {
    spend();
    const out = original(arr);
    countIterations(Array.isArray(out) ? out.length : typeof out === 'string' ? out.length : out && typeof out === 'object' ? Object.keys(out).length : 0);
    return out;
  };
}

/** Runs a nunjucks render with the checked runtime functions in place. */
export function withSafeRuntime<T>(fn: () => T): T {
  const rt = templates().nunjucks.runtime as unknown as Runtime;
  const saved = { memberLookup: rt.memberLookup, callWrap: rt.callWrap, contextOrFrameLookup: rt.contextOrFrameLookup, fromIterator: rt.fromIterator, suppressValue: rt.suppressValue };
  rt.memberLookup = memberLookup;
  rt.callWrap = callWrap;
  rt.contextOrFrameLookup = contextOrFrameLookup;
  rt.fromIterator = fromIteratorWith(saved.fromIterator);
  // every `{{ value }}` written to the output: its size is checked before it is joined in
  rt.suppressValue = (val, autoescape) => checkSize(saved.suppressValue(checkSize(val), autoescape));
  try {
    return withBudget(fn);
  } finally {
    Object.assign(rt, saved);
  }
}

// ---------------------------------------------------------------------------------------------
// Mustache

let OwnDataContext: (new (view: unknown, parent?: MustacheContext) => MustacheContext) | undefined;

/** A Mustache Context that reads only own data properties (a dotted name walks own properties too). */
function ownDataContext(): new (view: unknown, parent?: MustacheContext) => MustacheContext {
  if (OwnDataContext) return OwnDataContext;
  const { Mustache } = templates();
  class Ctx extends Mustache.Context {
    override push(view: unknown): MustacheContext {
      return new Ctx(view, this);
    }
    override lookup(name: string): unknown {
      spend();
      if (name === '.') return this.view;
      const names = name.split('.');
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk up the context chain starts at this context
      for (let c: MustacheContext | undefined = this; c; c = c.parent) {
        let v: { value: unknown } | undefined = { value: c.view };
        for (const n of names) if (v) v = own(v.value, n);
        if (v) {
          if (Array.isArray(v.value)) countIterations(v.value.length);
          return checkSize(v.value);
        }
      }
      return undefined;
    }
  }
  return (OwnDataContext = Ctx);
}

/** Renders a Mustache template over plain data, own properties only, under the budget. */
export function renderMustache(text: string, vars: Record<string, unknown>): string {
  const { Mustache } = templates();
  const Ctx = ownDataContext();
  return withBudget(() => Mustache.render(text, new Ctx(plainData(vars))));
}
