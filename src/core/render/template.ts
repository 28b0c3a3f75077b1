// Message templating: gh-compatible `{{name}}` replacement plus the Jinja subset Prompty files use
// (`{% for %}`, `{% if/elif/else %}`, filters, dotted paths, `loop.*`). A tiny parser/interpreter; no eval().
//
// gh-models semantics (github/gh-models pkg/prompt/prompt.go, TemplateString): for each row key it replaces the
// literal text `{{key}}` (no whitespace inside the braces) with the value — strings as is, anything else via Go's
// fmt `%v`. Placeholders whose name is not a row key are left untouched, and keys may hold any characters
// (`{{ticket id}}`). We match that: a `{{...}}` whose inner text is exactly a variable name is replaced; an unknown
// plain variable stays as written. Differences, on purpose: whitespace inside the braces is allowed
// (`{{ name }}`), objects/arrays are stringified as JSON (Go would print `map[a:1]` / `[a b]`), null renders as ''
// (Go: `<nil>`), and replacement is a single pass (gh replaces key by key, so a value holding `{{other}}` could be
// expanded again depending on Go's random map order).

export class TemplateError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the template text. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

// ---------- tokens ----------

type Tok =
  | { t: 'text'; v: string; at: number }
  | { t: 'out'; v: string; raw: string; at: number }
  | { t: 'tag'; v: string; at: number };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  const re = /\{\{-?([\s\S]*?)-?\}\}|\{%(-?)([\s\S]*?)(-?)%\}|\{#[\s\S]*?#\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let trimNext = false;
  while ((m = re.exec(src))) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    const trimPrev = m[0].startsWith('{{-') || m[0].startsWith('{%-');
    if (trimPrev) text = text.replace(/\s+$/, '');
    if (text) toks.push({ t: 'text', v: text, at: last });
    trimNext = m[0].endsWith('-}}') || m[0].endsWith('-%}');
    if (m[0].startsWith('{{')) toks.push({ t: 'out', v: m[1], raw: m[0], at: m.index });
    else if (m[0].startsWith('{%')) toks.push({ t: 'tag', v: m[3].trim(), at: m.index });
    last = m.index + m[0].length;
  }
  let rest = src.slice(last);
  if (trimNext) rest = rest.replace(/^\s+/, '');
  if (rest) toks.push({ t: 'text', v: rest, at: last });
  // A `{% ... %}` tag on a line of its own leaves no blank line behind, as with Jinja's trim_blocks +
  // lstrip_blocks. (Plain Jinja settings would keep those newlines; only whitespace differs.)
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    if (tk.t !== 'tag') continue;
    const prev = toks[i - 1];
    const next = toks[i + 1];
    const prevOk = !prev || (prev.t === 'text' && /(^|\n)[ \t]*$/.test(prev.v)) || prev.t === 'tag';
    const nextOk = !next || (next.t === 'text' && /^[ \t]*(\r?\n|$)/.test(next.v)) || next.t === 'tag';
    if (prevOk && nextOk) {
      if (prev && prev.t === 'text') prev.v = prev.v.replace(/[ \t]*$/, '');
      if (next && next.t === 'text') next.v = next.v.replace(/^[ \t]*(\r?\n)?/, '');
    }
  }
  return toks;
}

// ---------- expressions ----------

type Expr =
  | { k: 'lit'; v: unknown }
  | { k: 'var'; name: string }
  | { k: 'get'; obj: Expr; key: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'filter'; e: Expr; name: string; args: Expr[] }
  | { k: 'list'; items: Expr[] };

const EXPR_TOKEN = /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|[<>|.,()[\]~+]))/y;

