// The response cache: content-addressed entries on disk, one per (endpoint, request, repeat index).
// Keys are sha256 of canonical JSON (object keys sorted), so key order never changes the address.
//
// Storage: 16 append-only logs, `<dir>/log-<first hex digit of the key>.jsonl`. Each line is
// `<key>\t<checksum>\t<value JSON>\n`, where the checksum is the first 16 hex digits of sha256(value JSON).
// Writes are batched: `set` makes the entry visible to this instance at once and appends it with the
// other entries of the same batch window in one write per log (`flush` awaits them); one window serves
// every log, and the cache folder is checked once per window, so a run of thousands of results costs a few
// appends, not a file per result. A log is read whole on the first lookup of one of its keys.
//
// Crash safety: a process killed mid-write leaves at most a partial last line, and a line whose checksum
// does not match its value (torn, or interleaved by another process) is skipped, so a corrupt entry is a
// miss, never served. The next append starts on a fresh line. A log with many superseded or broken lines
// is compacted on load (rewritten to a temp file and renamed over the log, which readers see whole or not
// at all); an entry another process appended during that moment may be lost, which costs one call later.
//
// Only successful results belong here: callers must not cache errors.
// Nothing secret is stored: the endpoint identity (Provider.endpointKey) and requests hold no API keys.

import * as path from 'node:path';
import { readStoreDir, readStoreFile, removeStoreEntry, storeFolder, writeStoreFileAtomic, type StoreFolder } from '../storeFs';
import type { ChatRequest } from './provider';
import { sha256Hex } from '../text/sha256';

/** JSON with object keys sorted at every level; undefined values dropped (as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  return writeCanonical(value, out) ? out.join('') : JSON.stringify(sortKeys(value));
}

/** Whether a key is an array index, which JavaScript enumerates first (ascending) whatever the insertion order. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;
function isIndexKey(k: string): boolean {
  const first = k.charCodeAt(0);
  return first >= 48 && first <= 57 && INDEX_KEY.test(k) && Number(k) < 4294967295;
}

/**
 * Writes the same text as `JSON.stringify(sortKeys(value))` without building the sorted copy (a cache key is
 * computed for every call). Plain objects, arrays, strings, finite numbers, booleans and null are written here;
 * for anything else (a value with its own toJSON, a class instance, a bigint) it returns false and the caller
 * falls back to the copy, so the text is always exactly what the copy gives.
 */
function writeCanonical(value: unknown, out: string[]): boolean {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return true;
    case 'number':
      out.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
      return true;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) {
    out.push('null');
    return true;
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      const v: unknown = value[i];
      // JSON.stringify writes null for undefined, functions and symbols inside arrays
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') out.push('null');
      else if (!writeCanonical(v, out)) return false;
    }
    out.push(']');
    return true;
  }
  if ((value as object).constructor !== Object || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const rec = value as Record<string, unknown>;
  const keys = Object.keys(rec);
  // sortKeys inserts the keys sorted, but an object lists its index keys first in numeric order: so does this.
  let firstName = 0;
  while (firstName < keys.length && isIndexKey(keys[firstName])) firstName++;
  const names = firstName === 0 ? keys.sort() : [...keys.slice(0, firstName), ...keys.slice(firstName).sort()];
  out.push('{');
  let first = true;
  for (const k of names) {
    const v = rec[k];
    // undefined is dropped by sortKeys, functions and symbols by JSON.stringify
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out.push(first ? '' : ',', JSON.stringify(k), ':');
    first = false;
    if (!writeCanonical(v, out)) return false;
  }
  out.push('}');
  return true;
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
const LOG_PATTERN = /^log-[0-9a-f]\.jsonl$/;
/** Lines beyond this many times the live entries (plus a margin) make a log worth compacting. */
const COMPACT_RATIO = 2;
const COMPACT_MARGIN = 256;
/**
 * How long a write waits for others to join it: long enough that the results of a round trip share one append
 * per log, short enough that few entries wait in memory. `flush` does not wait for it.
 */
const BATCH_MS = 20;

/** A key's compact id in a shard's `flushed` set: hex digits 2–8 (the first names the shard). */
function flushedId(key: string): number {
  return parseInt(key.slice(1, 8), 16);
}

function checksum(json: string): string {
  return sha256Hex(json).slice(0, 16);
}

/** The live entries of a log (key → value JSON; a later line wins) and how many lines it has. */
function parseLog(text: string): { index: Map<string, string>; lines: number; damaged: number } {
  const index = new Map<string, string>();
  let lines = 0;
  let damaged = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lines++;
    const line = text.slice(start, end);
    start = end + 1;
    // <64 hex>\t<16 hex>\t<json>
    if (line.length < 83 || line.charCodeAt(64) !== 9 || line.charCodeAt(81) !== 9) {
      if (line.length > 0) damaged++;
      continue;
    }
    const key = line.slice(0, 64);
    const json = line.slice(82);
    if (!KEY_PATTERN.test(key) || checksum(json) !== line.slice(65, 81)) {
      damaged++;
      continue;
    }
    index.set(key, json);
  }
  return { index, lines, damaged };
}

