// Processes of a code-server started by these scripts: its extension host (found among the server's
// descendants, so other code-servers on the machine are never measured) and that process's resident memory.
import { readFileSync, readdirSync } from 'node:fs';

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

function descends(pid, ancestor) {
  for (let p = pid, n = 0; p > 1 && n < 20; p = parentOf(p), n++) if (p === ancestor) return true;
  return false;
}

/** The pid of the extension host under `serverPid`, waiting up to `timeoutMs` for it to start. */
export async function findExtensionHost(serverPid, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      let cmd;
      try { cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8'); } catch { continue; }
      if (cmd.includes('--type=extensionHost') && descends(Number(d), serverPid)) return Number(d);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

/** Resident memory of a process in MB (NaN once it is gone). */
export function extensionHostRss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far; NaN once it is gone. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
