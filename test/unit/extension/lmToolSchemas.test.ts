import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AGENT_TOOLS, inputJsonSchema } from '../../../src/core/agent/tools';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  contributes: { languageModelTools: { name: string; modelDescription: string; inputSchema: unknown; displayName: string }[] };
};

test('package.json declares each agent tool as a Language Model tool with the schema the MCP server publishes', () => {
  const declared = pkg.contributes.languageModelTools;
  assert.deepEqual(
    declared.map((t) => t.name),
    AGENT_TOOLS.map((t) => `promptLadder_${t.name}`),
  );
  for (const tool of AGENT_TOOLS) {
    const d = declared.find((t) => t.name === `promptLadder_${tool.name}`)!;
    assert.deepEqual(d.inputSchema, inputJsonSchema(tool), `${tool.name}: regenerate the inputSchema from src/core/agent/tools/`);
    assert.equal(d.modelDescription, tool.description, `${tool.name}: the model reads the same description as over MCP`);
    assert.ok(d.displayName);
  }
});