interface Shard {
  file: string;
  /** key → value JSON. */
  index: Map<string, string>;
  /** Lines to append at the next flush. */
  pending: string[];
  /** Keys set by this instance whose lines are not on disk yet. */
  unflushed: Set<string>;
  /**
   * Keys set by this instance and on disk (their values are read back from the log when asked for), as
   * 28-bit numbers from their hex digits: a run writes up to 100,000 keys, and a number is far smaller
   * than a 64-character string. Two keys may share a number; a false hit only re-reads the log, which
   * then answers for the exact key.
   */
  flushed: Set<number>;
  /** The log does not end with a newline (a torn last line): the next append starts a new one. */
  torn: boolean;
  /** Appends and compactions of this log, in order. */
  chain: Promise<void>;
  /** An append of this log is queued (it takes every line pending when its window ends). */
  scheduled: boolean;
}

/** A batch window: when it ends, the cache folder is checked (and made) once for the appends of every log. */
interface BatchWindow {
  folder: Promise<StoreFolder>;
  end: () => void;
}

export class ResponseCache {
  private readonly shards = new Map<string, Promise<Shard>>();
  private readonly writes = new Set<Promise<void>>();
  /** While `flush` waits, batch windows do not: what is pending is written at once. */
  private flushing = 0;
  /** `set` calls waiting for their log to load (their writes are not queued yet). */
  private entering = 0;
  /** The open batch window, shared by every log. */
  private batch: BatchWindow | undefined;

  /** Damaged lines skipped per log file (torn, garbage, or a checksum that does not match). */
  readonly damaged = new Map<string, number>();
  /** The first write that failed (its entries are not cached: later runs call again). */
  writeFailure: { file: string; err: unknown } | undefined;

  constructor(readonly dir: string) {}

  static keyOf(parts: { endpoint: string; request: ChatRequest; repeat: number }): string {
    return sha256Hex(canonicalJson({ v: 1, endpoint: parts.endpoint, request: parts.request, repeat: parts.repeat }));
  }

  private shard(key: string): Promise<Shard> {
    if (!KEY_PATTERN.test(key)) throw new Error(`Invalid cache key: ${key}`);
    const id = key[0];
    let p = this.shards.get(id);
    if (!p) {
      p = this.load(path.join(this.dir, `log-${id}.jsonl`));
      this.shards.set(id, p);
    }
    return p;
  }

  private async load(file: string): Promise<Shard> {
    let text = '';
    try {
      text = await readStoreFile(file);
    } catch {
      // no log yet (or unreadable, or a symlink the store refuses: every lookup is a miss)
    }
    const { index, lines, damaged } = parseLog(text);
    if (damaged) this.damaged.set(file, damaged);
    const shard: Shard = { file, index, pending: [], unflushed: new Set(), flushed: new Set(), torn: text.length > 0 && !text.endsWith('\n'), chain: Promise.resolve(), scheduled: false };
    if (lines > COMPACT_RATIO * index.size + COMPACT_MARGIN) this.enqueue(shard, () => this.rewrite(shard));
    return shard;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    let json: string | undefined;
    try {
      const shard = await this.shard(key);
      json = shard.index.get(key);
      if (json === undefined && shard.flushed.has(flushedId(key))) {
        await shard.chain;
        json = parseLog(await readStoreFile(shard.file).catch(() => '')).index.get(key);
      }
    } catch {
      return undefined; // an invalid key is a miss
    }
    if (json === undefined) return undefined;
    try {
      return JSON.parse(json) as T;
    } catch {
      return undefined;
    }
  }

  /** Stores a value (visible to `get` at once); resolves when it is on disk. */
  async set<T>(key: string, value: T): Promise<void> {
    let shard: Shard;
    this.entering++;
    try {
      shard = await this.shard(key);
    } finally {
      this.entering--;
    }
    const json = JSON.stringify(value);
    if (json === undefined) return;
    // Visible at once; once on disk it is not kept in memory (a run writes each key once, and a run of
    // 100,000 calls would otherwise hold every reply twice).
    shard.index.set(key, json);
    shard.unflushed.add(key);
    // (a `flushed` mark left for this key is harmless: the index answers first)
    shard.pending.push(`${key}\t${checksum(json)}\t${json}\n`);
    if (!shard.scheduled) {
      shard.scheduled = true;
      // Everything set within a few milliseconds goes out in one write per log.
      this.enqueue(shard, () => this.append(shard));
    }
    await shard.chain;
  }

