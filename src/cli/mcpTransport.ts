// The MCP server's stdio transport: newline-delimited JSON-RPC, as the SDK's stdio transport, implementing the
// SDK's public Transport interface. Unlike it, every bad line gets the answer JSON-RPC 2.0 names and the
// server keeps serving: a line that is not JSON gets -32700 (parse error), JSON that is not a JSON-RPC message
// gets -32600 (invalid request, with its id when it has one), and a line over the size limit gets -32600
// without being held in memory (the rest of it is skipped up to its newline).

import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { formatBytes } from '../core/limits';

/** The largest request line read (the SDK's stdio transport holds at most as much). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const NEWLINE = 0x0a;

type Id = string | number | null;

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Skipping the rest of a line over the limit (up to its newline). */
  private skipping = false;
  private closed = false;
  private readonly onData = (chunk: Buffer) => this.take(chunk);
  private readonly onEnd = () => void this.close();
  private readonly onError = (err: Error) => this.onerror?.(err);

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
    private readonly maxBytes = MAX_REQUEST_BYTES,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.onError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(JSON.stringify(message) + '\n')) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onError);
    this.pending = [];
    this.onclose?.();
  }

  private take(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl < 0 ? chunk.length : nl;
      if (this.skipping) {
        if (nl >= 0) this.skipping = false;
      } else if (this.pendingBytes + (end - start) > this.maxBytes) {
        this.tooLarge(Buffer.concat([...this.pending, chunk.subarray(start, Math.min(end, start + 4096))]));
        this.pending = [];
        this.pendingBytes = 0;
        this.skipping = nl < 0;
      } else if (nl < 0) {
        this.pending.push(chunk.subarray(start));
        this.pendingBytes += chunk.length - start;
      } else {
        const line = this.pending.length ? Buffer.concat([...this.pending, chunk.subarray(start, end)]) : chunk.subarray(start, end);
        this.pending = [];
        this.pendingBytes = 0;
        this.line(line.toString('utf8').replace(/\r$/, ''));
      }
      if (nl < 0) return;
      start = nl + 1;
    }
  }

  private line(text: string): void {
    if (!text.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.reply(null, PARSE_ERROR, `Parse error: ${(err as Error).message}`);
      return;
    }
    if (Array.isArray(value)) {
      this.reply(null, INVALID_REQUEST, 'Invalid Request: batches are not supported (send one message per line)');
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.reply(idOf(value), INVALID_REQUEST, `Invalid Request: not a JSON-RPC 2.0 message${issue ? ` (${issue.path.join('.') || 'message'}: ${issue.message})` : ''}`);
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private tooLarge(head: Buffer): void {
    // the id, when the line's start names it, so the client can match the error to its request
    const m = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,15})/.exec(head.toString('utf8'));
    const id: Id = m ? (JSON.parse(m[1]) as string | number) : null;
    this.reply(id, INVALID_REQUEST, `Invalid Request: the message is over the limit of ${formatBytes(this.maxBytes)}; it was not read`);
  }

  private reply(id: Id, code: number, message: string): void {
    void this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage);
    this.onerror?.(new Error(message));
  }
}

function idOf(value: unknown): Id {
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
