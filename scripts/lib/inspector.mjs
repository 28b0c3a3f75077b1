// A connection to a running Node process's inspector (the extension host), for the editor benchmark's
// profiles and heap figures. SIGUSR1 opens the inspector on 127.0.0.1:9229 (a second call finds it open).
// Node 20 has WebSocket behind --experimental-websocket: the scripts that use this are started with it.

async function debuggerUrl(pid) {
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

/** Opens process `pid`'s inspector; `send(method, params)` resolves with the reply, `close()` ends the session. */
export async function inspect(pid) {
  process.kill(Number(pid), 'SIGUSR1');
  const ws = new globalThis.WebSocket(await debuggerUrl(pid));
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
  return { send, close: () => ws.close() };
}