class ExprParser {
  private toks: string[] = [];
  private kinds: ('num' | 'str' | 'id' | 'op')[] = [];
  private i = 0;
  constructor(
    src: string,
    private readonly at: number,
  ) {
    EXPR_TOKEN.lastIndex = 0;
    let pos = 0;
    while (pos < src.length) {
      if (/^\s*$/.test(src.slice(pos))) break;
      EXPR_TOKEN.lastIndex = pos;
      const m = EXPR_TOKEN.exec(src);
      if (!m) throw new TemplateError(`cannot read expression "${src.trim()}"`, at);
      if (m[1] !== undefined) (this.toks.push(m[1]), this.kinds.push('num'));
      else if (m[2] !== undefined) (this.toks.push(m[2]), this.kinds.push('str'));
      else if (m[3] !== undefined) (this.toks.push(m[3]), this.kinds.push('id'));
      else (this.toks.push(m[4]), this.kinds.push('op'));
      pos = EXPR_TOKEN.lastIndex;
    }
  }
  peek(): string | undefined {
    return this.toks[this.i];
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  next(): string {
    const t = this.toks[this.i++];
    if (t === undefined) throw new TemplateError('unexpected end of expression', this.at);
    return t;
  }
  expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new TemplateError(`expected "${t}", got "${got}"`, this.at);
  }
  ident(): string {
    const k = this.kinds[this.i];
    const t = this.next();
    if (k !== 'id') throw new TemplateError(`expected a name, got "${t}"`, this.at);
    return t;
  }
  parse(): Expr {
    const e = this.or();
    return e;
  }
  end(): void {
    if (!this.done()) throw new TemplateError(`unexpected "${this.peek()}"`, this.at);
  }
  private or(): Expr {
    let a = this.and();
    while (this.peek() === 'or') (this.next(), (a = { k: 'bin', op: 'or', a, b: this.and() }));
    return a;
  }
  private and(): Expr {
    let a = this.not();
    while (this.peek() === 'and') (this.next(), (a = { k: 'bin', op: 'and', a, b: this.not() }));
    return a;
  }
  private not(): Expr {
    if (this.peek() === 'not' && this.kinds[this.i] === 'id') {
      this.next();
      return { k: 'not', e: this.not() };
    }
    return this.cmp();
  }
  private cmp(): Expr {
    const a = this.concat();
    const op = this.peek();
    if (op && ['==', '!=', '<', '>', '<=', '>='].includes(op)) {
      this.next();
      return { k: 'bin', op, a, b: this.concat() };
    }
    if (op === 'in') {
      this.next();
      return { k: 'bin', op: 'in', a, b: this.concat() };
    }
    if (op === 'not' && this.toks[this.i + 1] === 'in') {
      this.i += 2;
      return { k: 'not', e: { k: 'bin', op: 'in', a, b: this.concat() } };
    }
    return a;
  }
  private concat(): Expr {
    let a = this.filtered();
    while (this.peek() === '~' || this.peek() === '+') {
      const op = this.next();
      a = { k: 'bin', op, a, b: this.filtered() };
    }
    return a;
  }
  private filtered(): Expr {
    let e = this.postfix();
    while (this.peek() === '|') {
      this.next();
      const name = this.ident();
      const args: Expr[] = [];
      if (this.peek() === '(') {
        this.next();
        while (this.peek() !== ')') {
          args.push(this.or());
          if (this.peek() === ',') this.next();
          else break;
        }
        this.expect(')');
      }
      e = { k: 'filter', e, name, args };
    }
    return e;
  }
  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.peek() === '.') {
        this.next();
        e = { k: 'get', obj: e, key: { k: 'lit', v: this.ident() } };
      } else if (this.peek() === '[') {
        this.next();
        const key = this.or();
        this.expect(']');
        e = { k: 'get', obj: e, key };
      } else return e;
    }
  }
  private primary(): Expr {
    const kind = this.kinds[this.i];
    const t = this.next();
    if (kind === 'num') return { k: 'lit', v: Number(t) };
    if (kind === 'str') return { k: 'lit', v: t.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)) };
    if (kind === 'id') {
      if (t === 'true' || t === 'True') return { k: 'lit', v: true };
      if (t === 'false' || t === 'False') return { k: 'lit', v: false };
      if (t === 'none' || t === 'None' || t === 'null') return { k: 'lit', v: null };
      return { k: 'var', name: t };
    }
    if (t === '(') {
      const e = this.or();
      this.expect(')');
      return e;
    }
    if (t === '[') {
      const items: Expr[] = [];
      while (this.peek() !== ']') {
        items.push(this.or());
        if (this.peek() === ',') this.next();
        else break;
      }
      this.expect(']');
      return { k: 'list', items };
    }
    throw new TemplateError(`unexpected "${t}"`, this.at);
  }
}

