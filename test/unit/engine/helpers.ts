// Shared set-up for engine and CLI tests: a temp workspace with files, and an env-based resolver at the scripted server.

import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createEnvResolver } from '../../../src/core/providers/resolve';
import type { ProviderResolver } from '../../../src/core/providers/provider';

export interface Workspace {
  root: string;
  write(rel: string, text: string): string;
  dispose(): void;
}

export function tempWorkspace(): Workspace {
  const root = mkdtempSync(path.join(tmpdir(), 'pl-test-'));
  return {
    root,
    write(rel, text) {
      const file = path.join(root, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function resolverFor(baseURL: string): ProviderResolver {
  return createEnvResolver({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: baseURL });
}

/** A classifier prompt whose zero-shot replies are prose and few-shot replies are JSON (see classifierRules). */
export const CLASSIFIER = `name: Classifier
model: openai/test-model
messages:
  - role: system
    content: Classify the message. Reply with JSON.
  - role: user
    content: "{{message}}"
testData:
  - message: parcel never arrived
    intent: delivery
  - message: refund my money
    intent: refund
  - message: parcel is late
    intent: delivery
examples:
  - input: where is my parcel
    output: '{"intent":"delivery"}'
  - input: give me a refund
    output: '{"intent":"refund"}'
variants:
  - name: zero-shot
    shots: 0
  - name: 2-shot
    shots: 2
evaluators:
  - name: valid-json
    json: {}
  - name: intent
    string:
      contains: "{{intent}}"
`;

export const classifierRules = [
  { user: 'parcel', shotsAtLeast: 1, reply: '{"intent":"delivery"}' },
  { user: 'refund', shotsAtLeast: 1, reply: '{"intent":"refund"}' },
  { user: 'parcel', reply: 'It is about delivery.' },
  { user: 'refund', reply: '{"intent":"refund"}' },
];
