// `prompt-ladder mcp` as a real child process fed raw lines: every malformed line gets the JSON-RPC 2.0 error
// the spec names, a request over the size limit gets an error, and the server keeps serving after each.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI_NODE_ARGS } from './runCli';
import { tempWorkspace } from '../../fixtures/workspace';

interface Reply {
  jsonrpc: string;
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string };
}

test('malformed lines get -32700 / -32600, a 12 MB line gets -32600 with its id, and the server answers the next request', { timeout: 90_000 }, async () => {
  const ws = tempWorkspace();
  const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'mcp', '--root', ws.root], { cwd: ws.root, env: { PATH: process.env.PATH ?? '', HOME: ws.root } });
  const timer = setTimeout(() => child.kill('SIGKILL'), 80_000);
  try {
    const replies: Reply[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      replies.push(JSON.parse(line) as Reply);
      waiters.splice(0).forEach((w) => w());
    });
    const next = async (): Promise<Reply> => {
      while (replies.length === 0) await new Promise<void>((r) => waiters.push(r));
      return replies.shift()!;
    };
    const send = (line: string) => new Promise<void>((r) => (child.stdin.write(line + '\n') ? r() : child.stdin.once('drain', () => r())));

    await send('this is not json');
    let r = await next();
    assert.equal(r.id, null);
    assert.equal(r.error?.code, -32700);
    assert.match(r.error!.message, /^Parse error/);

    await send('{"foo":1}');
    r = await next();
    assert.deepEqual([r.id, r.error?.code], [null, -32600]);

    await send('{"jsonrpc":"2.0","id":7,"method":5}');
    r = await next();
    assert.deepEqual([r.id, r.error?.code], [7, -32600]);

    await send('[]');
    r = await next();
    assert.deepEqual([r.id, r.error?.code], [null, -32600]);

    await send(`{"jsonrpc":"2.0","id":8,"method":"ping","params":{"pad":"${'a'.repeat(12 * 1024 * 1024)}"}}`);
    r = await next();
    assert.deepEqual([r.id, r.error?.code], [8, -32600]);
    assert.match(r.error!.message, /over the limit of 10 MB/);

    await send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } }));
    r = await next();
    assert.equal(r.id, 9);
    assert.ok(r.result && typeof r.result === 'object' && 'serverInfo' in r.result, JSON.stringify(r));
    await send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    await send('{"jsonrpc":"2.0","id":10,"method":"ping"}');
    r = await next();
    assert.deepEqual([r.id, r.result], [10, {}]);
    assert.equal(child.exitCode, null, 'still serving');
  } finally {
    clearTimeout(timer);
    child.kill();
    ws.dispose();
  }
});
