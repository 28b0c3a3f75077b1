// The busiest functions and files of a V8 CPU profile (.cpuprofile), by self time.
import { basename } from 'node:path';

export function summarize(profile, title, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const fns = new Map();
  const files = new Map();
  for (const [id, ms] of self) {
    const f = byId.get(id).callFrame;
    const file = f.url ? basename(f.url.split('?')[0]) : `(${f.functionName || 'native'})`;
    const key = `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + ms);
    files.set(file, (files.get(file) ?? 0) + ms);
  }
  const idle = [...fns].filter(([k]) => /^\(idle\)|^\(program\)/.test(k)).reduce((s, [, v]) => s + v, 0);
  const rows = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `  ${v.toFixed(0).padStart(8)} ms  ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  return `${title}: ${(total / 1000).toFixed(1)} s sampled, ${(idle / 1000).toFixed(1)} s idle\nfunctions:\n${rows(fns)}\nfiles:\n${rows(files)}`;
}
