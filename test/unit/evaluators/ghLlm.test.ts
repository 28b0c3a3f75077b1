// gh `llm` evaluator and `uses: github/*` built-ins, through a real `openai` client over HTTP to the
// scripted server. Rules match github/gh-models cmd/eval/eval.go runLLMEvaluator / runPluginEvaluator.

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluatorSpec, LlmChoice } from '../../../src/core/prompt/spec';
import { runEvaluators } from '../../../src/core/evaluators/registry';
import { BUILTIN_JUDGES } from '../../../src/core/evaluators/builtinJudges';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { DEFAULT_JUDGE_MODEL, openAiJudge } from './judgeClient';
import { evalInput } from './evalInput';

type Body = { model: string; messages: { role: string; content: string }[] };

let server: ScriptedServer;
before(async () => {
  server = await startScriptedServer({});
});
after(async () => {
  await server.close();
});
beforeEach(() => server.resetStats());

/** Make the judge answer `reply` to everything. */
function judgeSays(reply: string): void {
  server.setRules([{ reply }]);
}
const lastBody = (): Body => server.stats.bodies[server.stats.bodies.length - 1] as Body;

const YES_NO: LlmChoice[] = [
  { choice: 'Yes', score: 1 },
  { choice: 'No', score: 0 },
];
const llm = (over: Partial<Extract<EvaluatorSpec, { kind: 'llm' }>> = {}): EvaluatorSpec => ({
  kind: 'llm',
  name: 'polite',
  line: 1,
  modelId: 'openai/gpt-4o-mini',
  prompt: 'Is this reply to "{{input}}" polite? {{completion}}',
  choices: YES_NO,
  ...over,
});

describe('gh llm evaluator', () => {
  const cases: { reply: string; choices?: LlmChoice[]; score: number; pass: boolean; why: string }[] = [
    { why: 'a matching choice with score > 0 passes', reply: 'Yes', score: 1, pass: true },
    { why: 'a matching choice with score 0 fails', reply: 'No', score: 0, pass: false },
    { why: 'matching ignores case and surrounding space', reply: '  YES.  ', score: 1, pass: true },
    { why: 'matching is a substring test', reply: 'I would say yes, mostly', score: 1, pass: true },
    { why: 'the FIRST listed choice contained in the reply wins', reply: 'No — well, yes.', score: 1, pass: true },
    {
      why: 'order of the choices list decides, not position in the reply',
      reply: 'No — well, yes.',
      choices: [
        { choice: 'no', score: 0 },
        { choice: 'yes', score: 1 },
      ],
      score: 0,
      pass: false,
    },
    { why: 'no matching choice → score 0, failed', reply: 'Maybe', score: 0, pass: false },
    {
      why: 'a fractional score > 0 passes',
      reply: 'partly',
      choices: [
        { choice: 'fully', score: 1 },
        { choice: 'partly', score: 0.5 },
      ],
      score: 0.5,
      pass: true,
    },
  ];
  for (const c of cases) {
    it(`${c.why} (${JSON.stringify(c.reply)})`, async () => {
      judgeSays(c.reply);
      const v = await runEvaluators(
        [llm(c.choices ? { choices: c.choices } : {})],
        evalInput('Thank you kindly!', { vars: { input: 'hi' }, judge: openAiJudge(server) }),
      );
      assert.equal(v.results[0].score, c.score, v.results[0].details);
      assert.equal(v.results[0].passed, c.pass);
      assert.equal(v.passed, c.pass);
    });
  }

  it("reports gh's details for a match and for no match", async () => {
    judgeSays('YES');
    let v = await runEvaluators([llm()], evalInput('ok', { judge: openAiJudge(server) }));
    assert.equal(v.results[0].details, "LLM evaluation matched choice: 'Yes'");
    judgeSays('  Perhaps ');
    v = await runEvaluators([llm()], evalInput('ok', { judge: openAiJudge(server) }));
    assert.equal(v.results[0].details, "LLM evaluation response 'perhaps' did not match any defined choices");
  });

  it('sends the modelId, the system prompt as written, and the prompt templated with the row plus {{completion}}', async () => {
    judgeSays('yes');
    await runEvaluators(
      [llm({ systemPrompt: 'Judge {{input}} strictly.' })],
      evalInput('  Thank you kindly!  ', { vars: { input: 'hello', completion: 'row value loses' }, judge: openAiJudge(server) }),
    );
    const body = lastBody();
    assert.equal(body.model, 'openai/gpt-4o-mini');
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Judge {{input}} strictly.' },
      { role: 'user', content: 'Is this reply to "hello" polite? Thank you kindly!' },
    ]);
  });

  it('omits an empty system prompt', async () => {
    judgeSays('yes');
    await runEvaluators([llm({ systemPrompt: '' })], evalInput('x', { judge: openAiJudge(server) }));
    assert.deepEqual(lastBody().messages.map((m) => m.role), ['user']);
  });

  it('a judge call that fails becomes a failed result, not a crash', async () => {
    server.setRules([{ status: 500 }]);
    const v = await runEvaluators([llm(), { kind: 'string', name: 's', line: 2, contains: 'x' }], evalInput('x', { judge: openAiJudge(server) }));
    assert.equal(v.passed, false);
    assert.equal(v.results[0].passed, false);
    assert.equal(v.results[0].category, 'error');
    assert.match(v.results[0].details ?? '', /Evaluator error/);
    assert.equal(v.results[1].passed, true);
  });
});

