// The Test Explorer's tree: prompt file → cases → variants. A case is the unit an engineer edits, and its line
// (inline testData or a row of the eval-set file) carries the gutter's run button and pass/fail mark; its
// variants are the leaves that hold each result. Discovery is lazy: prompt files are listed (not parsed) and
// followed by file watchers; a file is parsed when it is expanded, opened in an editor or run, and parsed
// again (debounced) when it or one of its eval-set files changes. A case's leaves are made only when it is
// expanded or a run's request covers it.
//
// A file with more than VARIANT_ITEMS_MAX cases is prompt file → groups of GROUP_SIZE cases → cases, with no
// variant items (the results panel shows its variants). A run reports to the groups, and to a case only when
// its request names the case: the workbench resolves the children of every item it expands (a file opened in
// an editor, for its gutter marks), so the case items of every group exist, and reporting to them made a
// 10,000-item test result that the workbench then sent to every extension host.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadModule } from '../lazy';
import { PROMPT_GLOB, findPromptFiles, isPromptFile, onDidChangePromptFiles, readText } from '../promptFiles';
import type { EvalCase, PromptSpec } from '../../core/prompt/spec';
import { Disposable, toDisposable } from '../common/lifecycle';
import { caseFingerprint, caseLabel, promptFingerprint } from './outcome';

export type ItemData =
  | { kind: 'file'; uri: vscode.Uri }
  | { kind: 'group'; uri: vscode.Uri; cases: GroupCase[]; specFile: string; variantsPrint: string }
  | { kind: 'case'; uri: vscode.Uri; index: number; expected?: string; caseUri: vscode.Uri; line: number }
  | { kind: 'variant'; uri: vscode.Uri; index: number; variant: string };

/** A case of a group, with the id its item has once the group is expanded. */
export interface GroupCase {
  id: string;
  case: EvalCase;
}

/** What a parse of a prompt file leaves behind: enough to tell which cases an edit affected. */
export interface Parsed {
  promptPrint: string;
  casePrints: Map<number, string>;
  caseFiles: Set<string>;
}

/** Above this many cases a prompt file's cases are its tests (no variant items), in groups. */
export const VARIANT_ITEMS_MAX = 500;
/** Cases per group in a file of more than VARIANT_ITEMS_MAX cases. */
export const GROUP_SIZE = 100;

/** Enough for any real workspace; findFiles stops there. */
const MAX_DISCOVERED = 5000;

export class PromptTestTree extends Disposable {
  readonly data = new WeakMap<vscode.TestItem, ItemData>();
  readonly parsed = new Map<string, Parsed>();
  /** Re-parses waiting for their debounce, by prompt file. */
  readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** The variants (name, model) of each parsed prompt file, for the leaves made on demand. */
  private readonly variantsOf = new Map<string, { name: string; model?: string }[]>();
  /** Prompt files whose cases are the tests (more than VARIANT_ITEMS_MAX cases). */
  private readonly casesAreTests = new Set<string>();
  /** What a case item was built from: an unchanged case keeps its item (and the Testing view gets no update for it). */
  private readonly printOf = new WeakMap<vscode.TestItem, string>();
  private discovery: Promise<void> | undefined;
  private watching = false;

