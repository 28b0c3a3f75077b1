// The 95 % interval stands next to every pass rate: the run record's summaries, the CLI table, the HTML report and
// the panel's variant tooltip (all from one record of 17/20 passes).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { summarizeVariants } from '../../../src/core/runs/summary';
import { toHtml } from '../../../src/core/runs/html';
import { variantTable } from '../../../src/cli/table';
import { columnNotes } from '../../../src/webview/summaryView';
import { caseRecord, result } from '../analysis/records';
import type { RunRecord } from '../../../src/core/runs/schema';

const cases = Array.from({ length: 20 }, (_, i) => caseRecord(i, { q: `q${i}` }, [result('v', { passed: i >= 3 })]));
const record: RunRecord = {
  version: 1,
  id: 'r',
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:00:01Z',
  promptFile: 'p.prompt.yml',
  status: 'completed',
  variants: summarizeVariants([{ name: 'v', model: 'openai/m' }], cases),
  cases,
};

test('17/20: the record, the CLI table, the HTML report and the panel tooltip carry 64–95 %', () => {
  assert.deepEqual(record.variants[0].passRateInterval, [0.6396, 0.9476]);
  assert.match(variantTable(record), /85\.0%\s+64–95 %/);
  assert.match(toHtml([record]), /85% <small class="ci" title="95 % interval">64–95 %<\/small>/);
  assert.match(columnNotes(record.variants, null).v.title, /Pass rate 85%, 95 % interval 64–95 %/);
});

test('a record written before intervals were kept gets one from its counts', () => {
  const { passRateInterval: _drop, ...old } = record.variants[0];
  assert.match(variantTable({ ...record, variants: [old] }), /64–95 %/);
});
