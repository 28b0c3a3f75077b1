// Samples the CPU of a running Node process (the extension host) through its inspector.
// Usage: node --experimental-websocket scripts/lib/node-profile.mjs <pid> <out.cpuprofile>
// Sampling runs until this process's stdin closes; then the profile is written and its busiest functions printed.
import { writeFileSync } from 'node:fs';
import { inspect } from './inspector.mjs';
import { summarize } from './profile-summary.mjs';

const [pid, out] = process.argv.slice(2);
const session = await inspect(pid);
await session.send('Profiler.enable');
await session.send('Profiler.setSamplingInterval', { interval: 1000 });
await session.send('Profiler.start');
console.log('[profile] sampling the extension host');
process.stdin.resume();
await new Promise((r) => process.stdin.on('end', r));
const { result } = await session.send('Profiler.stop');
writeFileSync(out, JSON.stringify(result.profile));
console.log(summarize(result.profile, 'extension host'));
session.close();
