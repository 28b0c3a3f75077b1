// The "Fine-Tuning Jobs" view in the Prompt Ladder sidebar and the list behind it: jobs started from prompt files,
// remembered in workspaceState (id, prompt file, base model, provider name, times, last status — never a key),
// polled while any is unfinished, with a message offering "Add as Variant" when one succeeds.

import * as path from 'node:path';
import { escapeMarkdown as md } from '../../shared/markdown';
import * as vscode from 'vscode';
import type { FineTuneJobState, FineTuneJobStatus } from '../../core/finetune/jobs/adapter';

export interface StoredFineTuneJob {
  id: string;
  /** Absolute path of the prompt file the job was started from. */
  promptPath: string;
  /** Base model as the API names it ('gpt-4o-mini'). */
  baseModel: string;
  /** Provider prefix of the prompt's model ('openai', a profile name): the prefix of the fine-tuned variant too. */
  providerName: string;
  /** ISO time the job was started. */
  createdAt: string;
  state: FineTuneJobState;
  fineTunedModel?: string;
  error?: string;
  /** Last polling problem (network, key), shown in the tooltip; cleared by a successful poll. */
  pollError?: string;
  examples?: number;
  variantAdded?: boolean;
}

const STATE_KEY = 'promptLadder.fineTuneJobs';
const UNFINISHED: ReadonlySet<FineTuneJobState> = new Set(['validating_files', 'queued', 'running']);

export function isUnfinished(job: StoredFineTuneJob): boolean {
  return UNFINISHED.has(job.state);
}

/** The fine-tuned model as a model reference of the prompt file ('openai/ft:gpt-4o-mini:org::abc'). */
export function fineTunedModelRef(job: StoredFineTuneJob): string | undefined {
  return job.fineTunedModel ? `${job.providerName}/${job.fineTunedModel}` : undefined;
}

export function jobIcon(state: FineTuneJobState): vscode.ThemeIcon {
  switch (state) {
    case 'validating_files':
    case 'queued':
      return new vscode.ThemeIcon('clock', new vscode.ThemeColor('testing.iconQueued'));
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'succeeded':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash');
    default:
      return new vscode.ThemeIcon('question');
  }
}

