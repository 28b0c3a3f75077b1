// The one shape for objects that own VS Code resources: a class extends Disposable, hands each listener,
// emitter, watcher or timer it creates to `_register()`, and its dispose() releases them all, once, in the
// order they were registered. Something registered after dispose() is released at once.

import type * as vscode from 'vscode';

/** Disposes each of `items`, going on when one throws; the first error is rethrown at the end. */
export function disposeAll(items: Iterable<vscode.Disposable>): void {
  let first: unknown;
  for (const d of items) {
    try {
      d.dispose();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

/** A disposable made from a function (e.g. clearing a timer). */
export function toDisposable(dispose: () => void): vscode.Disposable {
  return { dispose };
}

export abstract class Disposable implements vscode.Disposable {
  private _isDisposed = false;
  private _disposables: vscode.Disposable[] = [];

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    const items = this._disposables;
    this._disposables = [];
    disposeAll(items);
  }

  /** Keeps `value` until this object is disposed (disposes it at once when that already happened). */
  protected _register<T extends vscode.Disposable>(value: T): T {
    if (this._isDisposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }

  /** _register() for several values at once. */
  protected _registerAll(...values: vscode.Disposable[]): void {
    for (const v of values) this._register(v);
  }

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }
}
