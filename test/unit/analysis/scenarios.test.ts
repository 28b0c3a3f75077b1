// Scenario tests: whole runs through the engine against the scripted model, whose behaviour is rigged so
// the right advice is known. Each asserts the top recommendation and the evidence behind it.

import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { parseAction } from '../../../src/shared/actions';
import { type ScriptedRule } from '../../fixtures/scripted-server';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { exportFineTuneDataset } from '../../../src/core/finetune/dataset';
import { runEval } from '../../../src/core/engine';
import { ADVISOR_COMMANDS } from '../../../src/core/analysis/advisor/commands';
import type { Recommendation, RunRecord } from '../../../src/core/runs/schema';
import { resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({}, { fresh: 'each' });

beforeEach(() => {
  scripted.server.resetStats();
});

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

async function run(name: string, text: string, rules: ScriptedRule[], judgeModel?: string): Promise<{ record: RunRecord; top: Recommendation }> {
  scripted.server.setRules(rules);
  const file = scripted.write(name, text);
  const spec = await loadPromptFile(file);
  const { record } = await runEval(spec, {
    providers: resolverFor(scripted.server.url),
    root: scripted.root,
    write: false,
    cache: false,
    ...(judgeModel ? { judgeModel } : {}),
  });
  assert.equal(record.status, 'completed');
  const top = record.advice?.recommendations[0];
  assert.ok(top, 'the run has advice');
  return { record, top };
}

function perVariant(rec: Recommendation): Record<string, number> {
  return Object.fromEntries((rec.evidence.perVariant as { variant: string; failures: number }[]).map((p) => [p.variant, p.failures]));
}

// --- prompt files ---------------------------------------------------------------------------------------

function productQa(n: number, extra = ''): string {
  const rows = range(0, n)
    .map((i) => `  - product: P${i}\n    code: C${i}X`)
    .join('\n');
  return `name: Product codes
model: openai/test-model
messages:
  - role: system
    content: Answer with the product's code.
  - role: user
    content: "What is the code of product {{product}}? {{context}}"
testData:
${rows}
examples:
  - input: { product: Q1, context: "" }
    output: The code of Q1 is K1Z.
  - input: { product: Q2, context: "" }
    output: The code of Q2 is K2Z.
  - input: { product: Q3, context: "" }
    output: The code of Q3 is K3Z.
${extra}evaluators:
  - name: has-code
    string:
      contains: "{{code}}"
`;
}

function jsonTicket(n: number): string {
  const rows = range(0, n)
    .map((i) => `  - ticket: "order ${i} is broken"`)
    .join('\n');
  return `name: Ticket triage
model: openai/gpt-4o-mini
messages:
  - role: system
    content: 'Triage the ticket. Reply with JSON like {"priority": "high"}.'
  - role: user
    content: "{{ticket}}"
testData:
${rows}
examples:
  - input: my order 100 is late
    output: '{"priority":"low"}'
  - input: my order 101 exploded
    output: '{"priority":"high"}'
  - input: order 102 missing a screw
    output: '{"priority":"low"}'
variants:
  - name: zero-shot
    shots: 0
  - name: 3-shot
    shots: 3
evaluators:
  - name: valid-json
    json: {}
`;
}

// --- scenarios ------------------------------------------------------------------------------------------

test('scenario: knowledge gap that few-shot does not fix → rag, and fine-tuning will not add knowledge', async () => {
  const variants = 'variants:\n  - name: zero-shot\n    shots: 0\n  - name: 3-shot\n    shots: 3\n';
  const { record, top } = await run('knowledge.prompt.yml', productQa(20, variants), [
    // the model knows products 12..19 and makes up codes for the rest, with or without examples
    { user: 'product P(1[2-9])\\b', reply: 'The code of P$1 is C$1X.' },
    { user: 'product P(\\d+)\\b', reply: 'The code of P$1 is probably 0000.' },
  ]);
  assert.equal(record.variants[0].categories.knowledge, 12);
  assert.equal(top.kind, 'rag');
  assert.match(top.why, /Fine-tuning will not add knowledge/);
  assert.deepEqual(top.evidence.cases, range(0, 12));
  assert.deepEqual(perVariant(top), { 'zero-shot': 12, '3-shot': 12 });
  assert.ok(top.actions.includes(`command:${ADVISOR_COMMANDS.addRetrieval}|Add retrieval`));
});

test('scenario: format failures few-shot reduces but does not clear → fine-tuning, with tokens saved per call', async () => {
  const { record, top: first } = await run('format-reduced.prompt.yml', jsonTicket(20), [
    // with examples the model answers JSON except for tickets 0..5; without, it always answers prose
    { user: 'order [0-5] is', shotsAtLeast: 1, reply: 'Priority: high' },
    { shotsAtLeast: 1, reply: '{"priority":"high"}' },
    { reply: 'This looks like a high priority ticket.' },
  ]);
  assert.equal(record.variants[0].categories.format, 20);
  assert.equal(record.variants[1].categories.format, 6);
  // gpt-4o-mini takes a strict JSON schema: structured output comes first, the fine-tuning card right after
  assert.equal(first.evidence.rule, 'structured-output');
  const top = record.advice!.recommendations[1];
  assert.equal(top.kind, 'fine-tuning');
  const also = (top.evidence.also as { rule: string }[]).map((x) => x.rule);
  assert.ok(also.includes('cached-few-shot') && also.includes('fine-tune-venue'), `the card prices cached few-shot and says where to fine-tune: ${also}`);
  assert.match(top.why, /Per 1,000 calls at 100,000 calls a month on openai\/gpt-4o-mini: few-shot \$/);
  assert.deepEqual(perVariant(top), { 'zero-shot': 20, '3-shot': 6 });
  assert.deepEqual(top.evidence.cases, range(0, 20));
  assert.equal(top.evidence.bestFewShot, '3-shot');
  assert.ok((top.evidence.tokensSavedPerCall as number) > 0, 'few-shot tokens are the saving');
  assert.ok((top.evidence.savedPer1000CallsUsd as number) > 0, 'gpt-4o-mini has a price');
  assert.ok(top.actions.some((a) => a.startsWith(`command:${ADVISOR_COMMANDS.exportFineTune}|`)));
  // one figure: the export (panel command and `prompt-ladder finetune`) says what the advice card says
  const spec = await loadPromptFile(path.join(scripted.root, 'format-reduced.prompt.yml'));
  const exported = exportFineTuneDataset(spec, record, { source: 'best-variant' });
  assert.equal(exported.tokensSavedPerCall, top.evidence.tokensSavedPerCall);
  assert.equal(exported.fewShotVariant, '3-shot');
});

test('scenario: format failures few-shot does not move → prompt-engineering (instructions, JSON schema mode)', async () => {
  const { record, top } = await run('format-stuck.prompt.yml', jsonTicket(20), [
    { user: 'order [0-9] is', reply: 'Priority: high' },
    { reply: '{"priority":"low"}' },
  ]);
  assert.equal(record.variants[0].categories.format, 10);
  assert.equal(record.variants[1].categories.format, 10);
  assert.equal(top.kind, 'prompt-engineering');
  assert.deepEqual(perVariant(top), { 'zero-shot': 10, '3-shot': 10 });
  assert.deepEqual(top.evidence.cases, range(0, 10));
  assert.ok(top.actions.some((a) => /json_schema/.test(a)));
  assert.ok(!record.advice!.recommendations.some((r) => r.kind === 'fine-tuning'));
});

test('scenario: reasoning failures (the judge sees facts present, conclusion wrong) → prompt-engineering with chain of thought', async () => {
  const rows = range(0, 20)
    .map((i) => `  - a: Ann${i}\n    b: Bob${i}\n    expected: "${i % 2 ? 'yes' : 'no'}"`)
    .join('\n');
  const text = `name: Ages
model: openai/test-model
messages:
  - role: system
    content: Answer yes or no.
  - role: user
    content: "{{a}} is 30. {{b}} is 40. Is {{a}} older than {{b}}?"
testData:
${rows}
evaluators:
  - name: answer
    string:
      contains: "{{expected}}"
`;
  const { record, top } = await run(
    'reasoning.prompt.yml',
    text,
    [
      { system: 'You classify why', reply: '{"category":"reasoning","reason":"both ages are given but the comparison is wrong"}' },
      // odd rows expect "yes" and the model says "no": 10 wrong conclusions
      { user: 'Ann\\d*[13579] is', reply: 'no' },
      { reply: 'no' },
    ],
    'openai/judge-model',
  );
  assert.equal(record.variants[0].categories.reasoning, 10);
  const failed = record.cases.flatMap((c) => c.results).find((r) => !r.passed)!;
  assert.match(failed.categoryReason!, /^judge: both ages/);
  assert.equal(top.kind, 'prompt-engineering');
  assert.deepEqual(top.evidence.cases, range(0, 20).filter((i) => i % 2));
  // the button now carries { rerun: true } (a one-click edit with its re-run), so compare the parsed command
  assert.ok(top.actions.map(parseAction).some((a) => a.command === ADVISOR_COMMANDS.addChainOfThought && a.label === 'Add chain-of-thought variant'));
  assert.match(top.title!, /step by step/);
});

test('scenario: context present but missing the needed fact → rag with retrieval actions', async () => {
  scripted.write('docs/codes.md', range(0, 10).map((i) => `Product P${i} has the code C${i}X.`).join('\n\n'));
  scripted.write('docs/other.md', 'Products P10 to P19 ship in blue boxes.\n\nAll products come with a manual.');
  const extra = `retrieval:
  documents: ./docs/*.md
  chunk: { size: 200, overlap: 20 }
  topK: 2
  query: input
  into: context
variants:
  - name: zero-shot
    shots: 0
  - name: rag
    retrieval: true
`;
  const { record, top } = await run('rag.prompt.yml', productQa(20, extra), [
    // the model repeats a code only when the context it was given holds it
    { anyMessage: 'product P(\\d+)\\?[\\s\\S]*Product P\\1 has the code C\\1X', user: 'product P(\\d+)\\?', reply: 'The code of P$1 is C$1X.' },
    { reply: 'The code is not in what I was given.' },
  ]);
  const rag = record.variants.find((v) => v.name === 'rag')!;
  assert.equal(rag.retrieval, true);
  assert.equal(rag.passed, 10);
  assert.equal(rag.categories.retrieval, 10, 'context present, fact absent');
  assert.equal(record.variants[0].categories.knowledge, 20);
  assert.equal(top.kind, 'rag');
  assert.equal(top.evidence.ragVariant, 'rag');
  assert.deepEqual(top.evidence.cases, range(0, 20));
  // Changed with advisor v2 (rank by what still fails in the best configuration): the lead finding is now the
  // retrieval one (the 10 failures left in the best column, rag) and the knowledge finding RAG already fixed is
  // merged under `also`; the expected advice (rag, with retrieval actions) is unchanged.
  assert.deepEqual(perVariant(top), { 'zero-shot': 0, rag: 10 }, 'retrieval failures per variant lead');
  const lead = (top.evidence.perVariant as { variant: string; failures: number; cases: number[] }[]).find((p) => p.variant === 'rag')!;
  assert.deepEqual(lead.cases, range(10, 20), 'the retrieval failures are the products the docs lack');
  const also = top.evidence.also as { category: string; perVariant: { variant: string; failures: number }[] }[];
  const knowledge = also.find((a) => a.category === 'knowledge')!;
  assert.deepEqual(
    Object.fromEntries(knowledge.perVariant.map((p) => [p.variant, p.failures])),
    { 'zero-shot': 20, rag: 0 },
    'knowledge failures per variant: rag fixes them',
  );
  for (const word of [/chunk/i, /rerank/i, /hyde/i, /expand/i]) assert.ok(top.actions.some((a) => word.test(a)), String(word));
});

test('scenario: 4 cases → evaluation first', async () => {
  const variants = 'variants:\n  - name: zero-shot\n    shots: 0\n  - name: 3-shot\n    shots: 3\n';
  const { top } = await run('tiny.prompt.yml', productQa(4, variants), [{ reply: 'The code is probably 0000.' }]);
  assert.equal(top.kind, 'evaluation');
  assert.equal(top.evidence.caseCount, 4);
  assert.deepEqual(top.evidence.cases, [0, 1, 2, 3]);
  assert.ok(top.actions.includes(`command:${ADVISOR_COMMANDS.addTestCase}|Add test case`));
});

test('scenario: answers that go beyond the retrieved context (faithfulness, judged per statement) → prompt-engineering, then fine-tuning', async () => {
  scripted.write('docs/codes.md', range(0, 20).map((i) => `Product P${i} has the code C${i}X.`).join('\n\n'));
  const text = `name: Grounded codes
model: openai/test-model
messages:
  - role: system
    content: Answer with the product's code.
  - role: user
    content: "What is the code of product {{product}}?"
testData:
${range(0, 20)
  .map((i) => `  - product: P${i}\n    code: C${i}X`)
  .join('\n')}
retrieval:
  documents: ./docs/*.md
  chunk: { size: 120, overlap: 0 }
  topK: 2
variants:
  - name: rag
    retrieval: true
    systemSuffix: "Context: {{context}}"
evaluators:
  - name: has-code
    string:
      contains: "{{code}}"
  - name: faithful
    faithfulness: { threshold: 0.8 }
`;
  const { record, top } = await run(
    'grounding.prompt.yml',
    text,
    [
      { system: 'standalone statements', anyMessage: 'glows', reply: '{"statements":["The code is right.","It glows in the dark."]}' },
      { system: 'standalone statements', reply: '{"statements":["The code is right."]}' },
      {
        system: 'directly inferred',
        anyMessage: 'glows',
        reply: '{"verdicts":[{"statement":"The code is right.","verdict":1,"reason":"in context"},{"statement":"It glows in the dark.","verdict":0,"reason":"not in context"}]}',
      },
      { system: 'directly inferred', reply: '{"verdicts":[{"statement":"The code is right.","verdict":1,"reason":"in context"}]}' },
      // products 0..7 get an invented extra claim
      { user: 'product P([0-7])\\?', reply: 'The code of P$1 is C$1X. It glows in the dark.' },
      { user: 'product P(\\d+)\\?', reply: 'The code of P$1 is C$1X.' },
    ],
    'openai/judge-model',
  );
  const rag = record.variants[0];
  assert.equal(rag.categories.grounding, 8);
  const failed = record.cases[0].results[0];
  const faithful = failed.evaluators.find((e) => e.name === 'faithful')!;
  assert.equal(faithful.score, 0.5);
  assert.deepEqual(
    (faithful.data as { statements: { supported: boolean }[] }).statements.map((s) => s.supported),
    [true, false],
    'per-statement verdicts are in the record',
  );
  assert.equal(top.kind, 'prompt-engineering');
  assert.match(top.title!, /only from it/);
  assert.deepEqual(top.evidence.cases, range(0, 8));
  const kinds = record.advice!.recommendations.map((r) => r.kind);
  assert.ok(kinds.indexOf('fine-tuning') > kinds.indexOf('prompt-engineering'), 'fine-tuning comes after prompt engineering');
});
