// The climb's parts on their own: the split, the paired test with Holm's correction, the moves the advisor's
// actions become, the patches, and the budget's refusals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { splitCases } from '../../../src/core/climb/splits';
import { decide, holm, oneSidedP, paired } from '../../../src/core/climb/acceptance';
import { leakingExamples, movesFromAdvice } from '../../../src/core/climb/moves';
import { compose, promptText } from '../../../src/core/climb/patch';
import { Budget } from '../../../src/core/climb/budget';
import { calibration, calibrationMarkdown } from '../../../src/core/climb/calibration';
import { proposedSystem, rewriteRequest } from '../../../src/core/climb/rewrite';
import { commandAction, ADVISOR_COMMANDS, retrievalVariantAction } from '../../../src/core/analysis/advisor/commands';
import type { PromptSpec } from '../../../src/core/prompt/spec';
import type { CaseRecord } from '../../../src/core/runs/schema';

test('split: seeded, stratified by the baseline outcome, 40/30/30 from 60 cases and 50/50 below', () => {
  const strata = new Map(Array.from({ length: 100 }, (_, i) => [i, i < 20 ? 'fail:knowledge' : i < 30 ? 'fail:format' : 'pass']));
  const a = splitCases(strata, 7);
  assert.deepEqual(splitCases(strata, 7), a, 'same seed, same split');
  assert.notDeepEqual(splitCases(strata, 8).search, a.search);
  assert.deepEqual([a.search.length, a.validation.length, a.test.length], [40, 30, 30]);
  const count = (part: number[], lo: number, hi: number) => part.filter((i) => i >= lo && i < hi).length;
  assert.deepEqual([count(a.search, 0, 20), count(a.validation, 0, 20), count(a.test, 0, 20)], [8, 6, 6]);
  assert.deepEqual([count(a.search, 20, 30), count(a.validation, 20, 30), count(a.test, 20, 30)], [4, 3, 3]);
  assert.deepEqual(new Set([...a.search, ...a.validation, ...a.test]).size, 100);
  const small = splitCases(new Map(Array.from({ length: 30 }, (_, i) => [i, 'pass'])), 1);
  assert.deepEqual([small.search.length, small.validation.length, small.test.length], [15, 15, 0]);
});

test('acceptance: one-sided exact sign test; Holm over the confirmed candidates', () => {
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);
  near(oneSidedP(7, 1), 9 / 256);
  assert.equal(oneSidedP(0, 5), 1);
  near(oneSidedP(3, 0), 0.125);
  holm([0.01, 0.04, 0.03]).forEach((p, i) => near(p, [0.03, 0.06, 0.06][i]));
  const inc = new Map(Array.from({ length: 40 }, (_, i) => [i, i >= 10]));
  const fix = (k: number, brk = 0) => new Map(Array.from({ length: 40 }, (_, i) => [i, i < k || (i >= 10 && i >= 10 + brk)]));
  const p = paired(inc, fix(7, 1));
  assert.deepEqual([p.fixed.length, p.broken.length, p.shared], [7, 1, 40]);
  // alone, 7 fixed / 1 broken is p = 0.035: kept; with a second candidate confirmed, Holm doubles it: dropped
  const one = decide([{ label: 'rerank', validation: p, costPerCall: 2, incumbentCostPerCall: 1 }], 0.05);
  assert.equal(one.kept, 0);
  assert.equal(one.why[0], 'rerank fixed 7 and broke 1 of 40 validation cases, p = 0.04: kept');
  const two = decide(
    [
      { label: 'rerank', validation: p, costPerCall: 2, incumbentCostPerCall: 1 },
      { label: 'hyde', validation: paired(inc, fix(2, 2)), costPerCall: 3, incumbentCostPerCall: 1 },
    ],
    0.05,
  );
  assert.equal(two.kept, -1);
  assert.match(two.why[0], /p = 0.07 > 0.05: dropped/);
  // a tie that is cheaper per call and not significantly worse is kept; a tie that costs more is not
  const tie = paired(inc, fix(2, 2));
  assert.equal(decide([{ label: 'smaller model', validation: tie, costPerCall: 0.5, incumbentCostPerCall: 1 }], 0.05).kept, 0);
  assert.equal(decide([{ label: 'bigger model', validation: tie, costPerCall: 2, incumbentCostPerCall: 1 }], 0.05).kept, -1);
  assert.equal(decide([{ label: 'worse and cheaper', validation: paired(inc, fix(0, 9)), costPerCall: 0.5, incumbentCostPerCall: 1 }], 0.05).kept, -1);
});