const STATE_TEXT: Record<FineTuneJobState, string> = {
  validating_files: 'validating files',
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

export interface FineTuneJobsDeps {
  state: vscode.Memento;
  /** Polls the provider for a job (resolves the endpoint from the current settings and keys). */
  fetchStatus(job: StoredFineTuneJob): Promise<FineTuneJobStatus>;
  log: vscode.LogOutputChannel;
}

export class FineTuneJobsProvider implements vscode.TreeDataProvider<StoredFineTuneJob>, vscode.Disposable {
  private interval = 30_000;
  private readonly emitter = new vscode.EventEmitter<StoredFineTuneJob | undefined | void>();
  private readonly finished = new vscode.EventEmitter<StoredFineTuneJob>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Fires once per job when a poll (or a cancel) sees it succeed, fail or be cancelled. */
  readonly onDidFinish = this.finished.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<void> | undefined;
  private disposed = false;
  /**
   * The jobs as this provider last wrote them: the one source for the view, the commands and the finish event.
   * A Memento shows a written value before its update() promise settles, so reading state back (or firing the
   * finish event after awaiting the write) let the view show "succeeded" before onDidFinish had fired.
   */
  private jobs: StoredFineTuneJob[];

  constructor(private readonly deps: FineTuneJobsDeps) {
    this.jobs = [...(deps.state.get<StoredFineTuneJob[]>(STATE_KEY) ?? [])];
    if (this.jobs.length) void vscode.commands.executeCommand('setContext', 'promptLadder.hasFineTuneJobs', true);
    if (this.jobs.some(isUnfinished)) this.schedule();
  }

  /** Newest first. */
  list(): StoredFineTuneJob[] {
    return [...this.jobs];
  }

  get(id: string): StoredFineTuneJob | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  async add(job: StoredFineTuneJob): Promise<void> {
    const persisted = this.save([job, ...this.jobs.filter((j) => j.id !== job.id)]);
    this.schedule();
    await persisted;
  }

  async update(id: string, patch: Partial<StoredFineTuneJob>): Promise<StoredFineTuneJob | undefined> {
    const { updated, persisted } = this.patch(id, patch);
    await persisted;
    return updated;
  }

  async remove(id: string): Promise<void> {
    await this.save(this.jobs.filter((j) => j.id !== id));
  }

  /**
   * Applies a status from the provider; fires onDidFinish on the transition to a finished state, in the same
   * synchronous step that makes the new state visible (so no reader sees a finished job without its event, and
   * two overlapping status replies cannot both see the transition).
   */
  async applyStatus(status: FineTuneJobStatus): Promise<StoredFineTuneJob | undefined> {
    const before = this.get(status.id);
    if (!before) return undefined;
    const { updated: after, persisted } = this.patch(status.id, {
      state: status.state,
      fineTunedModel: status.fineTunedModel,
      error: status.error,
      pollError: undefined,
    });
    if (after && isUnfinished(before) && !isUnfinished(after)) this.finished.fire(after);
    await persisted;
    return after;
  }

  private patch(id: string, patch: Partial<StoredFineTuneJob>): { updated: StoredFineTuneJob | undefined; persisted: Promise<void> } {
    let updated: StoredFineTuneJob | undefined;
    const persisted = this.save(this.jobs.map((j) => (j.id === id ? (updated = { ...j, ...patch }) : j)));
    return { updated, persisted };
  }

  /** Polls every unfinished job once (or the given one), then schedules the next poll if any is still unfinished. */
  async refresh(onlyId?: string): Promise<void> {
    if (this.polling) await this.polling;
    this.polling = this.pollOnce(onlyId).finally(() => {
      this.polling = undefined;
    });
    await this.polling;
    this.schedule();
  }

  private async pollOnce(onlyId?: string): Promise<void> {
    const jobs = this.jobs.filter((j) => (onlyId ? j.id === onlyId : isUnfinished(j)));
    for (const job of jobs) {
      if (this.disposed) return;
      try {
        await this.applyStatus(await this.deps.fetchStatus(job));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.deps.log.warn(`fine-tuning job ${job.id}: ${message}`);
        await this.update(job.id, { pollError: message });
      }
    }
  }

  /** Time between status polls while a job is unfinished. A new interval replaces a poll already waiting. */
  get pollIntervalMs(): number {
    return this.interval;
  }

  set pollIntervalMs(ms: number) {
    this.interval = ms;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  private schedule(): void {
    if (this.disposed || this.timer || !this.jobs.some(isUnfinished)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, this.interval);
  }

  /** Replaces the list at once (view refresh included), then persists it to workspaceState. */
  private save(jobs: StoredFineTuneJob[]): Promise<void> {
    this.jobs = jobs;
    void vscode.commands.executeCommand('setContext', 'promptLadder.hasFineTuneJobs', jobs.length > 0);
    this.emitter.fire();
    return Promise.resolve(this.deps.state.update(STATE_KEY, jobs));
  }

  getChildren(node?: StoredFineTuneJob): StoredFineTuneJob[] {
    return node ? [] : this.list();
  }

  getTreeItem(job: StoredFineTuneJob): vscode.TreeItem {
    const item = new vscode.TreeItem(`${path.basename(job.promptPath)} · ${job.baseModel}`, vscode.TreeItemCollapsibleState.None);
    item.id = `fineTuneJob:${job.id}`;
    item.iconPath = jobIcon(job.state);
    const extra = job.state === 'succeeded' && job.fineTunedModel ? ` · ${job.fineTunedModel}` : job.error ? ` · ${job.error}` : '';
    item.description = `${STATE_TEXT[job.state] ?? job.state}${extra}`;
    item.contextValue = `fineTuneJob-${job.state}`;
    item.resourceUri = undefined;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**Fine-tuning job** ${md(job.id)} — ${md(STATE_TEXT[job.state] ?? job.state)}\n\n`);
    tip.appendMarkdown(`- Prompt file: ${md(vscode.workspace.asRelativePath(job.promptPath))}\n`);
    tip.appendMarkdown(`- Base model: ${md(job.baseModel)} (${md(job.providerName)})\n`);
    if (job.examples !== undefined) tip.appendMarkdown(`- Training examples: ${job.examples}\n`);
    tip.appendMarkdown(`- Started: ${new Date(job.createdAt).toLocaleString()}\n`);
    if (job.fineTunedModel) tip.appendMarkdown(`- Fine-tuned model: ${md(job.fineTunedModel)}${job.variantAdded ? ' (added as a variant)' : ''}\n`);
    if (job.error) tip.appendText(`\nError: ${job.error}`);
    if (job.pollError) tip.appendText(`\nLast status check failed: ${job.pollError}`);
    item.tooltip = tip;
    item.command = { title: 'Open Prompt File', command: 'vscode.open', arguments: [vscode.Uri.file(job.promptPath)] };
    return item;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.emitter.dispose();
    this.finished.dispose();
  }
}
