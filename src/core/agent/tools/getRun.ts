// The get_run tool: one stored run as a summary (pass rate per variant, failures, top advice).

import type { AgentToolDefinition } from './host';
import { RunSummarySchema, runSummaryText, summarizeRun } from './summary';
import { GetRunInputSchema, findRun } from './runs';

export const getRunTool: AgentToolDefinition<typeof GetRunInputSchema, typeof RunSummarySchema> = {
  name: 'get_run',
  title: 'Read a prompt eval run',
  description: 'Reads one stored Prompt Ladder run (by id or record path; default the newest, optionally of one prompt file): pass rate per variant, the failures with their error categories, the top advice.',
  input: GetRunInputSchema,
  output: RunSummarySchema,
  costsModelCalls: false,
  readOnly: true,
  async call(host, args) {
    const { path: p, record } = await findRun(host, args);
    const data = summarizeRun(record, p, host.root);
    return { text: runSummaryText(data, record), data };
  },
};
