import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanizeCommand, isAllowedActionCommand, parseAction } from '../../../src/shared/actions';
import { adviceProse, readEvidence } from '../../../src/webview/adviceModel';

test('action strings: command with label, bare command, markdown link, args, plain text', () => {
  assert.deepEqual(parseAction('command:promptLadder.addRetrieval|Add retrieval'), { label: 'Add retrieval', command: 'promptLadder.addRetrieval' });
  assert.deepEqual(parseAction('command:promptLadder.exportFineTuneDataset'), { label: 'Export fine tune dataset', command: 'promptLadder.exportFineTuneDataset' });
  assert.deepEqual(parseAction('[Add CoT variant](command:promptLadder.addChainOfThought)'), { label: 'Add CoT variant', command: 'promptLadder.addChainOfThought' });
  assert.deepEqual(parseAction(`command:promptLadder.addFewShot?${encodeURIComponent('[3]')}|Add 3-shot`), {
    label: 'Add 3-shot',
    command: 'promptLadder.addFewShot',
    args: [3],
  });
  assert.deepEqual(parseAction('Write clearer instructions'), { label: 'Write clearer instructions' });
  assert.deepEqual(parseAction('command:bad id|x'), { label: 'command:bad id|x' });
});

test('only Prompt Ladder commands may run from advice', () => {
  assert.equal(isAllowedActionCommand('promptLadder.addRetrieval'), true);
  assert.equal(isAllowedActionCommand('workbench.action.terminal.sendSequence'), false);
  assert.equal(isAllowedActionCommand('promptLadderEvil.x'), false);
  assert.equal(humanizeCommand('promptLadder.addRetrieval'), 'Add retrieval');
});

test('evidence: scalars become facts, case arrays become links labelled by the keys that lead to them', () => {
  const ev = readEvidence({
    failures: 11,
    knowledgeFailures: 8,
    cases: [4, 2, 2],
    fewShotDelta: -0.05,
    byVariant: { 'zero-shot': { knowledge: 5, caseIndexes: [1, 2, 3] }, '3-shot': { knowledge: 3 } },
    note: 'few-shot did not help',
    // the advisor's per-variant numbers: an array of objects named by `variant`
    perVariant: [
      { variant: 'zero-shot', shots: 0, failures: 2, passRate: 0.33, cases: [0, 2] },
      { variant: '3-shot', shots: 3, failures: 0, cases: [] },
    ],
    counts: { format: 2, instruction: 1 },
  });
  assert.deepEqual(ev.links, [
    { label: 'Cases behind this', cases: [2, 4] },
    { label: 'By variant · zero-shot', cases: [1, 2, 3] },
    { label: 'Per variant · zero-shot', cases: [0, 2] },
  ]);
  const facts = Object.fromEntries(ev.facts.map((f) => [f.label, f.value]));
  assert.equal(facts['Failures'], '11');
  assert.equal(facts['Knowledge failures'], '8');
  assert.equal(facts['Few shot delta'], '-0.05');
  assert.equal(facts['By variant · zero-shot'], 'knowledge 5');
  assert.equal(facts['Per variant · zero-shot'], 'shots 0, failures 2, pass rate 0.33');
  assert.equal(facts['Per variant · 3-shot'], 'shots 3, failures 0');
  assert.equal(facts['Counts'], 'format 2, instruction 1');
  assert.equal(facts['Note'], 'few-shot did not help');
});

test('evidence keys read as words', () => {
  const ev = readEvidence({ savedPer1000CallsUsd: 1.5, perVariant: [{ variant: 'b', cases: [1] }], cases: [0] });
  assert.deepEqual(ev.facts, [{ label: 'Saved per 1000 calls USD', value: '1.5' }]);
  assert.equal(ev.links[0].label, 'Cases behind this', 'the recommendation\'s own cases come first');
});

test('evidence: arrays named like cases but not holding indexes are not links', () => {
  const ev = readEvidence({ cases: ['a', 'b'], exampleCases: [0, 5] });
  assert.deepEqual(ev.links, [{ label: 'Example cases', cases: [0, 5] }]);
});

test('the card speaks prose: the why in paragraphs, one evidence sentence per variant with its cases; never key/value pairs', () => {
  const prose = adviceProse('3-shot fixes 9 of 12. Also: 4 answers are refusals.', {
    cases: [3, 1, 1],
    sentences: [
      { variant: 'zero-shot', text: 'zero-shot: 12 of 24 cases fail on format; passes 50 %.', cases: [0, 1, 2] },
      { variant: '3-shot', text: '3-shot: 3 of 24 cases fail on format; passes 88 %.', cases: [] },
      { text: 42 },
    ],
    tokensSavedPerCall: 300,
  });
  assert.deepEqual(prose.paragraphs, ['3-shot fixes 9 of 12.', 'Also: 4 answers are refusals.']);
  assert.deepEqual(prose.cases, [1, 3]);
  assert.deepEqual(prose.sentences.map((s) => [s.text.split(':')[0], s.cases, s.label]), [
    ['zero-shot', [0, 1, 2], 'zero-shot: 3 cases'],
    ['3-shot', [], '3-shot: 0 cases'],
  ]);
  // an older record without sentences: per-variant case links, in words
  const old = adviceProse('why', { perVariant: [{ variant: 'zero-shot', failures: 2, cases: [0, 2] }], cases: [0, 2] });
  assert.deepEqual(old.sentences, [{ text: 'Per variant · zero-shot: 2 cases.', cases: [0, 2], label: '2 cases' }]);
});
