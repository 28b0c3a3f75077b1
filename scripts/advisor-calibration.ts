// Prints the advisor's scenario table (scenario → what the data shows → expected → top-1, top-2 → right?) and
// its calibration (stated confidence of the top pick, bucketed, against the share right), from real runs of
// test/fixtures/advisorScenarios.ts through the engine against the scripted server.
// Usage: npm run advisor:calibration [-- --markdown]

import { startScriptedServer } from '../test/fixtures/scripted-server';
import { SCENARIOS, runScenario } from '../test/fixtures/advisorScenarios';

async function main(): Promise<void> {
  const server = await startScriptedServer({});
  const rows: { id: string; klass: string; domain: string; n: number; judge: boolean; shows: string; expected: string; top1: string; top2: string; conf: number; right: boolean }[] = [];
  try {
    for (const s of SCENARIOS) {
      const { record } = await runScenario(server, s);
      const [a, b] = record.advice?.recommendations ?? [];
      rows.push({
        id: s.id,
        klass: s.klass,
        domain: s.domain,
        n: s.n,
        judge: !!s.judge,
        shows: s.shows,
        expected: s.expected,
        top1: a ? `${a.kind} ${Math.round(a.confidence * 100)} %` : '—',
        top2: b ? `${b.kind} ${Math.round(b.confidence * 100)} %` : '—',
        conf: a?.confidence ?? 0,
        right: a?.kind === s.expected,
      });
    }
  } finally {
    await server.close();
  }
  const md = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  console.log(md(['scenario', 'class', 'domain (cases, judge)', 'what the data shows', 'expected', 'top-1', 'top-2', 'right?']));
  console.log(md(['---', '---', '---', '---', '---', '---', '---', '---']));
  for (const r of rows) console.log(md([r.id, r.klass, `${r.domain} (${r.n}${r.judge ? ', judge' : ''})`, r.shows, r.expected, r.top1, r.top2, r.right ? 'yes' : '**no**']));
  const right = rows.filter((r) => r.right).length;
  console.log(`\n${right} of ${rows.length} top picks right.\n`);
  const buckets = [
    [0, 0.5],
    [0.5, 0.6],
    [0.6, 0.7],
    [0.7, 0.8],
    [0.8, 0.96],
  ];
  console.log(md(['stated confidence', 'top picks', 'right', 'share right', 'mean stated']));
  console.log(md(['---', '---', '---', '---', '---']));
  for (const [lo, hi] of buckets) {
    const inB = rows.filter((r) => r.conf >= lo && r.conf < hi);
    const ok = inB.filter((r) => r.right).length;
    const mean = inB.length ? inB.reduce((s, r) => s + r.conf, 0) / inB.length : 0;
    console.log(md([`${Math.round(lo * 100)}–${Math.round(Math.min(hi, 0.95) * 100)} %`, inB.length, ok, inB.length ? `${Math.round((ok / inB.length) * 100)} %` : '—', inB.length ? `${Math.round(mean * 100)} %` : '—']));
  }
  const brier = rows.reduce((s, r) => s + (r.conf - (r.right ? 1 : 0)) ** 2, 0) / rows.length;
  console.log(`\nBrier score of the top pick's confidence: ${brier.toFixed(3)} (0 is perfect; always saying 50 % scores 0.25).`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
