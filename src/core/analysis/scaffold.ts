// Text edits behind the advisor's actions: add a `retrieval` section with a RAG variant, or add variants
// (few-shot, chain of thought) to a prompt file — .prompt.yml, or a .prompty file's front matter. Edits go
// through the `yaml` Document API so comments and the rest of the file stay as written.

import { parseDocument, isSeq, isMap, type Document } from 'yaml';

export interface ScaffoldResult {
  text: string;
  changed: boolean;
  /** What was done or why nothing was, for the user. */
  notes: string[];
}

export interface RetrievalScaffoldOptions {
  /** Glob relative to the prompt file (default ./docs/**\/*.md). */
  documents?: string;
  query?: 'input' | 'hyde' | 'expand';
  variantName?: string;
}

export function addRetrievalScaffold(text: string, opts: RetrievalScaffoldOptions = {}): ScaffoldResult {
  return edit(text, (doc, notes) => {
    const into = 'context';
    if (doc.has('retrieval')) {
      notes.push('The file already has a retrieval section; left as it is.');
    } else {
      doc.set(
        'retrieval',
        doc.createNode({
          documents: opts.documents ?? './docs/**/*.md',
          chunk: { size: 800, overlap: 100 },
          topK: 4,
          query: opts.query ?? 'input',
          into,
        }),
      );
      notes.push(`Added retrieval: put the documents in ${(opts.documents ?? './docs/**/*.md').replace(/\/\*\*.*$/, '/')} (Markdown, text, HTML, PDF, DOCX).`);
    }
    const variants = ensureVariants(doc);
    if (variants.items.some((v) => isMap(v) && v.get('retrieval') === true)) {
      notes.push('A retrieval variant exists already.');
      return;
    }
    const usesContext = /\{\{\s*context\s*\}\}/.test(text);
    const variant: Record<string, unknown> = { name: uniqueName(variants, opts.variantName ?? 'rag'), retrieval: true };
    if (!usesContext) variant.systemSuffix = `Answer using this context:\n{{${into}}}`;
    variants.add(doc.createNode(variant));
    notes.push(`Added the variant '${variant.name}' beside the others, so the matrix shows the delta.`);
  });
}

/** Adds one variant (a map as written in the file); the name is made unique. */
export function addVariantScaffold(text: string, variant: { name: string } & Record<string, unknown>): ScaffoldResult {
  return edit(text, (doc, notes) => {
    const variants = ensureVariants(doc);
    const v = { ...variant, name: uniqueName(variants, variant.name) };
    variants.add(doc.createNode(v));
    notes.push(`Added the variant '${v.name}'.`);
  });
}

/** Few-shot variants for the given shot counts (those already present are skipped). */
export function addFewShotVariantsScaffold(text: string, shots: number[] = [3, 5]): ScaffoldResult {
  return edit(text, (doc, notes) => {
    const examples = doc.get('examples');
    if (!examples) notes.push('Add an `examples` pool (input/output pairs) for these variants to use.');
    const variants = ensureVariants(doc);
    const have = new Set(variants.items.filter(isMap).map((v) => Number(v.get('shots') ?? 0)));
    for (const n of shots) {
      if (have.has(n)) continue;
      variants.add(doc.createNode({ name: uniqueName(variants, `${n}-shot`), shots: n }));
      notes.push(`Added the variant '${n}-shot'.`);
    }
  });
}

/** A chain-of-thought variant: the step-by-step instruction as a system suffix (answer extraction is the engine's). */
export function addChainOfThoughtScaffold(text: string): ScaffoldResult {
  return addVariantScaffold(text, { name: 'chain-of-thought', chainOfThought: true });
}

// ---------------------------------------------------------------------------------------------

function edit(text: string, fn: (doc: Document, notes: string[]) => void): ScaffoldResult {
  const fm = /^(---\r?\n)([\s\S]*?\r?\n)(---\r?\n?)([\s\S]*)$/.exec(text);
  const yamlText = fm ? fm[2] : text;
  const doc = parseDocument(yamlText);
  if (doc.errors.length) return { text, changed: false, notes: [`The file does not parse as YAML (${doc.errors[0].message.split('\n')[0]}); fix it first.`] };
  const notes: string[] = [];
  const before = doc.toString();
  fn(doc, notes);
  const after = doc.toString();
  if (after === before) return { text, changed: false, notes };
  return { text: fm ? `${fm[1]}${after}${fm[3]}${fm[4]}` : after, changed: true, notes };
}

function ensureVariants(doc: Document) {
  let variants = doc.get('variants');
  if (!isSeq(variants)) {
    // without `variants` the file runs one column named 'default'; keep it as the first column
    doc.set('variants', doc.createNode([{ name: 'default' }]));
    variants = doc.get('variants');
  }
  if (!isSeq(variants)) throw new Error('variants is not a list');
  return variants;
}

function uniqueName(variants: { items: unknown[] }, name: string): string {
  const names = new Set(variants.items.filter(isMap).map((v) => String(v.get('name'))));
  if (!names.has(name)) return name;
  for (let i = 2; ; i++) if (!names.has(`${name}-${i}`)) return `${name}-${i}`;
}