function parseExpr(src: string, at: number): Expr {
  const p = new ExprParser(src, at);
  const e = p.parse();
  p.end();
  return e;
}

// ---------- statements ----------

type Node =
  | { k: 'text'; v: string }
  | { k: 'out'; e?: Expr; inner: string; raw: string }
  | { k: 'for'; names: string[]; iter: Expr; body: Node[]; else: Node[] }
  | { k: 'if'; branches: { cond: Expr; body: Node[] }[]; else: Node[] };

function parseTemplate(src: string): Node[] {
  const toks = tokenize(src);
  let i = 0;
  // Parse until one of `stops` tags; returns nodes and the stop tag met.
  function block(stops: string[]): { nodes: Node[]; stop?: Tok & { t: 'tag' } } {
    const nodes: Node[] = [];
    while (i < toks.length) {
      const tk = toks[i++];
      if (tk.t === 'text') nodes.push({ k: 'text', v: tk.v });
      else if (tk.t === 'out') {
        let e: Expr | undefined;
        try {
          e = parseExpr(tk.v, tk.at);
        } catch {
          e = undefined; // e.g. `{{ticket id}}`: only a row key of that exact name can fill it
        }
        nodes.push({ k: 'out', e, inner: tk.v.trim(), raw: tk.raw });
      } else {
        const word = tk.v.split(/\s+/)[0];
        if (stops.includes(word)) return { nodes, stop: tk };
        if (word === 'for') {
          const m = /^for\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+in\s+([\s\S]+)$/.exec(tk.v);
          if (!m) throw new TemplateError(`cannot read "{% ${tk.v} %}"; expected {% for x in list %}`, tk.at);
          const iter = parseExpr(m[2], tk.at);
          const body = block(['endfor', 'else']);
          let elseNodes: Node[] = [];
          if (body.stop?.v === 'else') {
            const e = block(['endfor']);
            if (!e.stop) throw new TemplateError('{% for %} without {% endfor %}', tk.at);
            elseNodes = e.nodes;
          } else if (!body.stop) throw new TemplateError('{% for %} without {% endfor %}', tk.at);
          nodes.push({ k: 'for', names: m[1].split(',').map((s) => s.trim()), iter, body: body.nodes, else: elseNodes });
        } else if (word === 'if') {
          const branches: { cond: Expr; body: Node[] }[] = [];
          let cond = parseExpr(tk.v.slice(2), tk.at);
          let elseNodes: Node[] = [];
          for (;;) {
            const b = block(['elif', 'else', 'endif']);
            if (!b.stop) throw new TemplateError('{% if %} without {% endif %}', tk.at);
            branches.push({ cond, body: b.nodes });
            if (b.stop.v.startsWith('elif')) {
              cond = parseExpr(b.stop.v.slice(4), b.stop.at);
              continue;
            }
            if (b.stop.v === 'else') {
              const e = block(['endif']);
              if (!e.stop) throw new TemplateError('{% if %} without {% endif %}', tk.at);
              elseNodes = e.nodes;
            }
            break;
          }
          nodes.push({ k: 'if', branches, else: elseNodes });
        } else {
          throw new TemplateError(`unexpected {% ${word} %}`, tk.at);
        }
      }
    }
    return { nodes };
  }
  const r = block([]);
  return r.nodes;
}

// ---------- evaluation ----------

type Scope = Record<string, unknown>;

function lookup(scope: Scope, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(scope, name) ? scope[name] : undefined;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function looseEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return (a === null || a === undefined) && (b === null || b === undefined);
}

/** How a value prints into a message: strings as is, objects/arrays as JSON, null/undefined as ''. */
export function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function lengthOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return 0;
}

