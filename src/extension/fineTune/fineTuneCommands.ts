// The fine-tuning job commands: start a job from a prompt file's newest run (only after a modal confirmation that
// shows examples, training tokens, estimated cost and the base model), refresh/cancel/forget jobs in the
// "Fine-Tuning Jobs" view, and add a succeeded job's model to the prompt file as a zero-shot variant (an
// undoable edit). Endpoints and keys come from the user's settings, SecretStorage and env, never from files.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { fineTuneExportFor, type ExportServices } from './exportCommand';
import type { FineTuneJobStatus } from '../../core/finetune/jobs/adapter';
import { fineTuneModule, finetuneModule, resolverModule } from '../lazy';
import { resolvePromptUri } from '../promptFiles';
import { RunBlockedError, type EditorRunController } from '../runs/runController';
import type { ApiKeys } from '../secrets';
import type { ExtensionSettings } from '../settings';
import { fineTunedModelRef, isUnfinished, type FineTuneJobsProvider, type StoredFineTuneJob } from './jobsTree';
import type { FineTuneEndpoint } from './service';
import type { FineTuneExport } from '../../core/finetune/dataset';
import { promptBaseName } from '../../core/prompt/fileName';
import { replaceDocument } from '../editing/replaceDocument';

export const FINE_TUNE_COMMAND_IDS = [
  'promptLadder.startFineTuneJob',
  'promptLadder.fineTune.refresh',
  'promptLadder.fineTune.cancelJob',
  'promptLadder.fineTune.addAsVariant',
  'promptLadder.fineTune.removeJob',
] as const;

/** What the confirmation shows; also what a test's stand-in for the modal receives. */
export interface FineTuneConfirmation {
  promptPath: string;
  baseModel: string;
  providerName: string;
  examples: { train: number; validation: number };
  trainingTokens: number;
  epochs: number;
  estimatedTrainingCostUsd?: number;
  warnings: string[];
}

export interface FineTuneServices extends ExportServices {
  runs: EditorRunController;
  jobs: FineTuneJobsProvider;
  keys: ApiKeys;
  settings(): ExtensionSettings;
  log: vscode.LogOutputChannel;
  /**
   * Replaces the modal confirmation. Honoured only when the extension runs under a test runner
   * (ExtensionMode.Test): a job is never started without the user's explicit confirmation.
   */
  confirmForTests?: (c: FineTuneConfirmation) => Promise<boolean>;
  isTestMode: boolean;
}

const CONFIRM = 'Start Fine-Tuning';
const ADD_VARIANT = 'Add as Variant';

/** Endpoint (with the key, in memory only) for a model reference, resolved like a run's. */
export async function fineTuneEndpointFor(s: Pick<FineTuneServices, 'keys' | 'settings'>, modelRef: string): Promise<FineTuneEndpoint> {
  const settings = s.settings();
  const { keyedProviderNames } = resolverModule();
  const keys = await s.keys.getMany(keyedProviderNames(settings));
  const { resolveFineTuneEndpoint } = fineTuneModule();
  try {
    return resolveFineTuneEndpoint(modelRef, { settings, keys, env: process.env });
  } catch (err) {
    throw new RunBlockedError(`Prompt Ladder: ${err instanceof Error ? err.message : String(err)}`, [
      { title: 'Select Provider/Model', command: 'promptLadder.selectModel' },
      { title: 'Set API Key', command: 'promptLadder.setApiKey' },
    ]);
  }
}

function jobOf(s: FineTuneServices, arg: unknown): StoredFineTuneJob | undefined {
  if (typeof arg === 'string') return s.jobs.get(arg);
  if (arg && typeof arg === 'object' && typeof (arg as StoredFineTuneJob).id === 'string') return s.jobs.get((arg as StoredFineTuneJob).id);
  return undefined;
}

