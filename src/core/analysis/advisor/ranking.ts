// The one ranking step: orders findings by priority (errors dominating, too few cases), then by
// weight × confidence, where a finding's weight is the share of what still fails in the best configuration
// that it addresses (failures a RAG variant already fixes weigh little). Findings of the same kind merge: the
// strongest leads (its confidence and why), the others add their why, actions and cases.

import type { Recommendation, RecommendationKind } from '../../runs/schema';
import type { Finding } from './rule';

export function score(f: Finding): number {
  return f.weight * f.confidence;
}

export function rank(findings: Finding[]): Recommendation[] {
  const byKind = new Map<RecommendationKind, Finding[]>();
  for (const f of findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  const merged: { rec: Recommendation; priority: number; score: number }[] = [];
  for (const list of byKind.values()) {
    list.sort((a, b) => b.priority - a.priority || score(b) - score(a));
    const [lead, ...rest] = list;
    const priority = lead.priority;
    const s = score(lead) + 0.1 * rest.reduce((n, r) => n + score(r), 0);
    const { rule: _rule, group: _group, priority: _p, weight: _w, ...rec } = lead;
    if (!rest.length) {
      merged.push({ rec: { ...rec, evidence: { ...rec.evidence, rule: lead.rule } }, priority, score: s });
      continue;
    }
    const cases = new Set<number>((lead.evidence.cases as number[] | undefined) ?? []);
    for (const r of rest) for (const i of (r.evidence.cases as number[] | undefined) ?? []) cases.add(i);
    const actions = [...lead.actions];
    for (const r of rest) for (const a of r.actions) if (!actions.includes(a)) actions.push(a);
    merged.push({
      rec: {
        ...rec,
        why: [lead.why, ...rest.map((r) => `Also: ${r.why}`)].join(' '),
        actions,
        evidence: {
          ...lead.evidence,
          rule: lead.rule,
          cases: [...cases].sort((a, b) => a - b),
          also: rest.map((r) => ({ rule: r.rule, title: r.title, confidence: r.confidence, ...r.evidence })),
        },
      },
      priority,
      score: s,
    });
  }
  merged.sort((a, b) => b.priority - a.priority || b.score - a.score);
  return merged.map((m) => m.rec);
}