function applyFilter(name: string, v: unknown, args: unknown[]): unknown {
  switch (name) {
    case 'join': {
      const sep = args.length ? stringify(args[0]) : '';
      return Array.isArray(v) ? v.map(stringify).join(sep) : stringify(v);
    }
    case 'default':
    case 'd':
      return v === undefined || (args[1] === true && !truthy(v)) ? args[0] : v;
    case 'length':
    case 'count':
      return lengthOf(v);
    case 'upper':
      return stringify(v).toUpperCase();
    case 'lower':
      return stringify(v).toLowerCase();
    case 'trim':
      return stringify(v).trim();
    case 'string':
      return stringify(v);
    case 'tojson':
      return JSON.stringify(v ?? null);
    case 'first':
      return Array.isArray(v) ? v[0] : typeof v === 'string' ? v[0] : undefined;
    case 'last':
      return Array.isArray(v) ? v[v.length - 1] : typeof v === 'string' ? v[v.length - 1] : undefined;
    default:
      throw new TemplateError(`unknown filter "${name}"`, 0);
  }
}

function evaluate(e: Expr, scope: Scope): unknown {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'var':
      return lookup(scope, e.name);
    case 'list':
      return e.items.map((x) => evaluate(x, scope));
    case 'get': {
      const obj = evaluate(e.obj, scope);
      const key = evaluate(e.key, scope);
      if (obj === null || obj === undefined) return undefined;
      if (Array.isArray(obj) && typeof key === 'number') return obj[key < 0 ? obj.length + key : key];
      if (typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, String(key))) return (obj as Scope)[String(key)];
      return undefined;
    }
    case 'not':
      return !truthy(evaluate(e.e, scope));
    case 'filter':
      return applyFilter(e.name, evaluate(e.e, scope), e.args.map((a) => evaluate(a, scope)));
    case 'bin': {
      if (e.op === 'and') return truthy(evaluate(e.a, scope)) && truthy(evaluate(e.b, scope));
      if (e.op === 'or') return truthy(evaluate(e.a, scope)) || truthy(evaluate(e.b, scope));
      const a = evaluate(e.a, scope);
      const b = evaluate(e.b, scope);
      switch (e.op) {
        case '==':
          return looseEq(a, b);
        case '!=':
          return !looseEq(a, b);
        case '<':
          return (a as number) < (b as number);
        case '>':
          return (a as number) > (b as number);
        case '<=':
          return (a as number) <= (b as number);
        case '>=':
          return (a as number) >= (b as number);
        case '~':
          return stringify(a) + stringify(b);
        case '+':
          return typeof a === 'number' && typeof b === 'number' ? a + b : stringify(a) + stringify(b);
        case 'in':
          if (typeof b === 'string') return b.includes(stringify(a));
          if (Array.isArray(b)) return b.some((x) => looseEq(x, a));
          if (b && typeof b === 'object') return Object.prototype.hasOwnProperty.call(b, stringify(a));
          return false;
      }
    }
  }
  return undefined;
}

/** Is `e` a bare variable path (`name`, `a.b`) — the only outputs gh leaves in place when unknown? */
function isPlainPath(e: Expr): boolean {
  return e.k === 'var' || (e.k === 'get' && e.key.k === 'lit' && isPlainPath(e.obj));
}

function exec(nodes: Node[], scope: Scope, out: string[]): void {
  for (const n of nodes) {
    if (n.k === 'text') out.push(n.v);
    else if (n.k === 'out') {
      if (Object.prototype.hasOwnProperty.call(scope, n.inner)) out.push(stringify(scope[n.inner]));
      else if (!n.e) out.push(n.raw);
      else {
        const v = evaluate(n.e, scope);
        out.push(v === undefined && isPlainPath(n.e) ? n.raw : stringify(v));
      }
    } else if (n.k === 'if') {
      const b = n.branches.find((br) => truthy(evaluate(br.cond, scope)));
      exec(b ? b.body : n.else, scope, out);
    } else {
      const v = evaluate(n.iter, scope);
      const items: unknown[] = Array.isArray(v)
        ? v
        : typeof v === 'string'
          ? [...v]
          : v && typeof v === 'object'
            ? n.names.length > 1
              ? Object.entries(v)
              : Object.keys(v)
            : [];
      if (items.length === 0) exec(n.else, scope, out);
      items.forEach((item, idx) => {
        const inner: Scope = Object.create(null);
        Object.assign(inner, scope);
        if (n.names.length === 1) inner[n.names[0]] = item;
        else n.names.forEach((name, j) => (inner[name] = Array.isArray(item) ? item[j] : undefined));
        inner.loop = { index: idx + 1, index0: idx, first: idx === 0, last: idx === items.length - 1, length: items.length, revindex: items.length - idx };
        exec(n.body, inner, out);
      });
    }
  }
}

