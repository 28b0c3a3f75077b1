// The response cache: content-addressed JSON files on disk, one per (endpoint, request, repeat index).
// Keys are sha256 of canonical JSON (object keys sorted), so key order never changes the address.
// Files live in sharded folders (<dir>/ab/cdef….json) and are written atomically (temp file + rename).
// Only successful results belong here: callers must not cache errors. A corrupt file reads as a miss.
// Nothing secret is stored: the endpoint identity (Provider.endpointKey) and requests hold no API keys.

import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ChatRequest, ChatResult } from './provider';

/** JSON with object keys sorted at every level; undefined values dropped (as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value && typeof value === 'object' && (value as object).constructor === Object) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

const KEY_PATTERN = /^[0-9a-f]{64}$/;

export class ResponseCache {
  constructor(readonly dir: string) {}

  static keyOf(parts: { endpoint: string; request: ChatRequest; repeat: number }): string {
    return createHash('sha256')
      .update(canonicalJson({ v: 1, endpoint: parts.endpoint, request: parts.request, repeat: parts.repeat }))
      .digest('hex');
  }

  private fileOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error(`Invalid cache key: ${key}`);
    return path.join(this.dir, key.slice(0, 2), `${key.slice(2)}.json`);
  }

  async get<T = ChatResult>(key: string): Promise<T | undefined> {
    try {
      const text = await fs.readFile(this.fileOf(key), 'utf8');
      const parsed = JSON.parse(text) as { key?: string; value?: T };
      if (!parsed || typeof parsed !== 'object' || parsed.key !== key || parsed.value === undefined) return undefined;
      return parsed.value;
    } catch {
      return undefined;
    }
  }

  async set<T>(key: string, value: T): Promise<void> {
    const file = this.fileOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, JSON.stringify({ key, value }), 'utf8');
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Removes every cached entry; returns how many there were. */
  async clear(): Promise<number> {
    let count = 0;
    let shards: string[];
    try {
      shards = await fs.readdir(this.dir);
    } catch {
      return 0;
    }
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      const shardDir = path.join(this.dir, shard);
      let names: string[] = [];
      try {
        names = await fs.readdir(shardDir);
      } catch {
        continue;
      }
      count += names.filter((n) => n.endsWith('.json')).length;
      await fs.rm(shardDir, { recursive: true, force: true });
    }
    return count;
  }
}
