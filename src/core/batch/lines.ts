// Batch API input lines: one per distinct call the cache cannot answer, with the exact body a live call sends.
// custom_id = c<case>.v<variant index>.r<repeat>.<purpose>.<cache key>: it names the cell without ambiguity, and
// its last part (the response-cache key) maps an output line back to the call even across runs.
// Lines are split by endpoint and model (a batch takes one model) and at the provider's limits.

import { createHash } from 'node:crypto';
import type { ChatCall } from '../providers/executor';

/** OpenAI's limits for one batch input file (Azure's are the same or larger). */
export const BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 } as const;

export interface BatchLimits {
  maxRequests: number;
  maxBytes: number;
}

export interface BatchLine {
  customId: string;
  /** Response-cache key of the call. */
  key: string;
  /** Endpoint identity (Provider.endpointKey) and the model as written and as sent. */
  endpointKey: string;
  modelRef: string;
  model: string;
  /** The JSONL text of the line (no newline). */
  text: string;
}

/** A group of lines for one batch: one endpoint, one model, within the limits. */
export interface BatchPart {
  endpointKey: string;
  modelRef: string;
  model: string;
  lines: BatchLine[];
  bytes: number;
  /** sha256 of the part's input file. */
  inputHash: string;
}

const KEY_RE = /\.([0-9a-f]{64})$/;

export function customIdOf(call: ChatCall, variantIndex: number | undefined): string {
  const o = call.origin;
  const purpose = o.purpose === 'case' ? 'p' : 'e';
  if (o.caseIndex === undefined) return `run.${purpose}.${call.key}`;
  return `c${o.caseIndex}.v${variantIndex ?? 'x'}.r${o.repeat ?? call.repeat}.${purpose}.${call.key}`;
}

/** The response-cache key a custom_id carries, or undefined for an id we did not write. */
export function keyOfCustomId(customId: string): string | undefined {
  return KEY_RE.exec(customId)?.[1];
}

/** Whether a custom_id we wrote is the prompt's own call or an evaluator's. */
export function purposeOfCustomId(customId: string): 'case' | 'evaluator' {
  return /\.e\.[0-9a-f]{64}$/.test(customId) ? 'evaluator' : 'case';
}

export function lineOf(call: ChatCall, variantIndex: number | undefined): BatchLine {
  const batch = call.resolved.provider.batch;
  if (!batch) throw new Error(`${call.resolved.provider.label} has no Batch API`);
  const customId = customIdOf(call, variantIndex);
  return {
    customId,
    key: call.key,
    endpointKey: call.resolved.provider.endpointKey,
    modelRef: call.resolved.ref,
    model: call.request.model,
    text: JSON.stringify({ custom_id: customId, method: 'POST', url: batch.url, body: batch.body(call.request) }),
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash of a set of lines, independent of the order they were collected in. */
export function inputHashOf(lines: BatchLine[]): string {
  const h = createHash('sha256');
  for (const l of [...lines].sort((a, b) => (a.customId < b.customId ? -1 : a.customId > b.customId ? 1 : 0))) h.update(l.text).update('\n');
  return h.digest('hex');
}

/** Splits lines by (endpoint, model), then into parts within the limits; deterministic for the same lines. */
export function splitLines(lines: BatchLine[], limits: BatchLimits = BATCH_LIMITS): BatchPart[] {
  const groups = new Map<string, BatchLine[]>();
  for (const l of lines) {
    const g = `${l.endpointKey}\u0000${l.model}`;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(l);
  }
  const parts: BatchPart[] = [];
  for (const g of [...groups.keys()].sort()) {
    const list = groups.get(g)!.sort((a, b) => (a.customId < b.customId ? -1 : a.customId > b.customId ? 1 : 0));
    let current: BatchLine[] = [];
    let bytes = 0;
    const flush = () => {
      if (!current.length) return;
      const first = current[0];
      parts.push({
        endpointKey: first.endpointKey,
        modelRef: first.modelRef,
        model: first.model,
        lines: current,
        bytes,
        inputHash: sha256(current.map((l) => `${l.text}\n`).join('')),
      });
      current = [];
      bytes = 0;
    };
    for (const l of list) {
      const size = Buffer.byteLength(l.text) + 1;
      if (size > limits.maxBytes) throw new Error(`One request is ${size} bytes, above the Batch API's file limit of ${limits.maxBytes} bytes`);
      if (current.length >= limits.maxRequests || bytes + size > limits.maxBytes) flush();
      current.push(l);
      bytes += size;
    }
    flush();
  }
  return parts;
}

/** The input file of a part. */
export function partContent(part: BatchPart): Buffer {
  return Buffer.from(part.lines.map((l) => `${l.text}\n`).join(''), 'utf8');
}
