// Checks what the packages would hold before they are built, so nothing slips in or goes missing:
//   node scripts/check-package.mjs         the VSIX (vsce's own file list, .vscodeignore) and the Marketplace fields
//   node scripts/check-package.mjs --npm   the npm package of the CLI (npm's own file list, .npmignore)
// Exits 1 with the offending files named. `npm run package` and `npm run pack:cli` run it first.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const problems = [];

const LAZY = ['tokenizer.js', 'ts-transpile.js', ...Object.values(JSON.parse(readFileSync(path.join(root, 'src/core/lazy/bundles.json'), 'utf8')))];
const ALWAYS = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

/** What the file list must be: `required` exactly present, everything else matching `allowed`. */
function check(label, files, required, allowed) {
  const set = new Set(files);
  for (const f of required) if (!set.has(f)) problems.push(`${label}: ${f} is missing`);
  for (const f of files) if (!required.includes(f) && !allowed.some((re) => re.test(f))) problems.push(`${label}: ${f} should not be in it`);
}

function pngSize(file) {
  const b = readFileSync(file);
  if (b.readUInt32BE(0) !== 0x89504e47 || b.toString('ascii', 12, 16) !== 'IHDR') return undefined;
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

function checkVsix() {
  for (const key of ['repository', 'homepage', 'bugs', 'icon', 'galleryBanner', 'license']) if (!pkg[key]) problems.push(`package.json: "${key}" is missing (the Marketplace and Open VSX show it)`);
  if (pkg.files) problems.push('package.json: "files" must stay out (vsce refuses it next to .vscodeignore; the npm package uses .npmignore)');
  if (/--allow-missing-repository/.test(pkg.scripts?.package ?? '')) problems.push('the package script must not pass --allow-missing-repository');
  if (pkg.icon) {
    const size = existsSync(path.join(root, pkg.icon)) ? pngSize(path.join(root, pkg.icon)) : undefined;
    if (!size || size[0] !== 128 || size[1] !== 128) problems.push(`${pkg.icon}: needs to be a 128×128 PNG (got ${size ? size.join('×') : 'none'})`);
  }
  const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
  const out = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  const files = out.split('\n').map((l) => l.trim()).filter(Boolean);
  const bundles = ['extension.js', 'extension-heavy.js', 'webview.js', ...LAZY].map((f) => `dist/${f}`);
  check('VSIX', files, [...bundles, ...ALWAYS, pkg.icon], [/^media\//, /^schemas\/[\w.-]+\.json$/]);
}

function checkNpm() {
  if (Object.keys(pkg.dependencies ?? {}).length) problems.push(`package.json: the CLI bundles are self-contained, so "dependencies" must stay empty (found ${Object.keys(pkg.dependencies).join(', ')})`);
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [info] = JSON.parse(out);
  const files = info.files.map((f) => f.path);
  const bundles = ['cli.js', 'cli-commands.js', 'mcp.js', ...LAZY].map((f) => `dist/${f}`);
  check('npm package', files, [...bundles, ...ALWAYS], []);
  console.log(`npm package: ${info.entryCount} files, ${(info.size / 1e6).toFixed(2)} MB packed, ${(info.unpackedSize / 1e6).toFixed(2)} MB unpacked`);
}

if (process.argv.includes('--npm')) checkNpm();
else checkVsix();
if (problems.length) {
  for (const p of problems) console.error(`check-package: ${p}`);
  process.exit(1);
}
console.log(`check-package: ${process.argv.includes('--npm') ? 'npm package' : 'VSIX'} file list as expected`);
