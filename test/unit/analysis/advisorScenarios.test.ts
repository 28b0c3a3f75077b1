// The advisor on data it was not tuned to: the scenarios of test/fixtures/advisorScenarios.ts through the real
// engine against the scripted server, grouped by the classes of mistakes the first advisor made. Each asserts
// the top recommendation's kind written from the seed's method before the scenario was first run, plus what
// the class is about (no rung when errors dominate, the paired evidence in words, the actions that exist).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { SCENARIOS, runScenario, type Scenario } from '../../fixtures/advisorScenarios';
import { parseAction } from '../../../src/shared/actions';
import type { RunRecord } from '../../../src/core/runs/schema';

let server: ScriptedServer;
before(async () => {
  server = await startScriptedServer({});
});
after(async () => {
  await server.close();
});

const extra: Record<string, (record: RunRecord) => void> = {
  S01: (r) => assert.equal(r.variants[0].categories.format, undefined, 'a well-formed wrong code is not a format failure'),
  S04: (r) => {
    const failed = r.cases.flatMap((c) => c.results).filter((x) => !x.passed && x.variant === 'zero-shot');
    assert.ok(failed.every((x) => x.category === 'reasoning'), 'the chain-of-thought variant makes them reasoning');
    assert.ok(failed.some((x) => x.categoryBasis === 'variant'));
  },
  S09: (r) => {
    const top = r.advice!.recommendations[0];
    assert.match(top.why, /within noise|no sign that/);
    assert.ok(!r.advice!.recommendations.some((x) => x.kind === 'fine-tuning' && x.confidence >= 0.6), 'no confident fine-tuning call inside noise');
  },
  S15: (r) => {
    const top = r.advice!.recommendations[0];
    assert.match(top.why, /503/);
    assert.match(top.title ?? '', /fix the provider/);
  },
  S18: (r) => {
    const top = r.advice!.recommendations[0];
    assert.match(top.why, /fine-tune \+ RAG/);
    assert.ok(!r.advice!.recommendations.flatMap((x) => x.actions).some((a) => /keep the few-shot variant/i.test(a)));
  },
  S19: (r) => {
    const acts = r.advice!.recommendations[0].actions.map(parseAction);
    assert.ok(acts.some((a) => a.command === 'promptLadder.addRetrievalVariant' && /chunk sizes/.test(a.label)), 'a chunk-size sweep one click away');
    assert.ok(acts.some((a) => a.command === 'promptLadder.addRetrievalVariant' && /rerank/i.test(a.label)), 'reranking one click away');
  },
};

const classes = [...new Set(SCENARIOS.map((s) => s.klass))];
for (const klass of classes) {
  describe(`advisor scenarios: ${klass}`, () => {
    for (const s of SCENARIOS.filter((x) => x.klass === klass)) {
      test(`${s.id} ${s.domain} (${s.n} cases${s.judge ? ', judge' : ''}): ${s.shows} → ${s.expected}`, async () => {
        const { record } = await runScenario(server, s as Scenario);
        const top = record.advice?.recommendations[0];
        assert.ok(top, 'the run has advice');
        if (s.structuredFirst) {
          assert.equal(top.evidence.rule, 'structured-output', `${s.id}: structured output first, got ${top.kind} (${top.title})`);
          const next = record.advice!.recommendations[1];
          assert.equal(next?.kind, s.expected, `${s.id}: then ${s.expected}, got ${next?.kind} (${next?.title})`);
        } else {
          assert.equal(top.kind, s.expected, `${s.id}: top pick ${top.kind} (${top.title}) — expected ${s.expected}`);
        }
        assert.ok(top.confidence > 0 && top.confidence <= 0.95);
        extra[s.id]?.(record);
      });
    }
  });
}

test('the scenario set covers the classes, domains, sizes, judges, noise and a non-English one', () => {
  assert.ok(SCENARIOS.length >= 25);
  assert.ok(new Set(SCENARIOS.map((s) => s.domain)).size >= 6);
  assert.ok(SCENARIOS.filter((s) => s.n >= 20 && s.n <= 80).length >= 25);
  assert.ok(SCENARIOS.some((s) => s.judge) && SCENARIOS.some((s) => !s.judge));
  assert.ok(SCENARIOS.some((s) => /[\u4e00-\u9fff]/.test(s.file)), 'a Chinese scenario');
});
