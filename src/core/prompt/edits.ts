// Edits to prompt files that keep the user's formatting and comments (yaml Document API): add few-shot
// variants, add examples, add test cases. Works on .prompt.yml text and on the front matter of .prompty files.
// Pure text → text functions (no `vscode`): the editor's commands and Climb's moves share them.

import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';

export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditError';
  }
}

interface Parts {
  before: string;
  yaml: string;
  after: string;
}

const FRONT_MATTER = /^(---[^\S\r\n]*\r?\n)([\s\S]*?\r?\n)(---[^\S\r\n]*(?:\r?\n|$)[\s\S]*)$/;

function split(text: string, prompty: boolean): Parts {
  if (!prompty) return { before: '', yaml: text, after: '' };
  const m = FRONT_MATTER.exec(text);
  if (!m) throw new EditError('the .prompty file has no YAML front matter (between --- lines)');
  return { before: m[1], yaml: m[2], after: m[3] };
}

function edit(text: string, prompty: boolean, change: (doc: Document.Parsed) => void): string {
  const parts = split(text, prompty);
  const doc = parseDocument(parts.yaml, { keepSourceTokens: false });
  if (doc.errors.length) throw new EditError(`the file is not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new EditError('the file must be a YAML map at the top level');
  change(doc);
  let yaml = doc.toString({ lineWidth: 0 });
  if (prompty && !yaml.endsWith('\n')) yaml += '\n';
  return parts.before + yaml + parts.after;
}

function seqAt(doc: Document.Parsed, key: string): YAMLSeq | undefined {
  const node = (doc.contents as YAMLMap).get(key, true);
  return isSeq(node) ? node : undefined;
}

/** Number of examples in an inline pool, or undefined when the pool is a file path or absent. */
export function inlineExampleCount(text: string, prompty = false): number | undefined {
  const doc = parseDocument(split(text, prompty).yaml);
  if (!isMap(doc.contents)) return undefined;
  const ex = doc.contents.get('examples', true);
  return isSeq(ex) ? ex.items.length : undefined;
}

export function hasExamples(text: string, prompty = false): boolean {
  const doc = parseDocument(split(text, prompty).yaml);
  if (!isMap(doc.contents)) return false;
  const ex = doc.contents.get('examples', true);
  const v: unknown = isScalar(ex) ? ex.value : undefined;
  return (isSeq(ex) && ex.items.length > 0) || (typeof v === 'string' && v.trim() !== '');
}

export const FEW_SHOT_COUNTS = [0, 1, 3, 5] as const;

export function variantName(shots: number): string {
  return shots === 0 ? 'zero-shot' : `${shots}-shot`;
}

/**
 * Adds 0/1/3/5-shot variants (those the pool can fill; all of them when the pool is a file) that the file
 * does not have yet (by name or by shot count). Returns the new text and the names added.
 */
export function addFewShotVariants(text: string, opts: { prompty?: boolean; counts?: readonly number[] } = {}): { text: string; added: string[] } {
  const added: string[] = [];
  const out = edit(text, !!opts.prompty, (doc) => {
    const root = doc.contents as YAMLMap;
    const ex = root.get('examples', true);
    const pool = isSeq(ex) ? ex.items.length : isScalar(ex) && typeof ex.value === 'string' ? Infinity : 0;
    if (pool === 0) throw new EditError('there is no `examples` pool to draw few-shot examples from');
    let variants = seqAt(doc, 'variants');
    if (!variants) {
      variants = doc.createNode([]) as YAMLSeq;
      root.set('variants', variants);
    }
    const names = new Set<string>();
    const shots = new Set<number>();
    for (const item of variants.items) {
      if (!isMap(item)) continue;
      const n = item.get('name');
      const s = item.get('shots');
      if (typeof n === 'string') names.add(n);
      shots.add(typeof s === 'number' ? s : 0);
    }
    for (const k of opts.counts ?? FEW_SHOT_COUNTS) {
      const name = variantName(k);
      if (k > pool || names.has(name) || shots.has(k)) continue;
      variants.add(doc.createNode({ name, shots: k }));
      added.push(name);
    }
  });
  return { text: out, added };
}

/** Appends examples to the inline `examples` pool (created when absent). */
export function addExamples(text: string, examples: { input: unknown; output: string }[], opts: { prompty?: boolean } = {}): string {
  return edit(text, !!opts.prompty, (doc) => {
    const root = doc.contents as YAMLMap;
    const ex = root.get('examples', true);
    if (ex !== undefined && !isSeq(ex)) throw new EditError('`examples` points to a file: add the examples there');
    let seq = ex as YAMLSeq | undefined;
    if (!seq) {
      seq = doc.createNode([]) as YAMLSeq;
      root.set('examples', seq);
    }
    for (const e of examples) seq.add(doc.createNode({ input: e.input, output: e.output }));
  });
}

/** Appends a test case to the inline `testData` list (created when absent). Returns the new text. */
export function addTestCase(text: string, row: Record<string, unknown>, opts: { prompty?: boolean } = {}): string {
  return edit(text, !!opts.prompty, (doc) => {
    const root = doc.contents as YAMLMap;
    let seq = seqAt(doc, 'testData');
    if (!seq) {
      if (root.has('testData')) throw new EditError('`testData` must be a list');
      seq = doc.createNode([]) as YAMLSeq;
      root.set('testData', seq);
    }
    seq.add(doc.createNode(row));
  });
}

/** Variables used by `{{name}}` placeholders in a text, in order of first use. */
export function templateVariables(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g)) if (m[1] !== 'completion') seen.add(m[1].split('.')[0]);
  return [...seen];
}

/** Names of the variants the file declares. */
export function variantNames(text: string, prompty = false): string[] {
  const doc = parseDocument(split(text, prompty).yaml);
  if (!isMap(doc.contents)) return [];
  const seq = doc.contents.get('variants', true);
  return isSeq(seq) ? seq.items.flatMap((i) => (isMap(i) && i.get('name') !== undefined ? [String(i.get('name'))] : [])) : [];
}

/** A name not yet taken by a variant: `base`, else `base-2`, `base-3`, … */
export function freeVariantName(text: string, base: string, prompty = false): string {
  const taken = new Set(variantNames(text, prompty));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

/** Appends one variant (refuses a name that exists). */
export function addVariant(text: string, variant: Record<string, unknown> & { name: string }, opts: { prompty?: boolean } = {}): string {
  return edit(text, !!opts.prompty, (doc) => {
    const root = doc.contents as YAMLMap;
    let seq = seqAt(doc, 'variants');
    if (!seq) {
      if (root.has('variants')) throw new EditError('`variants` must be a list');
      seq = doc.createNode([{ name: 'baseline' }]) as YAMLSeq;
      root.set('variants', seq);
    }
    for (const item of seq.items) if (isMap(item) && item.get('name') === variant.name) throw new EditError(`there is already a variant named "${variant.name}"`);
    seq.add(doc.createNode(variant));
  });
}

export const RAG_SYSTEM_SUFFIX = '\n\nAnswer only from the context below. If it does not hold the answer, say so.\nCONTEXT:\n{{context}}';

/**
 * Adds a `retrieval` block (documents next to the prompt file, BM25 search, the chunks into {{context}}) and a
 * `rag` variant that uses it. Refuses when the file already has retrieval.
 */
export function addRetrievalScaffold(text: string, opts: { prompty?: boolean; documents?: string } = {}): string {
  const withBlock = edit(text, !!opts.prompty, (doc) => {
    const root = doc.contents as YAMLMap;
    if (root.has('retrieval')) throw new EditError('the file already has a `retrieval` block');
    const block = doc.createNode({ documents: opts.documents ?? './docs/**/*.md', chunk: { size: 800, overlap: 100 }, topK: 4, query: 'input', into: 'context' });
    root.set('retrieval', block);
  });
  return addVariant(withBlock, { name: 'rag', retrieval: true, systemSuffix: RAG_SYSTEM_SUFFIX }, opts);
}


/**
 * The fields a variant declares, as plain data (without `name`): the first variant when `name` is undefined;
 * `{}` when the file declares no variants (its one variant is the base prompt).
 */
export function variantFields(text: string, name?: string, opts: { prompty?: boolean } = {}): Record<string, unknown> | undefined {
  const doc = parseDocument(split(text, !!opts.prompty).yaml);
  if (!isMap(doc.contents)) return undefined;
  const seq = doc.contents.get('variants', true);
  if (!isSeq(seq) || seq.items.length === 0) return name === undefined ? {} : undefined;
  const item = name === undefined ? seq.items[0] : seq.items.find((i) => isMap(i) && i.get('name') === name);
  if (!isMap(item)) return undefined;
  const fields = item.toJSON() as Record<string, unknown>;
  delete fields.name;
  return fields;
}

/** Sets a top-level key (replacing its value, comments elsewhere kept). */
export function setTopLevel(text: string, key: string, value: unknown, opts: { prompty?: boolean } = {}): string {
  return edit(text, !!opts.prompty, (doc) => {
    (doc.contents as YAMLMap).set(key, doc.createNode(value));
  });
}

/** The top-level keys of the file. */
export function topLevelKeys(text: string, prompty = false): string[] {
  const doc = parseDocument(split(text, prompty).yaml);
  return isMap(doc.contents) ? doc.contents.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)) : [];
}