async function pickJob(s: FineTuneServices, arg: unknown, filter: (j: StoredFineTuneJob) => boolean, what: string): Promise<StoredFineTuneJob | undefined> {
  const given = jobOf(s, arg);
  if (given) return given;
  const candidates = s.jobs.list().filter(filter);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Prompt Ladder: no fine-tuning job ${what}.`);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const chosen = await vscode.window.showQuickPick(
    candidates.map((j) => ({ label: `${path.basename(j.promptPath)} · ${j.baseModel}`, description: `${j.state} · ${j.id}`, job: j })),
    { placeHolder: 'Fine-tuning job' },
  );
  return chosen?.job;
}

function money(usd: number): string {
  return usd < 0.01 ? '< $0.01' : `$${usd.toFixed(2)}`;
}

function confirmationDetail(c: FineTuneConfirmation, providerLabel: string): string {
  const lines = [
    `Base model: ${c.baseModel} (${providerLabel})`,
    `Examples: ${c.examples.train} training, ${c.examples.validation} validation`,
    `Training tokens: ${c.trainingTokens.toLocaleString('en-US')} per epoch × ${c.epochs} epochs`,
    `Estimated training cost: ${c.estimatedTrainingCostUsd !== undefined ? `≈ ${money(c.estimatedTrainingCostUsd)}` : 'unknown for this model'}`,
    '',
    'The files are uploaded and the job runs on the provider, billed to your account.',
  ];
  if (c.warnings.length) lines.push('', ...c.warnings);
  return lines.join('\n');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function suffixFor(promptPath: string): string {
  const base = promptBaseName(promptPath);
  return base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 18) || 'prompt-ladder';
}

export function fineTuneCommandTable(s: FineTuneServices): Record<(typeof FINE_TUNE_COMMAND_IDS)[number], (...args: unknown[]) => unknown> {
  return {
    'promptLadder.startFineTuneJob': (arg?: unknown) => startFineTuneJob(s, arg),
    'promptLadder.fineTune.refresh': (arg?: unknown) => refreshJobs(s, arg),
    'promptLadder.fineTune.cancelJob': (arg?: unknown) => cancelJob(s, arg),
    'promptLadder.fineTune.addAsVariant': (arg?: unknown) => addAsVariant(s, arg),
    'promptLadder.fineTune.removeJob': (arg?: unknown) => removeJob(s, arg),
  };
}

/** Starts a job from the prompt file's newest run, after the modal confirmation. */
async function startFineTuneJob(s: FineTuneServices, arg?: unknown): Promise<StoredFineTuneJob | undefined> {
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const { result, spec } = await fineTuneExportFor(s.runs, uri);
  // The model the prompt file names now (for the variant the dataset was made with), else the run's.
  const modelRef = spec.variants.find((v) => v.name === result.variant)?.model ?? spec.model ?? result.baseModel ?? s.settings().defaultModel;
  if (!modelRef) throw new RunBlockedError(`Prompt Ladder: ${path.basename(uri.fsPath)} names no model to fine-tune.`);
  const ep = await fineTuneEndpointFor(s, modelRef);
  const { OPENAI_MIN_EXAMPLES, DEFAULT_EPOCHS } = finetuneModule();
  if ((ep.kind === 'openai' || ep.kind === 'azure') && result.counts.train < OPENAI_MIN_EXAMPLES) {
    throw new RunBlockedError(
      `Prompt Ladder: fine-tuning needs at least ${OPENAI_MIN_EXAMPLES} training examples; ${path.basename(uri.fsPath)} gives ${result.counts.train}. Add cases with \`expected\` values and run the eval again.`,
    );
  }
  const confirmation: FineTuneConfirmation = {
    promptPath: uri.fsPath,
    baseModel: ep.model,
    providerName: ep.providerName,
    examples: { train: result.counts.train, validation: result.counts.validation },
    trainingTokens: result.tokens.train,
    epochs: DEFAULT_EPOCHS,
    estimatedTrainingCostUsd: result.estimatedTrainingCostUsd,
    warnings: result.warnings,
  };
  if (!(await confirmStart(s, confirmation, ep))) return undefined;
  const status = await uploadAndStart(ep, result, uri);
  const job: StoredFineTuneJob = {
    id: status.id,
    promptPath: uri.fsPath,
    baseModel: ep.model,
    providerName: ep.providerName,
    createdAt: new Date().toISOString(),
    state: status.state,
    ...(status.fineTunedModel ? { fineTunedModel: status.fineTunedModel } : {}),
    examples: result.counts.train,
  };
  await s.jobs.add(job);
  s.log.info(`fine-tuning job ${job.id} started (${ep.providerName}/${ep.model}, ${result.counts.train} examples)`);
  void vscode.window
    .showInformationMessage(`Prompt Ladder: fine-tuning job ${job.id} started. Its status is in the Fine-Tuning Jobs view.`, 'Show Jobs')
    .then((c) => (c ? vscode.commands.executeCommand('promptLadder.fineTuneJobs.focus') : undefined));
  return job;
}

/** The modal confirmation (a test's stand-in under a test runner): a job is never started without it. */
async function confirmStart(s: FineTuneServices, confirmation: FineTuneConfirmation, ep: FineTuneEndpoint): Promise<boolean> {
  if (s.isTestMode && s.confirmForTests) return s.confirmForTests(confirmation);
  const label = s.settings().providers.find((p) => p.name === ep.providerName)?.label ?? `${ep.providerName}, ${hostOf(ep.baseURL)}`;
  const choice = await vscode.window.showWarningMessage(
    `Start a fine-tuning job of ${ep.model} with ${confirmation.examples.train} examples from ${path.basename(confirmation.promptPath)}?`,
    { modal: true, detail: confirmationDetail(confirmation, label) },
    CONFIRM,
  );
  return choice === CONFIRM;
}