  /** Resolves when every write so far is on disk. */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      do {
        // logs still loading: a `set` waiting for one queues its write as soon as it loads
        await Promise.allSettled([...this.shards.values()]);
        this.batch?.end();
        await Promise.all([...this.writes]);
      } while (this.writes.size > 0 || this.entering > 0);
    } finally {
      this.flushing--;
    }
  }

  /** The open batch window (a new one when none is): BATCH_MS, or none while a flush waits (or once it asks). */
  private window(): Promise<StoreFolder> {
    if (this.batch) return this.batch.folder;
    let ended!: () => void;
    const batch: BatchWindow = {
      folder: new Promise<void>((resolve) => (ended = resolve)).then(() => storeFolder(this.dir)),
      end: () => {
        clearTimeout(timer);
        if (this.batch === batch) this.batch = undefined;
        ended();
      },
    };
    this.batch = batch;
    const timer = this.flushing > 0 ? undefined : setTimeout(batch.end, BATCH_MS);
    if (this.flushing > 0) batch.end();
    return batch.folder;
  }

  private enqueue(shard: Shard, step: () => Promise<void>): void {
    const p = shard.chain.then(step);
    shard.chain = p.catch((err: unknown) => {
      this.writeFailure ??= { file: shard.file, err };
    });
    const tracked = shard.chain.finally(() => this.writes.delete(tracked));
    this.writes.add(tracked);
    // A failed write (disk full, read-only folder) costs cached entries, never the run.
  }

  /** Appends the log's pending lines when the batch window ends (the folder is made when missing, also when a cache clear removed it mid-run). */
  private async append(shard: Shard): Promise<void> {
    const folder = await this.window().then(
      (ready) => ({ ready }),
      (refused: unknown) => ({ refused }),
    );
    shard.scheduled = false;
    if (shard.pending.length === 0) return;
    const data = (shard.torn ? '\n' : '') + shard.pending.join('');
    const written = shard.unflushed;
    shard.pending = [];
    shard.unflushed = new Set();
    // a folder the store refuses: these entries are not written (the run reports the first failure)
    if (!('ready' in folder)) throw folder.refused;
    await folder.ready.append(path.basename(shard.file), data);
    shard.torn = false;
    for (const key of written) {
      if (shard.unflushed.has(key)) continue;
      shard.index.delete(key);
      shard.flushed.add(flushedId(key));
    }
  }

  /** Rewrites a log with only its live entries (temp file + rename). */
  private async rewrite(shard: Shard): Promise<void> {
    // What is on disk now (this process's flushed lines and anyone else's), then what is not yet.
    const { index } = parseLog(await readStoreFile(shard.file).catch(() => ''));
    for (const key of shard.unflushed) {
      const json = shard.index.get(key);
      if (json !== undefined) index.set(key, json);
    }
    const body: string[] = [];
    for (const [key, json] of index) body.push(`${key}\t${checksum(json)}\t${json}\n`);
    await writeStoreFileAtomic(shard.file, body.join(''));
    shard.torn = false;
  }

  /** Compacts every log this instance has loaded (tests and maintenance; loads compact by themselves). */
  async compact(): Promise<void> {
    for (const p of this.shards.values()) {
      const shard = await p;
      this.enqueue(shard, () => this.rewrite(shard));
    }
    await this.flush();
  }

  /** Removes every cached entry; returns how many there were. */
  async clear(): Promise<number> {
    await this.flush();
    let count = 0;
    let entries;
    try {
      entries = await readStoreDir(this.dir);
    } catch {
      return 0;
    }
    for (const d of entries) {
      const full = path.join(this.dir, d.name);
      // a symlink is removed itself (never followed), whatever its name
      if (d.isSymbolicLink()) await removeStoreEntry(full);
      else if (LOG_PATTERN.test(d.name)) {
        count += parseLog(await readStoreFile(full).catch(() => '')).index.size;
        await removeStoreEntry(full);
      } else if (/^log-[0-9a-f]\.jsonl\.\d+(\.[0-9a-f]+)?\.tmp$/.test(d.name)) {
        await removeStoreEntry(full);
      }
    }
    this.shards.clear();
    return count;
  }
}
