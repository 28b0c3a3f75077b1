// The shape of the code under src/: the ten longest files and every function over 60 lines, so the
// limits in docs/architecture.md ("## Shape": a function ≤ 80 lines, a file ≤ ~450) can be read off.
// Usage: npm run shape [-- --all-files] [-- --over N]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = 'src';
const args = process.argv.slice(2);
const overAt = args.indexOf('--over');
const OVER = overAt >= 0 ? Number(args[overAt + 1]) : 60;
const TOP_FILES = args.includes('--all-files') ? Infinity : 10;
const FUNCTION_LIMIT = 80;
const FILE_LIMIT = 450;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The name a reader would search for: the declaration's own name, else the variable or property it is assigned to. */
function nameOf(node) {
  if (node.name) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) {
    return parent.name.getText();
  }
  for (let up = parent; up; up = up.parent) {
    if (isFunctionLike(up)) return `(callback in ${nameOf(up)})`;
  }
  return '(anonymous)';
}

function isFunctionLike(node) {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node)
    || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node);
}

const files = [];
const functions = [];
for (const file of sourceFiles(ROOT)) {
  const text = readFileSync(file, 'utf8');
  const rel = relative('.', file);
  files.push({ rel, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) });
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const visit = (node) => {
    if (isFunctionLike(node)) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > OVER) functions.push({ rel, line: start + 1, name: nameOf(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

files.sort((a, b) => b.lines - a.lines || a.rel.localeCompare(b.rel));
functions.sort((a, b) => b.lines - a.lines || a.rel.localeCompare(b.rel));
const mark = (n, limit) => (n > limit ? '  over the limit' : '');

console.log(`Longest files in ${ROOT}/ (limit ~${FILE_LIMIT} lines):`);
for (const f of files.slice(0, TOP_FILES)) console.log(`${String(f.lines).padStart(6)}  ${f.rel}${mark(f.lines, FILE_LIMIT)}`);
console.log(`\nFunctions over ${OVER} lines in ${ROOT}/ (limit ${FUNCTION_LIMIT}): ${functions.length}`);
for (const f of functions) console.log(`${String(f.lines).padStart(6)}  ${f.rel}:${f.line} ${f.name}${mark(f.lines, FUNCTION_LIMIT)}`);
console.log(`\n${files.length} files, ${files.filter((f) => f.lines > FILE_LIMIT).length} over ${FILE_LIMIT} lines; ${functions.filter((f) => f.lines > FUNCTION_LIMIT).length} functions over ${FUNCTION_LIMIT} lines`);
