// Where a project's store (.promptladder/: run records, the response cache, pending batches) lives for the editor.
// In a trusted workspace: in the project, beside the prompt files, shared with the CLI. In an untrusted workspace
// (Workspace Trust): in the extension's own storage, one folder per project, so a run never writes into a
// workspace the user has not trusted, and never opens store files a cloned repository planted there. The records
// stored there keep their prompt file relative to the project; `projectRootOfStore` maps back.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';

let storageDir: string | undefined;
/** Store root in the extension's storage → the project it holds runs of. */
const projects = new Map<string, string>();

/** Called once at activation: the extension's storage (the workspace's own, else the global one). */
export function initStoreLocation(context: Pick<vscode.ExtensionContext, 'storageUri' | 'globalStorageUri'>): void {
  storageDir = (context.storageUri ?? context.globalStorageUri).fsPath;
}

/** The store root in the extension's storage for a project (undefined before activation). */
export function privateStoreRoot(projectRoot: string): string | undefined {
  if (!storageDir) return undefined;
  const root = path.join(storageDir, 'untrusted-workspaces', createHash('sha256').update(projectRoot).digest('hex').slice(0, 16));
  projects.set(root, projectRoot);
  return root;
}

/** Where runs of this project are stored now: the project when the workspace is trusted, else the extension's storage. */
export function storeRootFor(projectRoot: string): string {
  return vscode.workspace.isTrusted ? projectRoot : (privateStoreRoot(projectRoot) ?? projectRoot);
}

/** The project a store root belongs to (itself, for a store inside a project). */
export function projectRootOfStore(storeRoot: string): string {
  return projects.get(storeRoot) ?? storeRoot;
}
