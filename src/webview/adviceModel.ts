// Reads an advisor recommendation's free-form evidence into facts to show and case sets to link to. Pure.

export interface EvidenceLink {
  /** What the cases are, e.g. "format failures in zero-shot". */
  label: string;
  cases: number[];
}

export interface EvidenceFact {
  label: string;
  value: string;
}

export interface EvidenceView {
  facts: EvidenceFact[];
  links: EvidenceLink[];
}

const CASE_KEYS = new Set(['cases', 'caseIndexes', 'caseIndices', 'examples']);

function caseList(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  if (!v.every((x) => Number.isInteger(x) && (x as number) >= 0)) return undefined;
  return [...new Set(v as number[])].sort((a, b) => a - b);
}

export function humanizeKey(key: string): string {
  const s = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([a-zA-Z])(\d)/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase()
    .replace(/\busd\b/g, 'USD');
  return s ? s[0].toUpperCase() + s.slice(1) : key;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return undefined;
}

/** First key humanized ("knowledgeFailures" → "Knowledge failures"), nested keys (variant names, categories) as written. */
function pathLabel(path: string[]): string {
  return [humanizeKey(path[0]), ...path.slice(1)].join(' · ');
}

/** An object's scalar fields on one line: "failures 2, pass rate 0.33". */
function inline(o: Record<string, unknown>, skip: Set<string>): string {
  return Object.entries(o)
    .filter(([k]) => !skip.has(k) && !CASE_KEYS.has(k))
    .map(([k, v]) => [humanizeKey(k).toLowerCase(), scalar(v)] as const)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** Label of the recommendation's own case list. */
export const TOP_CASES = 'Cases behind this';

const NAME_KEYS = ['variant', 'name', 'title', 'category'];

/**
 * Reads evidence: scalars become facts; `cases`/`caseIndexes` arrays become links labelled by the keys that lead
 * to them; an object of scalars becomes one fact; an array of objects (e.g. per-variant numbers) becomes one fact
 * and one link per element, named by its `variant`/`name`/`title`. Two levels deep at most.
 */
export function readEvidence(evidence: Record<string, unknown>): EvidenceView {
  const facts: EvidenceFact[] = [];
  const links: EvidenceLink[] = [];
  const linkCases = (path: string[], v: unknown) => {
    const cases = caseList(v);
    if (cases) links.push({ label: path.length ? pathLabel(path) : TOP_CASES, cases });
  };
  const visitObject = (path: string[], o: Record<string, unknown>, depth: number) => {
    const nameKey = NAME_KEYS.find((k) => typeof o[k] === 'string');
    const skip = new Set(nameKey ? [nameKey] : []);
    const line = inline(o, skip);
    if (line) facts.push({ label: pathLabel(path), value: line });
    for (const [k, v] of Object.entries(o)) {
      if (CASE_KEYS.has(k)) linkCases(path, v);
      else if (depth < 2 && v && typeof v === 'object') visit([...path, k], v, depth + 1);
    }
  };
  const visit = (path: string[], v: unknown, depth: number) => {
    const key = path[path.length - 1];
    if (CASE_KEYS.has(key)) {
      linkCases(path.slice(0, -1), v);
      return;
    }
    const s = scalar(v);
    if (s !== undefined) {
      facts.push({ label: pathLabel(path), value: s });
      return;
    }
    if (Array.isArray(v)) {
      if (/case/i.test(key) && caseList(v)) {
        linkCases(path, v);
      } else if (v.length && v.every((x) => scalar(x) !== undefined)) {
        facts.push({ label: pathLabel(path), value: v.map((x) => scalar(x)).join(', ') });
      } else if (depth < 2) {
        v.forEach((x, i) => {
          if (!x || typeof x !== 'object' || Array.isArray(x)) return;
          const o = x as Record<string, unknown>;
          const name = NAME_KEYS.map((k) => o[k]).find((n) => typeof n === 'string') as string | undefined;
          visitObject([...path, name ?? String(i + 1)], o, depth + 1);
        });
      }
      return;
    }
    if (v && typeof v === 'object' && depth < 2) visitObject(path, v as Record<string, unknown>, depth);
  };
  for (const [k, v] of Object.entries(evidence)) visit([k], v, 0);
  // the recommendation's own cases first
  links.sort((a, b) => Number(b.label === TOP_CASES) - Number(a.label === TOP_CASES));
  return { facts, links };
}

export interface ProseSentence {
  text: string;
  /** Cases the sentence is about; a link filters the matrix to them. */
  cases: number[];
  /** Link label, e.g. "3-shot: 6 cases". */
  label: string;
}

export interface AdviceProse {
  /** The why, split into paragraphs (the lead reason, then each "Also: …"). */
  paragraphs: string[];
  /** One short evidence sentence per variant. */
  sentences: ProseSentence[];
  /** The recommendation's own cases (first link). */
  cases: number[];
}

/**
 * What the card says: the why in paragraphs, then one evidence sentence per variant (the advisor writes them in
 * `evidence.sentences`), each with the cases it is about. Records from before the sentences existed fall back
 * to per-variant case links read from the evidence; never raw key/value pairs.
 */
export function adviceProse(why: string, evidence: Record<string, unknown>): AdviceProse {
  const paragraphs = why
    .split(/\s(?=Also: )/)
    .map((p) => p.trim())
    .filter(Boolean);
  const cases = caseList(evidence.cases) ?? [];
  const raw = Array.isArray(evidence.sentences) ? evidence.sentences : [];
  const sentences: ProseSentence[] = [];
  for (const s of raw) {
    if (!s || typeof s !== 'object') continue;
    const o = s as Record<string, unknown>;
    if (typeof o.text !== 'string') continue;
    const list = caseList(o.cases) ?? [];
    const variant = typeof o.variant === 'string' ? o.variant : '';
    sentences.push({ text: o.text, cases: list, label: `${variant ? `${variant}: ` : ''}${list.length} case${list.length === 1 ? '' : 's'}` });
  }
  if (!sentences.length) {
    for (const l of readEvidence(evidence).links) {
      if (l.label === TOP_CASES) continue;
      sentences.push({ text: `${l.label}: ${l.cases.length} case${l.cases.length === 1 ? '' : 's'}.`, cases: l.cases, label: `${l.cases.length} case${l.cases.length === 1 ? '' : 's'}` });
    }
  }
  return { paragraphs, sentences, cases };
}