const builtin = (uses: string): EvaluatorSpec => ({ kind: 'builtin', name: uses, line: 1, uses });

describe('github/* built-in judges', () => {
  const names = ['similarity', 'coherence', 'fluency', 'relevance', 'groundedness'];

  it('are the five gh-models judges with 1–5 star choices scored 0, .25, .5, .75, 1', () => {
    assert.deepEqual(Object.keys(BUILTIN_JUDGES).sort(), [...names].sort());
    for (const n of names) {
      assert.deepEqual(
        BUILTIN_JUDGES[n].choices.map((c) => [c.choice, c.score]),
        [['1', 0], ['2', 0.25], ['3', 0.5], ['4', 0.75], ['5', 1]],
      );
    }
  });

  for (const n of names) {
    for (const [stars, score] of [['1', 0], ['2', 0.25], ['3', 0.5], ['4', 0.75], ['5', 1]] as const) {
      it(`github/${n}: a judge reply of ${stars} star(s) scores ${score} and ${score > 0 ? 'passes' : 'fails'}`, async () => {
        judgeSays(`\n${stars}\n`);
        const v = await runEvaluators(
          [builtin(`github/${n}`)],
          evalInput('Paris is the capital of France.', {
            vars: { input: 'What is the capital of France?', expected: 'Paris' },
            judge: openAiJudge(server),
          }),
        );
        assert.equal(v.results[0].score, score);
        assert.equal(v.results[0].passed, score > 0);
      });
    }
  }

  it('match like gh: the first listed star contained anywhere in the reply wins', async () => {
    // gh tries "1" before "4": a reasoning reply mentioning "1" scores 0 even if it ends with 4.
    judgeSays("Let's think step by step: point 1 is fine.\nScore: 4");
    const v = await runEvaluators([builtin('github/coherence')], evalInput('ok', { vars: { input: 'q' }, judge: openAiJudge(server) }));
    assert.equal(v.results[0].score, 0);
    assert.equal(v.results[0].passed, false);
  });

  it('a reply without a star digit fails with no match', async () => {
    judgeSays('excellent');
    const v = await runEvaluators([builtin('github/fluency')], evalInput('ok', { judge: openAiJudge(server) }));
    assert.equal(v.results[0].passed, false);
    assert.match(v.results[0].details ?? '', /did not match any defined choices/);
  });

  it('send the gh system prompt and template {{input}}, {{expected}}, {{completion}} into the prompt', async () => {
    judgeSays('5');
    await runEvaluators(
      [builtin('github/groundedness')],
      evalInput('It opens at 9.', {
        vars: { input: 'When does it open?', expected: 'The shop opens at 9am.' },
        judge: openAiJudge(server),
      }),
    );
    const body = lastBody();
    assert.equal(body.model, DEFAULT_JUDGE_MODEL, 'built-ins use the configured judge model');
    assert.equal(body.messages[0].role, 'system');
    assert.equal(body.messages[0].content, BUILTIN_JUDGES.groundedness.systemPrompt);
    assert.match(body.messages[1].content, /CONTEXT: The shop opens at 9am\.\nQUERY: When does it open\?\nRESPONSE: It opens at 9\.\n/);
    assert.doesNotMatch(body.messages[1].content, /\{\{(input|expected|completion)\}\}/);
  });

  it('similarity reads {{expected}} from the case when the row does not carry it', async () => {
    judgeSays('4');
    await runEvaluators(
      [builtin('github/similarity')],
      evalInput('Paris.', { vars: { input: 'Capital of France?' }, expected: 'Paris', judge: openAiJudge(server) }),
    );
    assert.match(lastBody().messages[1].content, /question: Capital of France\?\ncorrect answer: Paris\npredicted answer: Paris\.\nstars:$/);
  });

  it('without an `input` column, {{input}} is the question actually asked', async () => {
    judgeSays('4');
    await runEvaluators(
      [builtin('github/relevance')],
      evalInput('Paris.', { vars: { country: 'France' }, question: 'What is the capital of France?', judge: openAiJudge(server) }),
    );
    assert.match(lastBody().messages[1].content, /QUERY: What is the capital of France\?\nRESPONSE: Paris\./);
  });

  it("an unknown plugin fails with gh's message and calls no model", async () => {
    const v = await runEvaluators([builtin('github/nonsense'), builtin('acme/similarity')], evalInput('ok', { judge: openAiJudge(server) }));
    assert.deepEqual(v.results.map((r) => r.details), ["Plugin evaluator 'github/nonsense' not found", "Plugin evaluator 'acme/similarity' not found"]);
    assert.equal(v.passed, false);
    assert.equal(server.stats.chatRequests, 0);
  });

  it('groundedness failures point at grounding unless a category is declared', async () => {
    judgeSays('2');
    const v = await runEvaluators(
      [builtin('github/groundedness'), { ...builtin('github/groundedness'), category: 'retrieval' }],
      evalInput('x', { judge: openAiJudge(server) }),
    );
    assert.deepEqual(v.results.map((r) => r.category), ['grounding', 'retrieval']);
  });
});
