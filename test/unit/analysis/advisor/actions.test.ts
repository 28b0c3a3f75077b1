// Every action the advisor can emit resolves to something that runs: a command the extension registers and
// contributes (with arguments its handler accepts), or a plain tip that names no retrieval knob a user could
// not set from the prompt file. The records below drive every rule to every branch that has actions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { advise, RULES } from '../../../../src/core/analysis/advisor/advise';
import { ADVISOR_COMMANDS } from '../../../../src/core/analysis/advisor/commands';
import { checkAdvisorAction, exportFineTuneArgs, retrievalVariantArgs } from '../../../../src/core/analysis/advisor/commandArgs';
import { parseAction } from '../../../../src/shared/actions';
import type { PromptSpec } from '../../../../src/core/prompt/spec';
import { failing, plannedRecord } from '../records';

const ROOT = path.resolve(__dirname, '../../../..');
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

const RECORDS = [
  plannedRecord(5, [{ name: 'v', failures: failing([0, 1], 'knowledge') }]),
  plannedRecord(20, [{ name: 'v', failures: failing(range(0, 15), 'error') }]),
  plannedRecord(20, [{ name: 'v', failures: {} }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'format') }, { name: '3-shot', shots: 3, failures: failing([0, 1], 'format') }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'format') }, { name: '3-shot', shots: 3, failures: {} }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 8), 'format') }, { name: '3-shot', shots: 3, failures: failing(range(0, 8), 'format') }]),
  plannedRecord(20, [{ name: 'default', failures: failing(range(0, 8), 'instruction') }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 9), 'knowledge') }, { name: '3-shot', shots: 3, failures: failing(range(0, 9), 'knowledge') }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') }, { name: '5-shot', shots: 5, failures: failing([0], 'knowledge') }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') }, { name: 'rag', retrieval: true, failures: {} }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') }, { name: 'rag', retrieval: true, failures: failing(range(0, 9), 'knowledge') }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') }, { name: 'rag', retrieval: true, failures: failing([1, 2, 3], 'retrieval') }]),
  plannedRecord(20, [{ name: 'rag', retrieval: true, failures: failing([1, 2, 3, 4], 'grounding') }]),
  plannedRecord(20, [{ name: 'default', failures: failing([3, 6, 9], 'reasoning') }]),
  plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'reasoning') }, { name: 'cot', chainOfThought: true, failures: failing([0], 'reasoning') }]),
  plannedRecord(20, [{ name: 'v', failures: failing([1, 2, 3, 4, 5], 'refusal') }]),
  plannedRecord(40, [
    { name: 'zero-shot', failures: { ...failing(range(0, 12), 'format'), ...failing(range(20, 32), 'knowledge') } },
    { name: '3-shot', shots: 3, failures: { ...failing(range(0, 4), 'format'), ...failing(range(20, 32), 'knowledge') } },
    { name: 'rag-3-shot', shots: 3, retrieval: true, failures: failing(range(0, 4), 'format') },
  ]),
];

const SPEC = {
  retrieval: { documents: ['./docs/*.md'], chunk: { size: 600, overlap: 60 }, topK: 3, query: 'input', into: 'context', line: 1 },
  evaluators: [],
  variants: [],
} as unknown as PromptSpec;

function allActions(): { rule: string; action: string }[] {
  const out: { rule: string; action: string }[] = [];
  for (const rec of RECORDS) {
    for (const r of advise(rec).recommendations) {
      const rules = [r.evidence.rule, ...((r.evidence.also as { rule: string }[] | undefined) ?? []).map((a) => a.rule)].join('+');
      for (const a of r.actions) out.push({ rule: rules, action: a });
    }
  }
  // the fine-tuning alternatives: a JSON task after OpenAI's cut-off, and a bigger model that passes more
  const JSON_SPEC = { evaluators: [{ kind: 'json', name: 'valid-json' }], variants: [], messages: [], cases: [] } as unknown as PromptSpec;
  const after = new Date('2027-02-01T00:00:00Z');
  const fineTuning = [
    plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'format') }, { name: '3-shot', shots: 3, failures: failing([0, 1], 'format') }]),
    plannedRecord(20, [{ name: 'mini', failures: failing(range(0, 10), 'format') }, { name: 'big', model: 'gpt-4o', failures: {} }]),
  ];
  for (const rec of fineTuning)
  {for (const r of advise(rec, { spec: JSON_SPEC, now: after }).recommendations) {
    const rules = [r.evidence.rule, ...((r.evidence.also as { rule: string }[] | undefined) ?? []).map((a) => a.rule)].join('+');
    for (const a of r.actions) out.push({ rule: rules, action: a });
  }}
  // the retrieval actions read the prompt's own retrieval settings
  for (const r of advise(RECORDS[11], { spec: SPEC }).recommendations) for (const a of r.actions) out.push({ rule: 'retrieval+spec', action: a });
  return out;
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
// The command tables: registration in commands.ts, one module per command area.
const registration = ['commands', 'runCommands', 'editCommands', 'settingsCommands', 'runsViewCommands', 'advisorCommands', 'generate/generateTestCases', 'climb/climbCommand']
  .map((m) => readFileSync(path.join(ROOT, `src/extension/${m}.ts`), 'utf8'))
  .join('');

