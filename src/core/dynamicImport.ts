// `import()` for modules loaded at run time (optional packages such as unpdf). The CLI compiles its bundles with
// V8's code cache (src/cli/codeCache.ts), and Node 20 cannot run an `import()` from code restored from that cache
// ("A dynamic import callback was not specified"), so the CLI installs an importer from a module Node loaded itself
// and every `import()` of src/ goes through here. The bundles are siblings in dist/, so a package name resolves
// from the same folder either way. A unit test checks that the built bundles have no other `import()`.

const IMPORTER = Symbol.for('prompt-ladder.import');

export function dynamicImport(specifier: string): Promise<unknown> {
  const host = (globalThis as Record<symbol, ((specifier: string) => Promise<unknown>) | undefined>)[IMPORTER];
  return host ? host(specifier) : import(specifier);
}
