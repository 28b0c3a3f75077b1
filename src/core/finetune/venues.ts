// Where a model can still be fine-tuned after OpenAI's wind-down, and the one line said when OpenAI refuses.
// OpenAI's deprecations page: new jobs stopped for organisations that never fine-tuned (2026-05-07), then for
// those without recent fine-tuned inference (2026-07-02), and for everyone from 2027-01-06; fine-tuned models
// keep serving until their base model retires.

/** From this day no organisation can create an OpenAI fine-tuning job. */
export const OPENAI_FINE_TUNING_CUTOFF = '2027-01-06';

/** Platforms with a fine-tuning job API this tool drives, and the export formats for the others. */
export const JOB_PLATFORMS = ['Azure OpenAI', 'Mistral', 'Together'] as const;
export const EXPORT_ONLY = ['Google Vertex AI (--format vertex)', 'Amazon Bedrock (--format bedrock)', 'local training with axolotl/TRL (--format local)', 'Fireworks (--format openai)'] as const;

export const ALTERNATIVES_TEXT =
  `fine-tune on ${JOB_PLATFORMS.join(', ')} (jobs from here), or export for ${EXPORT_ONLY.join(', ')}`;

/** The one line shown when OpenAI refuses to create a job. */
export function openaiRefusalLine(): string {
  return `OpenAI no longer creates fine-tuning jobs for this organisation, and from ${OPENAI_FINE_TUNING_CUTOFF} for none (models already fine-tuned keep serving): ${ALTERNATIVES_TEXT}.`;
}

/** Whether OpenAI still takes new jobs from anyone on a day (organisations with recent fine-tuned use only). */
export function openaiTakesJobs(now: Date = new Date()): boolean {
  return now.toISOString().slice(0, 10) < OPENAI_FINE_TUNING_CUTOFF;
}

export type Venue = { kind: 'job'; platform: 'openai' | 'azure' | 'mistral' | 'together' } | { kind: 'none'; reason: string } | { kind: 'unknown' };

const NO_FINE_TUNING: Readonly<Record<string, string>> = {
  ollama: 'Ollama serves models but does not train them',
  github: 'GitHub Models has no fine-tuning API',
  vscode: "VS Code's Language Model API cannot fine-tune",
};

/** Whether a model reference runs on OpenAI's own API (a bare name counts: it is the CLI's default provider). */
export function isOpenAIModel(modelRef: string, profileKinds: Readonly<Record<string, string>> = {}): boolean {
  const prefix = modelRef.includes('/') ? modelRef.slice(0, modelRef.indexOf('/')) : 'openai';
  return (profileKinds[prefix] ?? prefix) === 'openai';
}

/**
 * Where a model reference ('openai/gpt-4o-mini', 'azure/deploy', 'mistral/…', a profile name with its kind in
 * `profileKinds`) can run a fine-tuning job, or why it cannot.
 */
export function venueOf(modelRef: string, profileKinds: Readonly<Record<string, string>> = {}, now: Date = new Date()): Venue {
  const prefix = modelRef.includes('/') ? modelRef.slice(0, modelRef.indexOf('/')) : 'openai';
  const kind = profileKinds[prefix] ?? prefix;
  if (NO_FINE_TUNING[kind]) return { kind: 'none', reason: NO_FINE_TUNING[kind] };
  if (kind === 'azure') return { kind: 'job', platform: 'azure' };
  if (kind === 'mistral' || kind === 'together') return { kind: 'job', platform: kind };
  if (kind === 'openai') {
    return openaiTakesJobs(now)
      ? { kind: 'job', platform: 'openai' }
      : { kind: 'none', reason: `OpenAI creates no new fine-tuning jobs since ${OPENAI_FINE_TUNING_CUTOFF}` };
  }
  // a profile whose kind the caller did not pass: say nothing rather than guess
  return { kind: 'unknown' };
}
