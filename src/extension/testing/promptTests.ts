// The Test Explorer (VS Code Testing API) of Prompt Ladder: one controller with its run profiles, made of
// the tree (discovery, watching, items: testTree.ts), the runner (runs and mirrored runs: testRunner.ts) and
// continuous runs (continuousRun.ts).

import * as vscode from 'vscode';
import type { EditorRunController } from '../runs/runController';
import { Disposable } from '../common/lifecycle';
import { runContinuously } from './continuousRun';
import type { TestObserver } from './testReporter';
import { PromptTestRunner, type RunMode } from './testRunner';
import { PromptTestTree, type Parsed } from './testTree';
import type { PromptSpec } from '../../core/prompt/spec';

export type { ReportedResult, TestObserver } from './testReporter';

export interface PromptTestsDeps {
  runs: EditorRunController;
  log: vscode.LogOutputChannel;
  /** Resolves once a just-opened file's first CodeLens is out (parsing it waits for that). */
  afterFirstLenses?: (uri: vscode.Uri) => Promise<void>;
}

export class PromptTests extends Disposable {
  readonly controller: vscode.TestController;
  readonly runProfile: vscode.TestRunProfile;
  readonly noCacheProfile: vscode.TestRunProfile;
  readonly batchProfile: vscode.TestRunProfile;
  private readonly tree: PromptTestTree;
  private readonly runner: PromptTestRunner;
  private observer: TestObserver | undefined;

  constructor(private readonly deps: PromptTestsDeps) {
    super();
    const c = this._register(vscode.tests.createTestController('promptLadder.tests', 'Prompt Ladder'));
    this.controller = c;
    this.tree = this._register(new PromptTestTree(c, deps.afterFirstLenses));
    this.runner = this._register(new PromptTestRunner(this.tree, deps.runs, () => this.observer));
    const profile = (label: string, mode: RunMode, isDefault: boolean, continuous: boolean) =>
      c.createRunProfile(label, vscode.TestRunProfileKind.Run, (r, t) => this.handle(r, t, mode), isDefault, undefined, continuous);
    this.runProfile = profile('Run', { noCache: false, batch: false }, true, true);
    this.noCacheProfile = profile('Run without cache', { noCache: true, batch: false }, false, true);
    // The same path as "Run Eval via Batch API": one batch per model, results when it completes. Not continuous
    // (a batch takes minutes to hours; re-running on every save would pile them up).
    this.batchProfile = profile('Run via Batch API', { noCache: false, batch: true }, false, false);
  }

  /** The test seam: an observer sees every state handed to the Testing API (one at a time; undefined removes it). */
  setObserver(observer: TestObserver | undefined): void {
    this.observer = observer;
  }

  /** Lists the workspace's prompt files as unresolved items and starts watching them. */
  discover(force = false): Promise<void> {
    return this.tree.discover(force);
  }

  /** Parses a prompt file (its unsaved buffer when open) into case and variant items. */
  refresh(uri: vscode.Uri): Promise<{ before?: Parsed; after?: Parsed; spec?: PromptSpec }> {
    return this.tree.refresh(uri);
  }

  runRequest(request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: RunMode): Promise<void> {
    return this.runner.runRequest(request, token, mode);
  }

  private async handle(request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: RunMode): Promise<void> {
    if (request.continuous && !mode.batch) return runContinuously(this.tree, this.runner, this.deps.log, request, token, mode);
    await this.runner.runRequest(request, token, mode);
  }
}