const cache = new Map<string, Node[]>();

function compiled(text: string): Node[] {
  let nodes = cache.get(text);
  if (!nodes) {
    nodes = parseTemplate(text);
    if (cache.size > 500) cache.clear();
    cache.set(text, nodes);
  }
  return nodes;
}

/** gh's own rule only: replace `{{key}}` / `{{ key }}` for known keys, leave everything else as written. */
function plainReplace(text: string, vars: Record<string, unknown>): string {
  return text.replace(/\{\{([\s\S]*?)\}\}/g, (raw, inner: string) => {
    const key = Object.prototype.hasOwnProperty.call(vars, inner) ? inner : inner.trim();
    return Object.prototype.hasOwnProperty.call(vars, key) ? stringify(vars[key]) : raw;
  });
}

/**
 * Render a message template with the case's variables. A text whose `{% %}` blocks do not parse (e.g. a gh prompt
 * that merely mentions `{%`) falls back to gh's plain `{{name}}` replacement; loaders report such texts.
 */
export function renderTemplate(text: string, vars: Record<string, unknown>): string {
  if (!text.includes('{')) return text;
  let nodes: Node[];
  try {
    nodes = compiled(text);
  } catch (e) {
    if (e instanceof TemplateError) return plainReplace(text, vars);
    throw e;
  }
  const scope: Scope = Object.create(null);
  Object.assign(scope, vars);
  const out: string[] = [];
  exec(nodes, scope, out);
  return out.join('');
}

/** Check a template without rendering it: undefined when fine, else the problem and its offset. */
export function checkTemplate(text: string): TemplateError | undefined {
  try {
    compiled(text);
    return undefined;
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
}

/** Distinct top-level variable names a template reads (loop variables and `loop` excluded), in order of use. */
export function templateVariables(text: string): string[] {
  let nodes: Node[];
  try {
    nodes = compiled(text);
  } catch {
    // Rendered with plain replacement (see renderTemplate): the names inside {{ }}.
    return [...new Set([...text.matchAll(/\{\{([\s\S]*?)\}\}/g)].map((m) => m[1].trim()).filter(Boolean))];
  }
  const seen = new Set<string>();
  const visitExpr = (e: Expr, bound: Set<string>): void => {
    switch (e.k) {
      case 'var':
        if (!bound.has(e.name)) seen.add(e.name);
        break;
      case 'get':
        visitExpr(e.obj, bound);
        visitExpr(e.key, bound);
        break;
      case 'not':
        visitExpr(e.e, bound);
        break;
      case 'bin':
        visitExpr(e.a, bound);
        visitExpr(e.b, bound);
        break;
      case 'filter':
        visitExpr(e.e, bound);
        e.args.forEach((a) => visitExpr(a, bound));
        break;
      case 'list':
        e.items.forEach((a) => visitExpr(a, bound));
        break;
    }
  };
  const visit = (ns: Node[], bound: Set<string>): void => {
    for (const n of ns) {
      if (n.k === 'out') {
        if (n.e) visitExpr(n.e, bound);
        else if (n.inner && !bound.has(n.inner)) seen.add(n.inner);
      } else if (n.k === 'if') {
        n.branches.forEach((b) => (visitExpr(b.cond, bound), visit(b.body, bound)));
        visit(n.else, bound);
      } else if (n.k === 'for') {
        visitExpr(n.iter, bound);
        const inner = new Set([...bound, ...n.names, 'loop']);
        visit(n.body, inner);
        visit(n.else, bound);
      }
    }
  };
  visit(nodes, new Set());
  return [...seen];
}
