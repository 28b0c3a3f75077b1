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
  const s = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').toLowerCase();
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

/**
 * Walks evidence two levels deep: scalars become facts; `cases`/`caseIndexes` arrays become links (labelled by
 * the keys that lead to them); arrays of scalars become one fact.
 */
export function readEvidence(evidence: Record<string, unknown>): EvidenceView {
  const facts: EvidenceFact[] = [];
  const links: EvidenceLink[] = [];
  const visit = (path: string[], v: unknown, depth: number) => {
    const key = path[path.length - 1];
    if (CASE_KEYS.has(key)) {
      const cases = caseList(v);
      if (cases) links.push({ label: path.length > 1 ? pathLabel(path.slice(0, -1)) : 'Cases', cases });
      return;
    }
    const s = scalar(v);
    if (s !== undefined) {
      facts.push({ label: pathLabel(path), value: s });
      return;
    }
    if (Array.isArray(v)) {
      const cases = /case/i.test(key) ? caseList(v) : undefined;
      if (cases) links.push({ label: pathLabel(path), cases });
      else if (v.length && v.every((x) => scalar(x) !== undefined)) facts.push({ label: pathLabel(path), value: v.map((x) => scalar(x)).join(', ') });
      return;
    }
    if (v && typeof v === 'object' && depth < 2) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit([...path, k], x, depth + 1);
    }
  };
  for (const [k, v] of Object.entries(evidence)) visit([k], v, 0);
  return { facts, links };
}
