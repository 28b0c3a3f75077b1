// The per-call timeout the user controls: setting `promptLadder.timeoutSeconds`, CLI `--timeout SECONDS`,
// environment `PROMPT_LADDER_TIMEOUT`. One attempt that gets no answer within it is aborted and retried
// once; a second expiry makes the case an error that says so.

/** Default per-attempt timeout for chat and embedding calls, seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Longest accepted timeout, seconds (an hour: batch-sized prompts on a slow local model). */
export const MAX_TIMEOUT_SECONDS = 3600;

/** Where the timeout can be changed, for messages. */
export const TIMEOUT_KNOBS = 'promptLadder.timeoutSeconds, --timeout or PROMPT_LADDER_TIMEOUT';

/**
 * A timeout in seconds from a setting, flag or environment value; `source` names it in the error.
 * Returns undefined for an absent value; throws an Error naming the source for an invalid one.
 */
export function parseTimeoutSeconds(value: unknown, source: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > MAX_TIMEOUT_SECONDS) {
    throw new Error(`${source}: expected a number of seconds between 0 and ${MAX_TIMEOUT_SECONDS}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Seconds as people write them: 30 s, 1.5 s, 2 min. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s >= 120 && Number.isInteger(s / 60)) return `${s / 60} min`;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(2))} s`;
}
