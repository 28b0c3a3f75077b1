// The CPU floor of one chat call on this machine, for the bench's CPU-per-call row: the same calls as W3
// made by (a) node:http alone (a keep-alive POST, the reply read and JSON-parsed) and (b) the official
// `openai` client over the product's transport (`httpFetch`) or over the runtime's fetch, with nothing of the
// engine around them.
// Run as a child process by bench.ts: `node --import tsx test/bench/transportFloor.ts <baseURL> <calls> <concurrency> <http|client|client-fetch>`.
// Prints one JSON line: { calls, cpuMs }.

import * as http from 'node:http';
import OpenAI from 'openai';
import { httpFetch } from '../../src/core/providers/httpFetch';

const [baseURL, callsArg, concurrencyArg, mode] = process.argv.slice(2);
const calls = Number(callsArg);
const concurrency = Number(concurrencyArg);

async function pool(one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) await one(next++);
    }),
  );
}

function rawPost(agent: http.Agent, url: URL, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer bench-key' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const before = process.cpuUsage();
  if (mode === 'http') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const url = new URL(`${baseURL.replace(/\/+$/, '')}/chat/completions`);
    await pool(async (i) => {
      await rawPost(agent, url, JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: `number ${i}` }] }));
    });
    agent.destroy();
  } else {
    // 'client': over the product's transport; 'client-fetch': over the runtime's own fetch (undici)
    const client = new OpenAI({ baseURL, apiKey: 'bench-key', maxRetries: 0, logLevel: 'off', ...(mode === 'client' ? { fetch: httpFetch } : {}) });
    await pool(async (i) => {
      const controller = new AbortController();
      await client.chat.completions.create({ model: 'bench-model', messages: [{ role: 'user', content: `number ${i}` }] }, { signal: controller.signal });
    });
  }
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ calls, cpuMs: (used.user + used.system) / 1000 }));
}

void main();
