// Reading a batch's output and error files back into answers and failures, keyed by response-cache key.
// Lines come back in any order; a line that cannot be read is a located problem (batch, file, line) and
// leaves its request unanswered (it then fails with that reason and the next run submits it again).

import type { TimedChatResult } from '../providers/executor';
import type { TokenUsage } from '../providers/provider';
import { keyOfCustomId, purposeOfCustomId } from './lines';

export interface BatchResults {
  answers: Map<string, TimedChatResult>;
  /** Key → the provider's reason. */
  failures: Map<string, string>;
  /** Located problems with the files themselves. */
  problems: string[];
}

/** Requests answered and their tokens. */
export interface Billed {
  answered: number;
  usage: TokenUsage;
}

export function emptyResults(): BatchResults {
  return { answers: new Map(), failures: new Map(), problems: [] };
}

interface OutputLine {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: unknown } | null;
  error?: { code?: unknown; message?: unknown } | null;
}

function errorText(body: unknown): string {
  const e = (body as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
  if (e && typeof e.message === 'string') return e.message;
  return typeof body === 'string' ? body : JSON.stringify(body ?? null).slice(0, 200);
}

/**
 * Parses one output or error file of batch `batchId` into `into`. `label` names the endpoint in reasons.
 * Returns the requests it answered and their tokens, the prompt's calls and the evaluators' apart: what the
 * provider bills for this file.
 */
export function readBatchFile(text: string, where: { batchId: string; fileId: string; label: string }, into: BatchResults): Record<'case' | 'evaluator', Billed> {
  const rows = text.split('\n');
  const billed = { case: { answered: 0, usage: { prompt: 0, completion: 0 } }, evaluator: { answered: 0, usage: { prompt: 0, completion: 0 } } };
  let reported = 0;
  const problem = (lineNo: number, what: string) => {
    if (reported++ < 20) into.problems.push(`batch ${where.batchId}, file ${where.fileId}, line ${lineNo}: ${what}`);
  };
  rows.forEach((row, i) => {
    if (!row.trim()) return;
    let line: OutputLine;
    try {
      line = JSON.parse(row) as OutputLine;
    } catch {
      return problem(i + 1, 'not valid JSON; the request behind it counts as failed');
    }
    const key = typeof line.custom_id === 'string' ? keyOfCustomId(line.custom_id) : undefined;
    if (!key) return problem(i + 1, `unknown custom_id ${JSON.stringify(line.custom_id)}`);
    const res = line.response;
    if (res && res.status_code === 200) {
      const body = res.body as
        | { choices?: { message?: { content?: string | null; refusal?: string | null } }[]; usage?: { prompt_tokens?: number; completion_tokens?: number }; model?: string }
        | undefined;
      if (!body || !Array.isArray(body.choices)) {
        into.failures.set(key, `${where.label}: batch ${where.batchId}: malformed response (no choices)`);
        return problem(i + 1, 'a 200 response without choices');
      }
      const msg = body.choices[0]?.message;
      const usage = { prompt: body.usage?.prompt_tokens ?? 0, completion: body.usage?.completion_tokens ?? 0 };
      const tally = billed[purposeOfCustomId(line.custom_id as string)];
      tally.answered++;
      tally.usage.prompt += usage.prompt;
      tally.usage.completion += usage.completion;
      into.answers.set(key, {
        text: msg?.content ?? msg?.refusal ?? '',
        usage,
        ...(typeof body.model === 'string' ? { model: body.model } : {}),
        latencyMs: 0,
      });
      into.failures.delete(key);
      return;
    }
    if (into.answers.has(key)) return;
    if (res && typeof res.status_code === 'number') {
      into.failures.set(key, `${where.label}: batch ${where.batchId}: HTTP ${res.status_code} ${errorText(res.body)}`);
      return;
    }
    const e = line.error;
    if (e) {
      const code = typeof e.code === 'string' ? `${e.code}: ` : '';
      into.failures.set(key, `${where.label}: batch ${where.batchId}: ${code}${typeof e.message === 'string' ? e.message : 'failed'}`);
      return;
    }
    problem(i + 1, 'neither a response nor an error');
  });
  if (reported > 20) into.problems.push(`batch ${where.batchId}, file ${where.fileId}: ${reported - 20} more unreadable lines`);
  return billed;
}
