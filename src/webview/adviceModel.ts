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

/**
 * Walks evidence two levels deep: scalars become facts; `cases`/`caseIndexes` arrays become links (labelled by
 * the key that holds them); small objects of scalars become one fact ("format: 3 → 1").
 */
export function readEvidence(evidence: Record<string, unknown>): EvidenceView {
  const facts: EvidenceFact[] = [];
  const links: EvidenceLink[] = [];
  const visit = (key: string, v: unknown, parent: string | undefined, depth: number) => {
    const label = parent ? `${humanizeKey(parent)}: ${humanizeKey(key)}` : humanizeKey(key);
    if (CASE_KEYS.has(key)) {
      const cases = caseList(v);
      if (cases) links.push({ label: parent ? humanizeKey(parent) : 'Cases', cases });
      return;
    }
    const s = scalar(v);
    if (s !== undefined) {
      facts.push({ label, value: s });
      return;
    }
    if (Array.isArray(v)) {
      const cases = /case/i.test(key) ? caseList(v) : undefined;
      if (cases) links.push({ label: humanizeKey(key), cases });
      else if (v.every((x) => scalar(x) !== undefined)) facts.push({ label, value: v.map((x) => scalar(x)).join(', ') });
      return;
    }
    if (v && typeof v === 'object' && depth < 2) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit(k, x, parent ? `${parent} ${key}` : key, depth + 1);
    }
  };
  for (const [k, v] of Object.entries(evidence)) visit(k, v, undefined, 0);
  return { facts, links };
}
