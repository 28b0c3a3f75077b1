// What a fine-tuning export format is: how one training conversation is written as one JSONL line for a
// platform, and how a line read back is checked against that platform's documented format. The checks are
// shared helpers here; each format file cites the page it follows.

import type { ChatMessage } from '../../prompt/spec';

/** The canonical names, one per file layout (`prompt-ladder finetune --format`, the editor's export). */
export type FormatName = 'openai' | 'vertex' | 'bedrock' | 'local';

export interface FineTuneFormat {
  name: FormatName;
  /** One line for pickers and help. */
  title: string;
  /** Platforms that accept the JSONL file as written. */
  platforms: string[];
  /** The documentation pages the format follows. */
  docs: string[];
  /** The platform's minimum number of training examples, when it states one. */
  minExamples?: number;
  /** One training conversation (system?, user, assistant, … ending with assistant) as the JSON object of a line. */
  encode(messages: readonly ChatMessage[]): unknown;
  /** Problems of one parsed line (empty: the line is valid), each naming where in the object it is. */
  check(value: unknown): string[];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys of `o` outside `allowed`, as problems ("unknown key 'foo'"). */
export function unknownKeys(o: Record<string, unknown>, allowed: readonly string[], where = ''): string[] {
  return Object.keys(o)
    .filter((k) => !allowed.includes(k))
    .map((k) => `unknown key '${where}${k}'`);
}

/**
 * The turn order every chat format here shares: an optional leading system turn (where the format keeps it in
 * the list), then user and assistant alternating, starting with user and ending with the assistant's answer.
 */
export function checkTurnOrder(roles: readonly string[], assistant: string, where: string): string[] {
  const turns = roles[0] === 'system' ? roles.slice(1) : roles;
  const offset = roles.length - turns.length;
  if (turns.length === 0) return [`${where} has no user turn`];
  for (let i = 0; i < turns.length; i++) {
    const want = i % 2 === 0 ? 'user' : assistant;
    if (turns[i] !== want) return [`${where}[${i + offset}].role is '${turns[i]}' where '${want}' must come (turns alternate, starting with 'user')`];
  }
  if (turns[turns.length - 1] !== assistant) return [`${where} ends with a '${turns[turns.length - 1]}' turn; the last turn must be '${assistant}' (the answer to learn)`];
  return [];
}

/** A non-empty string, or a problem naming the place. */
export function checkText(v: unknown, where: string): string[] {
  if (typeof v !== 'string') return [`${where} must be a string`];
  if (!v.trim()) return [`${where} is empty`];
  return [];
}

/** The system text of a conversation and its other turns. */
export function splitSystem(messages: readonly ChatMessage[]): { system?: string; turns: ChatMessage[] } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  return { ...(system ? { system } : {}), turns: messages.filter((m) => m.role !== 'system') };
}
