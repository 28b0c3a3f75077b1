// The JavaScript heap of a running Node process (the extension host) after a full garbage collection, in MB.
// Usage: node --experimental-websocket scripts/lib/node-heap.mjs <pid>   (prints {"usedMB":…,"totalMB":…})
import { inspect } from './inspector.mjs';

const session = await inspect(process.argv[2]);
await session.send('HeapProfiler.enable');
await session.send('HeapProfiler.collectGarbage');
const { result } = await session.send('Runtime.getHeapUsage');
console.log(JSON.stringify({ usedMB: result.usedSize / 2 ** 20, totalMB: result.totalSize / 2 ** 20 }));
session.close();