/** Uploads the dataset and creates the job on the provider, under a cancellable progress notification. */
async function uploadAndStart(ep: FineTuneEndpoint, result: FineTuneExport, uri: vscode.Uri): Promise<FineTuneJobStatus> {
  const { startJob, describeApiError } = fineTuneModule();
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Prompt Ladder: uploading ${result.counts.train + result.counts.validation} examples and starting the fine-tuning job…`, cancellable: true },
      (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        return startJob(ep, { train: result.train, validation: result.validation || undefined, suffix: suffixFor(uri.fsPath) }, ac.signal);
      },
    );
  } catch (err) {
    throw new RunBlockedError(`Prompt Ladder: could not start the fine-tuning job: ${describeApiError(err, ep)}`);
  }
}

/** Adds a succeeded job's model to its prompt file as a zero-shot variant (one undoable edit). */
async function addAsVariant(s: FineTuneServices, arg?: unknown): Promise<string | undefined> {
  const job = await pickJob(s, arg, (j) => j.state === 'succeeded' && !!j.fineTunedModel, 'has succeeded yet');
  if (!job) return undefined;
  const ref = fineTunedModelRef(job);
  if (!ref) throw new RunBlockedError(`Prompt Ladder: fine-tuning job ${job.id} has no model yet (${job.state}).`);
  const uri = vscode.Uri.file(job.promptPath);
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(uri);
  } catch {
    throw new RunBlockedError(`Prompt Ladder: the prompt file ${job.promptPath} of job ${job.id} no longer exists.`);
  }
  const res = fineTuneModule().addFineTunedVariant(doc.getText(), ref, { prompty: job.promptPath.endsWith('.prompty') });
  if (!res.changed) throw new RunBlockedError(`Prompt Ladder: cannot add the variant to ${path.basename(job.promptPath)}: ${res.notes.join(' ')}`);
  if (!(await replaceDocument(doc, res.text))) throw new RunBlockedError(`Prompt Ladder: could not edit ${path.basename(job.promptPath)}.`);
  await s.jobs.update(job.id, { variantAdded: true });
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const line = editor.document.getText().split('\n').findIndex((l) => l.includes(job.fineTunedModel!));
  if (line >= 0) {
    const pos = new vscode.Position(line, 0);
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  void vscode.window.showInformationMessage(`Prompt Ladder: ${res.notes.join(' ')} It runs ${ref} zero-shot; run the eval to compare it with the others.`);
  return ref;
}

async function cancelJob(s: FineTuneServices, arg?: unknown): Promise<StoredFineTuneJob | undefined> {
  const job = await pickJob(s, arg, isUnfinished, 'is running');
  if (!job) return undefined;
  if (!isUnfinished(job)) return job;
  const ep = await fineTuneEndpointFor(s, `${job.providerName}/${job.baseModel}`);
  const { cancelJob: cancelOnProvider, describeApiError } = fineTuneModule();
  try {
    await s.jobs.applyStatus(await cancelOnProvider(ep, job.id));
  } catch (err) {
    throw new RunBlockedError(`Prompt Ladder: could not cancel ${job.id}: ${describeApiError(err, ep)}`);
  }
  return s.jobs.get(job.id);
}

async function refreshJobs(s: FineTuneServices, arg?: unknown): Promise<StoredFineTuneJob[]> {
  const job = jobOf(s, arg);
  await s.jobs.refresh(job?.id);
  return s.jobs.list();
}

async function removeJob(s: FineTuneServices, arg?: unknown): Promise<void> {
  const job = await pickJob(s, arg, () => true, 'in the list');
  if (!job) return;
  await s.jobs.remove(job.id);
}

/** When a job finishes: "Add as Variant" on success (once per job), the provider's error on failure. */
export function notifyWhenFinished(jobs: FineTuneJobsProvider): vscode.Disposable {
  return jobs.onDidFinish((job) => {
    const what = `fine-tuning of ${job.baseModel} for ${path.basename(job.promptPath)}`;
    if (job.state === 'succeeded') {
      if (job.variantAdded) return;
      void vscode.window
        .showInformationMessage(`Prompt Ladder: ${what} succeeded: ${job.fineTunedModel}.`, ADD_VARIANT)
        .then((choice) => (choice === ADD_VARIANT ? vscode.commands.executeCommand('promptLadder.fineTune.addAsVariant', job.id) : undefined));
    } else if (job.state === 'failed') {
      void vscode.window.showWarningMessage(`Prompt Ladder: ${what} failed${job.error ? `: ${job.error}` : ''}.`);
    }
  });
}