function spec(over: Partial<PromptSpec> = {}): PromptSpec {
  return {
    format: 'prompt.yml',
    file: '/p/a.prompt.yml',
    name: 'a',
    modelParameters: {},
    messages: [
      { role: 'system', content: 'Answer.', line: 3 },
      { role: 'user', content: '{{q}}', line: 5 },
    ],
    evaluators: [],
    cases: [0, 1, 2, 3].map((i) => ({ index: i, file: '/p/a.prompt.yml', line: 10 + i, vars: { q: `question ${i}` } })),
    examples: [1, 2, 3].map((i) => ({ input: `example ${i}`, output: `answer ${i}`, file: '/p/a.prompt.yml', line: 20 + i })),
    variants: [{ name: 'default', line: 1 }],
    retrieval: { documents: ['./docs/**/*.md'], chunk: { size: 400, overlap: 0 }, topK: 2, query: 'input', into: 'context', line: 30 },
    problems: [],
    keyLines: {},
    ...over,
  };
}

const advice = (kind: 'rag' | 'prompt-engineering', actions: string[]) => ({ recommendations: [{ kind, confidence: 0.8, title: 't', why: 'w', evidence: {}, actions }] });

test('moves: each advisor action becomes concrete patches; retrieval knobs only once retrieval is on', () => {
  const ctx = { spec: spec(), incumbent: { variant: {}, file: {} }, heldOut: new Set<number>() };
  const few = movesFromAdvice(advice('prompt-engineering', [commandAction(ADVISOR_COMMANDS.addFewShot, 'Add few-shot variants'), 'Rewrite the instruction: state the exact output form first']), ctx);
  assert.deepEqual(few.moves.map((m) => [m.action, m.patch]), [
    ['add-shots', { variant: { shots: 1 } }],
    ['add-shots', { variant: { shots: 3 } }],
    ['rewrite-instructions', {}],
  ]);
  assert.ok(few.moves.every((m) => m.kind === 'prompt-engineering' && m.fromTop));
  const rag = movesFromAdvice(advice('rag', [commandAction(ADVISOR_COMMANDS.addRetrieval, 'Add retrieval')]), ctx).moves;
  assert.equal(rag[0].action, 'add-retrieval');
  assert.equal(rag[0].patch.variant?.retrieval, true);
  assert.match(String(rag[0].patch.variant?.systemSuffix), /\{\{context\}\}/);
  const knobs = retrievalVariantAction('Add a reranked column', { variants: [{ name: 'rag-rerank', retrieval: { rerank: 'llm', topK: 2 } }, { name: 'rag-hyde', retrieval: { query: 'hyde' } }] });
  const off = movesFromAdvice(advice('rag', [knobs]), ctx);
  assert.deepEqual(off.moves, []);
  assert.match(off.notes[0], /does not retrieve yet/);
  const on = movesFromAdvice(advice('rag', [knobs]), { ...ctx, incumbent: { variant: { retrieval: true }, file: {} } }).moves;
  assert.deepEqual(on.map((m) => m.action), ['rerank', 'hyde']);
  const models = movesFromAdvice(undefined, { ...ctx, models: ['openai/gpt-4o', 'openai/ft:gpt-4o-mini:org::abc'] }).moves;
  assert.deepEqual(models.map((m) => [m.action, m.kind, m.label]), [['another-model', 'prompt-engineering', 'model openai/gpt-4o'], ['another-model', 'fine-tuning', 'fine-tuned model openai/ft:gpt-4o-mini:org::abc']]);
});

test('moves: examples that are held-out cases are never shown to the model', () => {
  const s = spec({ examples: [{ input: 'question 2', output: 'x', file: '/p/a.prompt.yml', line: 40 }] });
  assert.equal(leakingExamples(s.examples, s.cases, new Set([2])).length, 1);
  assert.equal(leakingExamples(s.examples, s.cases, new Set([1])).length, 0);
  const r = movesFromAdvice(advice('prompt-engineering', [commandAction(ADVISOR_COMMANDS.addFewShot, 'Add few-shot variants')]), { spec: s, incumbent: { variant: {}, file: {} }, heldOut: new Set([2, 3]) });
  assert.deepEqual(r.moves, []);
  assert.match(r.notes[0], /also validation or test cases \(line 40\)/);
});

