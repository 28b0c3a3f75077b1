// The `climb` tool over MCP (`prompt-ladder mcp`, a real child process, the official SDK client): an
// estimate-only call makes no model call; a confirmed call without a budget is refused; with one it climbs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI_NODE_ARGS, cliEnv } from '../cli/runCli';
import { startScriptedServer } from '../../fixtures/scripted-server';
import { Ledger, ladderRules, tempProject, writeLadder } from '../../fixtures/climbScenarios';

test('MCP climb: estimate first (no call), then a confirmed climb within the budget', async () => {
  const project = tempProject();
  const ledger = new Ledger();
  const server = await startScriptedServer({ rules: ladderRules({ cases: 120 }, ledger) });
  writeLadder(project.root, { cases: 120 });
  const transport = new StdioClientTransport({ command: process.execPath, args: [...CLI_NODE_ARGS, 'mcp'], cwd: project.root, env: cliEnv(project.root, server.url), stderr: 'pipe' });
  const client = new Client({ name: 'climb-test', version: '0.0.0' });
  try {
    await client.connect(transport);
    const tool = (await client.listTools()).tools.find((t) => t.name === 'climb');
    assert.ok(tool?.annotations?.openWorldHint, 'the climb tool says it reaches a model');
    const estimate = await client.callTool({ name: 'climb', arguments: { file: 'codes.prompt.yml' } });
    const e = estimate.structuredContent as { status: string; estimateUsd: number; estimateCalls: number; sendsTo: string };
    assert.equal(e.status, 'estimate');
    assert.ok(e.estimateUsd > 0 && e.estimateCalls > 120);
    assert.match(e.sendsTo, /127\.0\.0\.1/);
    assert.equal(server.stats.chatRequests, 0, 'an estimate sends nothing');
    const refused = await client.callTool({ name: 'climb', arguments: { file: 'codes.prompt.yml', confirmed: true } });
    assert.equal(refused.isError, true);
    assert.match((refused.content as { text: string }[])[0].text, /give budgetUsd \(the estimate is up to \$/);
    assert.equal(server.stats.chatRequests, 0);
    const outside = await client.callTool({ name: 'climb', arguments: { file: '../elsewhere.prompt.yml', confirmed: true, budgetUsd: 1 } });
    assert.equal(outside.isError, true);
    const done = await client.callTool({ name: 'climb', arguments: { file: 'codes.prompt.yml', confirmed: true, budgetUsd: 0.05 } });
    const d = done.structuredContent as { status: string; steps: { action: string; kept: boolean }[]; spentUsd: number; climbedVariant: { fields: Record<string, unknown> } };
    assert.equal(d.status, 'finished', JSON.stringify(done.content));
    assert.deepEqual(d.steps.filter((s) => s.kept).map((s) => s.action), ['add-retrieval', 'add-shots']);
    assert.ok(d.spentUsd <= 0.05);
    assert.equal(d.climbedVariant.fields.shots, 1);
    assert.match((done.content as { text: string }[])[0].text, /Step 1: KEPT add-retrieval/);
  } finally {
    await client.close();
    await server.close();
    project.dispose();
  }
});
