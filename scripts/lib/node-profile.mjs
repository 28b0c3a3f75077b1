// Samples the CPU of a running Node process (the extension host) through its inspector.
// Usage: node --experimental-websocket scripts/lib/node-profile.mjs <pid> <out.cpuprofile>
// SIGUSR1 opens the process's inspector on 127.0.0.1:9229; sampling runs until this process's stdin closes,
// then the profile is written and its busiest functions printed.
import { writeFileSync } from 'node:fs';
import { summarize } from './profile-summary.mjs';

const [pid, out] = process.argv.slice(2);
process.kill(Number(pid), 'SIGUSR1');

async function target() {
  for (let i = 0; i < 100; i++) {
    try {
      const list = await (await fetch('http://127.0.0.1:9229/json/list')).json();
      if (list[0]?.webSocketDebuggerUrl) return list[0].webSocketDebuggerUrl;
    } catch {
      // the inspector is still starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no inspector for process ${pid}`);
}

// Node 20 has WebSocket behind --experimental-websocket (this script is started with it).
const ws = new globalThis.WebSocket(await target());
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = reject;
});
let nextId = 1;
const pending = new Map();
ws.onmessage = (e) => {
  const msg = JSON.parse(String(e.data));
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
};
const send = (method, params = {}) =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });

await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 1000 });
await send('Profiler.start');
console.log('[profile] sampling the extension host');
process.stdin.resume();
await new Promise((r) => process.stdin.on('end', r));
const { result } = await send('Profiler.stop');
writeFileSync(out, JSON.stringify(result.profile));
console.log(summarize(result.profile, 'extension host'));
await send('Runtime.evaluate', { expression: 'process._debugEnd && process._debugEnd()' });
ws.close();
