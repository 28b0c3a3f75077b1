// The demo model of `npm start` (the scripted server with examples/.demo/tasks.json and rules.json) answers
// Prompt Ladder's own calls: each prompt builder's real messages go through the real openai client over HTTP, and
// the reply must parse with the schema the product parses it with. `generate` runs end to end on every example;
// with rules.json alone (the demo before tasks.json) it fails on the first reply.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { loadRulesFile } from '../../fixtures/demoBehaviours';
import { runCli, cliEnv } from '../cli/runCli';
import { tempWorkspace, type Workspace } from '../../fixtures/workspace';
import type { ChatMessage } from '../../../src/core/prompt/spec';
import { buildJudgeMessages } from '../../../src/core/evaluators/judge';
import * as p from '../../../src/core/analysis/prompts';

const DEMO = path.resolve('examples', '.demo');
let server: ScriptedServer;
let client: OpenAI;
let ws: Workspace;

before(async () => {
  const rules = ['tasks.json', 'rules.json'].flatMap((f) => loadRulesFile(path.join(DEMO, f)).rules);
  server = await startScriptedServer({ rules });
  client = new OpenAI({ baseURL: server.url, apiKey: 'demo' });
  ws = tempWorkspace();
  ws.write('package.json', '{}');
  cpSync(path.resolve('examples'), path.join(ws.root, 'examples'), { recursive: true });
});
after(async () => {
  await server.close();
  ws.dispose();
});

async function ask(messages: ChatMessage[]): Promise<string> {
  const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  return res.choices[0].message.content ?? '';
}

test('failure categories follow the evidence: a failed format check, an empty-handed context, a wrong fact', async () => {
  const format = p.parseJudgeJson(
    await ask(p.categorizePrompt({ question: 'Where is my parcel?', output: 'It is late: {"intent": "delivery"}', failedChecks: ['valid-json: not JSON'] })),
    p.CategoryReplySchema,
  );
  assert.equal(format.category, 'format');
  const retrieval = p.parseJudgeJson(
    await ask(p.categorizePrompt({ question: 'Do gift cards expire?', output: 'The context does not say, sorry.', context: ['Shipping to Canada takes 5-7 days.'], failedChecks: ['states-the-fact'] })),
    p.CategoryReplySchema,
  );
  assert.equal(retrieval.category, 'retrieval');
  const knowledge = p.parseJudgeJson(await ask(p.categorizePrompt({ question: 'Student discount?', output: 'Students get 15% off.', failedChecks: ['states-the-fact'] })), p.CategoryReplySchema);
  assert.equal(knowledge.category, 'knowledge');
});

test('a judge scores by the reference answer: the right answer high, an unrelated one low', async () => {
  type Score = { score: number; reason: string };
  const good = JSON.parse(await ask(buildJudgeMessages('Is it correct?', 'How long to return?', 'You can return items within 30 days for a refund.', 'Returns within 30 days for a refund.'))) as Score;
  const bad = JSON.parse(await ask(buildJudgeMessages('Is it correct?', 'How long to return?', 'We ship to Canada.', 'Returns within 30 days for a refund.'))) as Score;
  assert.ok(good.score >= 0.6, `good ${good.score}`);
  assert.ok(bad.score <= 0.2, `bad ${bad.score}`);
  assert.ok(good.reason.length > 0);
});

test('Ragas metrics and retrieval moves get replies of their schemas, decided by the context', async () => {
  const context = ['Gift cards never expire.', 'Support is open 8:00 to 20:00 CET.'];
  const statements = p.parseJudgeJson(await ask(p.statementsPrompt('Do gift cards expire?', 'Gift cards never expire. They cost nothing extra.')), p.StatementsReplySchema);
  assert.deepEqual(statements.statements, ['Gift cards never expire.', 'They cost nothing extra.']);
  const verdicts = p.parseJudgeJson(await ask(p.faithfulnessVerdictPrompt(context, statements.statements)), p.VerdictsReplySchema);
  assert.deepEqual(verdicts.verdicts.map((v) => v.verdict), [1, 0]);
  const questions = p.parseJudgeJson(await ask(p.answerQuestionsPrompt('I am not sure, sorry.', 3)), p.GeneratedQuestionsReplySchema);
  assert.equal(questions.questions.length, 3);
  assert.equal(questions.noncommittal, 1);
  const useful = p.parseJudgeJson(await ask(p.contextUsefulPrompt('Do gift cards expire?', 'Gift cards never expire.', context[0])), p.UsefulReplySchema);
  assert.equal(useful.verdict, 1);
  const recall = p.parseJudgeJson(await ask(p.contextRecallPrompt('When is support open?', context, ['Support is open 8:00 to 20:00 CET.', 'Phones are answered in Berlin.'])), p.AttributionReplySchema);
  assert.deepEqual(recall.classifications.map((c) => c.attributed), [1, 0]);
  const expanded = p.parseJudgeJson(await ask(p.expandPrompt('Do gift cards expire?', 3)), p.ExpandReplySchema);
  assert.equal(expanded.queries.length, 3);
  assert.match(await ask(p.hydePrompt('Do gift cards expire?')), /gift cards expire/i);
});

test('`generate` adds cases to every example on the demo model', async () => {
  const examples = [
    ['support-intent/support-intent.prompt.yml', 'support-intent/intent.cases.jsonl'],
    ['support-qa/support-qa.prompt.yml', 'support-qa/support-qa.prompt.yml'],
    ['summarizer/summarize.prompty', 'summarizer/summarize.cases.jsonl'],
  ];
  for (const [prompt, target] of examples) {
    const before = readFileSync(path.join(ws.root, 'examples', target), 'utf8');
    const r = await runCli(['generate', prompt, '--count', '3'], { cwd: path.join(ws.root, 'examples'), env: cliEnv(ws.root, server.url) });
    assert.equal(r.code, 0, `${prompt}: ${r.stderr}`);
    const after = readFileSync(path.join(ws.root, 'examples', target), 'utf8');
    assert.equal(after.split('generated').length - before.split('generated').length, 3, `${prompt}: three generated cases in ${target}`);
  }
});

test('with the examples\' rules alone the demo cannot generate: the reply is not the generator\'s JSON', async () => {
  server.setRules(loadRulesFile(path.join(DEMO, 'rules.json')).rules);
  try {
    const r = await runCli(['generate', 'support-intent/support-intent.prompt.yml', '--count', '3'], { cwd: path.join(ws.root, 'examples'), env: cliEnv(ws.root, server.url) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /reply had the wrong shape/);
  } finally {
    server.setRules(['tasks.json', 'rules.json'].flatMap((f) => loadRulesFile(path.join(DEMO, f)).rules));
  }
});

test('a rules file naming an unknown behaviour is refused with the file, the rule and the known names', () => {
  const file = ws.write('bad-rules.json', JSON.stringify({ rules: [{ system: 'x', reply: 'ok' }, { system: 'y', behaviour: 'judge.scor' }] }));
  assert.throws(() => loadRulesFile(file), (e: Error) => e.message.startsWith(`${file}: rule 2 names behaviour "judge.scor"; known: `) && e.message.includes('judge.score'));
});
