// The webview's side of the protocol: posting commands, requests matched to responses by id, and state.

import {
  parseResult,
  type Request,
  type RequestMethod,
  type ResultOf,
  type WebviewMessage,
} from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class HostClient {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { method: RequestMethod; resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  post(message: WebviewMessage): void {
    this.api.postMessage(message);
  }

  request<M extends RequestMethod>(request: Extract<Request, { method: M }>): Promise<ResultOf<M>> {
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { method: request.method, resolve: resolve as (v: unknown) => void, reject });
      this.post({ type: 'request', id, request });
    });
  }

  /** Settles the request a response belongs to; the result is validated against the method's schema. */
  settle(id: number, ok: boolean, result: unknown, error: string | undefined): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (!ok) {
      p.reject(new Error(error ?? 'request failed'));
      return;
    }
    const parsed = parseResult(p.method, result);
    if (parsed.ok) p.resolve(parsed.message);
    else {
      this.log('warn', `dropped response to '${p.method}': ${parsed.error}`);
      p.reject(new Error(parsed.error));
    }
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.post({ type: 'log', level, message });
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(state: unknown): void {
    this.api.setState(state);
  }
}
