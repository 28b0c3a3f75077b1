// The provider side of a batch, through the endpoint's `openai` client: upload the input file (purpose
// 'batch'), create the batch (24 h window), find one created before a crash, poll, cancel, download files.
// Every failure becomes a ProviderError naming the endpoint.

import { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import type { BatchSupport } from '../providers/provider';

export type RemoteBatch = Batch;

async function guard<T>(batch: BatchSupport, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && (err.name === 'AbortError' || err.name === 'APIUserAbortError')) throw err;
    throw batch.error(err);
  }
}

export function uploadInput(batch: BatchSupport, name: string, content: Buffer, signal?: AbortSignal): Promise<{ id: string }> {
  return guard(batch, async () => batch.client.files.create({ file: await toFile(content, name), purpose: 'batch' }, { signal }));
}

export function createBatch(batch: BatchSupport, inputFileId: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<RemoteBatch> {
  return guard(batch, () =>
    batch.client.batches.create({ input_file_id: inputFileId, endpoint: batch.url as '/v1/chat/completions', completion_window: '24h', metadata }, { signal }),
  );
}

/** A batch created from this input file (a crash between create and saving its id leaves only the file id). */
export function findBatchByInputFile(batch: BatchSupport, inputFileId: string, signal?: AbortSignal): Promise<RemoteBatch | undefined> {
  return guard(batch, async () => {
    let seen = 0;
    for await (const b of batch.client.batches.list({ limit: 100 }, { signal })) {
      if (b.input_file_id === inputFileId) return b;
      if (++seen >= 1000) break;
    }
    return undefined;
  });
}

export function retrieveBatch(batch: BatchSupport, id: string, signal?: AbortSignal): Promise<RemoteBatch> {
  return guard(batch, () => batch.client.batches.retrieve(id, { signal }));
}

export function cancelBatch(batch: BatchSupport, id: string): Promise<RemoteBatch> {
  return guard(batch, () => batch.client.batches.cancel(id));
}

export function downloadFile(batch: BatchSupport, fileId: string, signal?: AbortSignal): Promise<string> {
  return guard(batch, async () => (await batch.client.files.content(fileId, { signal })).text());
}
