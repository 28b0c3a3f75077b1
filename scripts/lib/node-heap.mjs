// The JavaScript heap of a running Node process (the extension host) after a full garbage collection, in MB.
// Usage: node --experimental-websocket scripts/lib/node-heap.mjs <pid>   (prints {"usedMB":…,"totalMB":…})
// SIGUSR1 opens the process's inspector on 127.0.0.1:9229 (a second call finds it open).
process.kill(Number(process.argv[2]), 'SIGUSR1');

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
  throw new Error('no inspector');
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
await send('HeapProfiler.enable');
await send('HeapProfiler.collectGarbage');
const { result } = await send('Runtime.getHeapUsage');
console.log(JSON.stringify({ usedMB: result.usedSize / 2 ** 20, totalMB: result.totalSize / 2 ** 20 }));
ws.close();