test('every rule has metadata (id, description, kinds) and the records reach every rule that gives advice', () => {
  const seen = new Set(allActions().flatMap((a) => a.rule.split('+')));
  for (const r of RULES) {
    assert.ok(r.meta.id && r.meta.description && r.meta.kinds.length, `meta of ${r.meta.id}`);
    assert.ok(seen.has(r.meta.id), `some record exercises ${r.meta.id}`);
  }
});

test('every command action names a contributed, registered Prompt Ladder command with arguments its handler accepts', () => {
  const ids = new Set<string>(Object.values(ADVISOR_COMMANDS));
  const used = new Set<string>();
  for (const { rule, action } of allActions()) {
    const a = parseAction(action);
    if (!a.command) continue;
    used.add(a.command);
    assert.ok(ids.has(a.command), `${rule}: ${a.command} is an advisor command`);
    assert.ok(contributed.has(a.command), `${rule}: ${a.command} is in package.json contributes.commands`);
    assert.ok(registration.includes(`'${a.command}'`), `${rule}: ${a.command} is registered by the extension`);
    assert.ok(a.label.length > 3, `${rule}: ${a.command} has a label`);
    assert.ok(checkAdvisorAction(action).ok, `${rule}: ${action} passes the check a stored record's actions go through`);
    if (a.command === ADVISOR_COMMANDS.addRetrievalVariant) {
      assert.equal(a.args?.length, 1, `${rule}: one argument`);
      assert.ok(retrievalVariantArgs(a.args![0]), `${rule}: ${JSON.stringify(a.args)} is a valid retrieval-variant argument`);
    } else if (a.command === ADVISOR_COMMANDS.exportFineTune && a.args) {
      assert.equal(a.args.length, 1, `${rule}: one argument`);
      assert.ok(exportFineTuneArgs(a.args[0]), `${rule}: ${JSON.stringify(a.args)} is a valid export argument`);
    } else if (a.command === ADVISOR_COMMANDS.addChainOfThought || a.command === ADVISOR_COMMANDS.addSelfRepair) {
      assert.deepEqual(a.args, [{ rerun: true }], `${rule}: the variant button re-runs`);
    } else {
      assert.equal(a.args, undefined, `${rule}: ${a.command} takes only the prompt file`);
    }
  }
  for (const id of ids) assert.ok(used.has(id), `${id} is emitted by some rule (no dead command ids)`);
});

test('plain tips never ask for a retrieval change the user would have to make by hand', () => {
  for (const { rule, action } of allActions()) {
    const a = parseAction(action);
    if (a.command) continue;
    assert.doesNotMatch(a.label, /rerank|chunk|hyde|topK|query expansion/i, `${rule}: "${a.label}" must be a one-click variant`);
  }
});

test('the retrieval sweep follows the prompt file: chunk sizes around its own, overlap scaled, topK kept for the reranker', () => {
  const acts = advise(RECORDS[11], { spec: SPEC }).recommendations.flatMap((r) => r.actions).map(parseAction);
  const sweep = acts.find((a) => a.command === ADVISOR_COMMANDS.addRetrievalVariant && /chunk sizes/.test(a.label))!;
  const arg = retrievalVariantArgs(sweep.args![0])!;
  assert.deepEqual(arg.variants.map((v) => v.retrieval.chunk), [{ size: 300, overlap: 30 }, { size: 150, overlap: 15 }, { size: 1200, overlap: 120 }]);
  const rerank = acts.find((a) => /reranked/.test(a.label))!;
  assert.deepEqual(retrievalVariantArgs(rerank.args![0])!.variants[0].retrieval, { rerank: 'llm', topK: 3 });
});