test('patch: moves compose (retrieval maps merge) and the climbed variant is appended, the user’s variants untouched', () => {
  const inc = compose(compose({ variant: { shots: 0 }, file: {} }, { variant: { retrieval: true } }), { variant: { retrieval: { rerank: 'llm' } } });
  assert.deepEqual(inc.variant, { shots: 0, retrieval: { rerank: 'llm' } });
  const original = '# my prompt\nname: a\nmessages:\n  - role: user\n    content: "{{q}}"\nvariants:\n  - name: zero-shot # mine\n';
  const text = promptText(original, compose(inc, { file: { responseFormat: 'json_object' } }), 'climbed', false);
  assert.ok(text.startsWith('# my prompt\n'));
  assert.match(text, /- name: zero-shot # mine/);
  const doc = parse(text) as { responseFormat: string; variants: { name: string; retrieval?: unknown }[] };
  assert.equal(doc.responseFormat, 'json_object');
  assert.deepEqual(doc.variants[1], { name: 'climbed', shots: 0, retrieval: { rerank: 'llm' } });
});

test('budget: a step whose estimate exceeds what is left is refused, in words; calls too', () => {
  const b = new Budget(0.1, 50);
  b.add({ usd: 0.08, calls: 40 });
  assert.equal(b.refuses({ calls: 5, tokens: 0, usd: 0.01 }, 'step 2'), undefined);
  assert.equal(b.refuses({ calls: 5, tokens: 0, usd: 0.03 }, 'step 2'), 'step 2 could cost up to $0.0300 and $0.0200 of the $0.1000 budget is left');
  assert.equal(b.refuses({ calls: 11, tokens: 0, usd: 0.001 }, 'step 2'), 'step 2 could make up to 11 calls and 10 of the 50 allowed are left');
  assert.equal(b.exhausted({ usd: 0.015, calls: 0 }, { usd: 0.006, calls: 0 }), true);
  assert.equal(b.exhausted({ usd: 0.01, calls: 0 }, { usd: 0.005, calls: 0 }), false);
});

test('rewrite: the request holds the failing cases it is given and their reasons; the reply is unwrapped', () => {
  const failing: CaseRecord[] = [
    { index: 4, line: 1, vars: { q: 'search case four' }, results: [{ variant: 'v', output: 'nope', passed: false, error: null, category: 'format', latencyMs: 1, tokens: { prompt: 1, completion: 1 }, cached: false, evaluators: [{ name: 'starts', passed: false, score: 0, details: 'does not start with ANSWER:' }] }] },
  ];
  const [, user] = rewriteRequest('Answer.', failing, 0);
  assert.match(user.content, /search case four/);
  assert.match(user.content, /starts: does not start with ANSWER:/);
  assert.match(user.content, /Category: format/);
  assert.equal(proposedSystem('```\nBe brief.\n```'), 'Be brief.');
  assert.equal(proposedSystem('"Be brief."'), 'Be brief.');
  assert.equal(proposedSystem('  '), undefined);
});

test('calibration: followed top recommendations by band of stated confidence; steps where none was followed do not count', () => {
  const round = (confidence: number, topKept: boolean | null, done = true) => ({ round: 1, estimateUsd: null, estimateCalls: 0, spentBeforeUsd: null, top: { kind: 'rag' as const, confidence, title: 't' }, topKept, moves: [], notes: [], done });
  const rows = calibration([{ rounds: [round(0.75, true), round(0.71, false), round(0.95, true), round(0.99, null), round(0.5, true, false)] }]);
  assert.deepEqual(rows.map((r) => [r.band, r.followed, r.kept]), [['70–79 %', 2, 1], ['90–100 %', 1, 1]]);
  assert.ok(Math.abs(rows[0].stated - 0.73) < 1e-12);
  assert.match(calibrationMarkdown(rows), /\| 70–79 % \| 73 % \| 2 \| 1 \| 50 % \|/);
});