  /** `afterFirstLenses`: parsing a file that was just opened waits for its first CodeLens, so it never delays them. */
  constructor(
    readonly controller: vscode.TestController,
    private readonly afterFirstLenses: (uri: vscode.Uri) => Promise<void> = () => Promise.resolve(),
  ) {
    super();
    controller.resolveHandler = async (item) => {
      const kind = item && this.data.get(item)?.kind;
      if (!item) await this.discover();
      else if (kind === 'case') this.ensureLeaves(item);
      else if (kind === 'group') this.ensureCases(item);
      else await this.resolveFile(item);
    };
    controller.refreshHandler = async () => {
      this.discovery = undefined;
      await this.discover(true);
    };
    this._registerAll(
      vscode.workspace.onDidOpenTextDocument((d) => this.onOpened(d.uri)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.onChanged(e.document.uri);
      }),
    );
    // After activation: list the prompt files (no parsing) and parse the ones already open in editors.
    const first = setTimeout(() => {
      void this.discover().then(() => {
        for (const d of vscode.workspace.textDocuments) this.onOpened(d.uri);
      });
    }, 0);
    this._register(toDisposable(() => clearTimeout(first)));
  }

  /** Lists the workspace's prompt files as unresolved items and starts watching them. */
  discover(force = false): Promise<void> {
    if (this.discovery && !force) return this.discovery;
    this.discovery = (async () => {
      if (!this.watching) this.watch();
      // The default names and the files `promptLadder.files` makes prompt files, through the one predicate.
      const files = await findPromptFiles(MAX_DISCOVERED);
      const ids = new Set(files.map((f) => f.toString()));
      for (const f of files) this.fileItem(f);
      this.controller.items.forEach((item) => {
        if (!ids.has(item.id)) this.removeFile(item.id);
      });
      if (force) {
        const resolved = [...this.parsed.keys()];
        await Promise.all(resolved.map((id) => this.refresh(vscode.Uri.parse(id))));
      }
    })();
    return this.discovery;
  }

  private watch(): void {
    this.watching = true;
    const prompts = vscode.workspace.createFileSystemWatcher(PROMPT_GLOB);
    // Eval-set files a parsed prompt file names: any data file may be one, so filter by what was parsed.
    const data = vscode.workspace.createFileSystemWatcher('**/*.{jsonl,csv,yaml,yml}');
    this._registerAll(
      prompts,
      data,
      prompts.onDidCreate((u) => {
        if (isPromptFile(u)) this.fileItem(u);
      }),
      prompts.onDidDelete((u) => this.removeFile(u.toString())),
      // YAML files that are prompt files only through the setting come and go with the data watcher.
      data.onDidCreate((u) => {
        if (isPromptFile(u)) this.fileItem(u);
      }),
      data.onDidDelete((u) => {
        if (this.controller.items.get(u.toString())) this.removeFile(u.toString());
      }),
      // The setting changed: list the files again (added patterns add items, removed ones drop them).
      onDidChangePromptFiles(() => {
        this.discovery = undefined;
        void this.discover();
      }),
      prompts.onDidChange((u) => this.onChanged(u)),
      data.onDidChange((u) => this.onChanged(u)),
      data.onDidCreate((u) => this.onChanged(u)),
      data.onDidDelete((u) => this.onChanged(u)),
    );
  }

  private fileItem(uri: vscode.Uri): vscode.TestItem {
    const id = uri.toString();
    let item = this.controller.items.get(id);
    if (!item) {
      item = this.controller.createTestItem(id, path.basename(uri.fsPath), uri);
      item.canResolveChildren = true;
      item.range = new vscode.Range(0, 0, 0, 0);
      const dir = path.dirname(vscode.workspace.asRelativePath(uri, vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 1));
      if (dir && dir !== '.') item.description = dir;
      this.data.set(item, { kind: 'file', uri });
      this.controller.items.add(item);
    }
    return item;
  }

  private removeFile(id: string): void {
    this.controller.items.delete(id);
    this.casesAreTests.delete(id);
    this.parsed.delete(id);
    this.variantsOf.delete(id);
  }

  private onOpened(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    if (isPromptFile(uri)) {
      void this.afterFirstLenses(uri).then(() => {
        if (!this.parsed.has(uri.toString())) void this.refresh(uri);
      });
      return;
    }
    // An eval-set file: parse the prompt files beside it, so its lines get their run buttons and marks.
    if (!/\.(jsonl|csv|ya?ml)$/i.test(uri.fsPath)) return;
    const dir = path.dirname(uri.fsPath);
    this.controller.items.forEach((item) => {
      const d = this.data.get(item);
      if (d?.kind === 'file' && path.dirname(d.uri.fsPath) === dir && !this.parsed.has(item.id)) void this.refresh(d.uri);
    });
  }

  /** A prompt file or one of its eval-set files changed: re-parse what is already parsed (debounced). */
  private onChanged(uri: vscode.Uri): void {
    for (const promptId of this.affectedPrompts(uri)) {
      const t = this.pending.get(promptId);
      if (t) clearTimeout(t);
      this.pending.set(
        promptId,
        setTimeout(() => {
          this.pending.delete(promptId);
          void this.refresh(vscode.Uri.parse(promptId));
        }, this.debounceMs(promptId)),
      );
    }
  }

  /** The pause in typing before a re-parse: longer for big eval sets, whose parse costs more. */
  private debounceMs(promptId: string): number {
    const cases = this.parsed.get(promptId)?.casePrints.size ?? 0;
    return cases > 2000 ? 1500 : 300;
  }

  affectedPrompts(uri: vscode.Uri): string[] {
    const id = uri.toString();
    if (isPromptFile(uri)) return this.parsed.has(id) ? [id] : [];
    return [...this.parsed].filter(([, p]) => p.caseFiles.has(uri.fsPath)).map(([k]) => k);
  }

  /**
   * Parses a file the workbench asks to expand. Opening a prompt file in an editor asks for it at once (the
   * editor's test decorations): the parse waits for the file's first CodeLens, which it would otherwise hold up.
   */
  private async resolveFile(item: vscode.TestItem): Promise<void> {
    const d = this.data.get(item);
    if (d?.kind !== 'file') return;
    await this.afterFirstLenses(d.uri);
    await this.refresh(d.uri);
  }

  /** Parses a prompt file (its unsaved buffer when open) into case and variant items. Returns the parse. */
  async refresh(uri: vscode.Uri): Promise<{ before?: Parsed; after?: Parsed; spec?: PromptSpec }> {
    const item = this.fileItem(uri);
    const before = this.parsed.get(item.id);
    let spec: PromptSpec;
    try {
      const text = await readText(uri);
      spec = await loadModule().loadPromptFile(uri.fsPath, { text });
    } catch (err) {
      const problems = (err as { problems?: { line: number; message: string }[] }).problems;
      item.error = problems?.length ? problems.map((p) => `line ${p.line}: ${p.message}`).join('\n') : err instanceof Error ? err.message : String(err);
      item.children.replace([]);
      const after: Parsed = { promptPrint: '', casePrints: new Map(), caseFiles: before?.caseFiles ?? new Set() };
      this.parsed.set(item.id, after);
      return { ...(before ? { before } : {}), after };
    }
    item.error = undefined;
    const ids = new Set<string>();
    const variantsPrint = JSON.stringify(spec.variants.map((v) => [v.name, v.model ?? spec.model]));
    this.variantsOf.set(item.id, spec.variants.map((v) => ({ name: v.name, ...((v.model ?? spec.model) ? { model: v.model ?? spec.model } : {}) })));
    const big = spec.cases.length > VARIANT_ITEMS_MAX;
    if (big) this.casesAreTests.add(item.id);
    else this.casesAreTests.delete(item.id);
    const print = `${variantsPrint}${big ? ' cases' : ''}`;
    const entries = spec.cases.map((c) => ({ id: this.caseId(uri, spec.file, c, ids), case: c }));
    if (big) {
      const groups: vscode.TestItem[] = [];
      for (let at = 0; at < entries.length; at += GROUP_SIZE) groups.push(this.groupItem(item, uri, spec.file, entries.slice(at, at + GROUP_SIZE), at, print));
      item.children.replace(groups);
    } else {
      item.children.replace(entries.map((e) => this.caseItem(item, uri, spec.file, e, print, true)));
    }
    const after: Parsed = {
      promptPrint: promptFingerprint(spec),
      casePrints: new Map(spec.cases.map((c) => [c.index, caseFingerprint(c)])),
      caseFiles: new Set(spec.cases.map((c) => c.file).filter((f) => f !== spec.file)),
    };
    this.parsed.set(item.id, after);
    return { ...(before ? { before } : {}), after, spec };
  }

  /**
   * A case item's id: its eval-set line (the file relative to the prompt file's folder), so it stays put when
   * rows before it are added or removed; `ids` keeps two cases on one line (a flow-style testData list) apart.
   */
  private caseId(promptUri: vscode.Uri, specFile: string, c: EvalCase, ids: Set<string>): string {
    const where = c.file === specFile ? `line ${c.line}` : `${path.relative(path.dirname(specFile), c.file).split(path.sep).join('/')}:${c.line}`;
    let id = `${promptUri.toString()}#${where}`;
    for (let n = 2; ids.has(id); n++) id = `${promptUri.toString()}#${where}~${n}`;
    ids.add(id);
    return id;
  }

  /** A case item, named as everywhere else in the product: by its eval-set line (caseRef). */
  private caseItem(parent: vscode.TestItem, promptUri: vscode.Uri, specFile: string, { id, case: c }: GroupCase, variantsPrint: string, variantItems: boolean): vscode.TestItem {
    const label = caseLabel(c, specFile);
    const print = JSON.stringify([label, c.index, c.line, c.file, c.expected ?? null, variantsPrint]);
    const existing = parent.children.get(id);
    if (existing && this.printOf.get(existing) === print) return existing;
    const caseUri = vscode.Uri.file(c.file);
    const item = this.controller.createTestItem(id, label, caseUri);
    this.printOf.set(item, print);
    const range = new vscode.Range(c.line - 1, 0, c.line - 1, 0);
    item.range = range;
    item.sortText = String(c.index).padStart(6, '0');
    this.data.set(item, { kind: 'case', uri: promptUri, index: c.index, caseUri, line: c.line, ...(c.expected !== undefined ? { expected: c.expected } : {}) });
    item.canResolveChildren = variantItems;
    return item;
  }

  /**
   * A group of a big file's cases, "cases 101–200", described by the eval-set lines it spans. An expanded group
   * keeps its case items across re-parses (unchanged cases keep theirs).
   */
  private groupItem(file: vscode.TestItem, promptUri: vscode.Uri, specFile: string, cases: GroupCase[], at: number, variantsPrint: string): vscode.TestItem {
    const from = at + 1;
    const id = `${promptUri.toString()}#cases ${from}-${at + cases.length}`;
    let item = file.children.get(id);
    if (!item) {
      item = this.controller.createTestItem(id, `cases ${from}–${at + cases.length}`);
      item.canResolveChildren = true;
      item.sortText = String(from).padStart(6, '0');
    }
    this.data.set(item, { kind: 'group', uri: promptUri, cases, specFile, variantsPrint });
    item.description = groupDescription(cases, specFile);
    if (item.children.size > 0) this.fillCases(item);
    return item;
  }

  /** Makes a group's case items if it has none yet: it was expanded, or a continuous run needs some of them. */
  ensureCases(group: vscode.TestItem): void {
    if (group.children.size === 0) this.fillCases(group);
  }

  /** A group's case items, from its cases as last parsed. */
  private fillCases(group: vscode.TestItem): void {
    const d = this.data.get(group);
    if (d?.kind === 'group') group.children.replace(d.cases.map((e) => this.caseItem(group, d.uri, d.specFile, e, d.variantsPrint, false)));
  }

  /** The number of cases of a parsed prompt file. */
  caseCount(promptId: string): number {
    return this.parsed.get(promptId)?.casePrints.size ?? 0;
  }

  /** Whether a prompt file's cases are its tests (it has no variant items). */
  casesAreTestsOf(promptId: string): boolean {
    return this.casesAreTests.has(promptId);
  }

  /** The variant names of a parsed prompt file. */
  variantNames(promptId: string): string[] {
    return (this.variantsOf.get(promptId) ?? []).map((v) => v.name);
  }

  /** The number of variants of a parsed prompt file (each case's leaves, once made). */
  variantCount(promptId: string): number {
    return this.variantsOf.get(promptId)?.length ?? 0;
  }

  /** Makes a case item's leaves (one per variant) if it has none yet: it was expanded, or a run covers it. */
  ensureLeaves(caseItem: vscode.TestItem): void {
    const d = this.data.get(caseItem);
    if (d?.kind !== 'case' || caseItem.children.size > 0 || this.casesAreTests.has(d.uri.toString())) return;
    const variants = this.variantsOf.get(d.uri.toString()) ?? [];
    caseItem.children.replace(
      variants.map((v, i) => {
        const leaf = this.controller.createTestItem(`${caseItem.id}/${v.name}`, v.name, d.caseUri);
        leaf.range = caseItem.range;
        leaf.sortText = String(i).padStart(4, '0');
        // the Test Explorer reads a description, when there is one, instead of the label to a screen reader:
        // it names the variant and the case's file and line, so no two leaves sound alike
        const where = `${path.basename(d.caseUri.fsPath)}:${d.line}`;
        leaf.description = `${v.name} · ${where}${v.model ? ` · ${v.model}` : ''}`;
        this.data.set(leaf, { kind: 'variant', uri: d.uri, index: d.index, variant: v.name });
        return leaf;
      }),
    );
  }

  /** Cancels a debounced re-parse of a prompt file (a caller parses it now). */
  cancelPending(promptId: string): void {
    const t = this.pending.get(promptId);
    if (t) clearTimeout(t);
    this.pending.delete(promptId);
  }

  override dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    super.dispose();
  }
}

/** The eval-set lines a group spans, "big.cases.jsonl:101–200", when its cases come from one file. */
function groupDescription(cases: GroupCase[], specFile: string): string | undefined {
  const first = cases[0]?.case;
  const last = cases[cases.length - 1]?.case;
  if (!first || !last || cases.some((e) => e.case.file !== first.file)) return undefined;
  const where = first.file === specFile ? 'lines ' : `${path.basename(first.file)}:`;
  return `${where}${first.line}–${last.line}`;
}
