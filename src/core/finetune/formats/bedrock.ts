// Amazon Bedrock conversation format for fine-tuning text models: one {"schemaVersion":
// "bedrock-conversation-2024", "system":[{"text"}], "messages":[{"role":"user"|"assistant","content":[{"text"}]}…]}
// per line; messages start with user, alternate, and end with the assistant's answer.
//   https://docs.aws.amazon.com/bedrock/latest/userguide/preparing-text-data.html
//   https://docs.aws.amazon.com/bedrock/latest/userguide/distillation-data-prep-option-1.html (same record shape)

import type { ChatMessage } from '../../prompt/spec';
import { checkText, checkTurnOrder, isObject, splitSystem, unknownKeys, type FineTuneFormat } from './format';

export const BEDROCK_SCHEMA_VERSION = 'bedrock-conversation-2024';

export function encodeBedrock(messages: readonly ChatMessage[]): unknown {
  const { system, turns } = splitSystem(messages);
  return {
    schemaVersion: BEDROCK_SCHEMA_VERSION,
    ...(system ? { system: [{ text: system }] } : {}),
    messages: turns.map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: [{ text: m.content }] })),
  };
}

function checkBlocks(blocks: unknown, where: string): string[] {
  if (!Array.isArray(blocks) || blocks.length === 0) return [`${where} must be a non-empty list of content blocks`];
  return blocks.flatMap((b, j) => {
    const at = `${where}[${j}]`;
    if (!isObject(b)) return [`${at} must be an object`];
    return [...unknownKeys(b, ['text'], `${at}.`), ...checkText(b.text, `${at}.text`)];
  });
}

export function checkBedrock(value: unknown): string[] {
  if (!isObject(value)) return ['a line must be a JSON object'];
  const problems = unknownKeys(value, ['schemaVersion', 'system', 'messages']);
  if (value.schemaVersion !== BEDROCK_SCHEMA_VERSION) problems.push(`schemaVersion must be '${BEDROCK_SCHEMA_VERSION}'`);
  if (value.system !== undefined) problems.push(...checkBlocks(value.system, 'system'));
  const messages = value.messages;
  if (!Array.isArray(messages) || messages.length === 0) return [...problems, "'messages' must be a non-empty list"];
  const roles: string[] = [];
  messages.forEach((m, i) => {
    const where = `messages[${i}]`;
    if (!isObject(m)) return problems.push(`${where} must be an object`);
    problems.push(...unknownKeys(m, ['role', 'content'], `${where}.`));
    if (m.role !== 'user' && m.role !== 'assistant') problems.push(`${where}.role must be 'user' or 'assistant' (the system text goes in 'system')`);
    if (typeof m.content === 'string') problems.push(`${where}.content must be a list of content blocks ([{"text": …}]), not a string`);
    else problems.push(...checkBlocks(m.content, `${where}.content`));
    roles.push(String(m.role));
  });
  if (problems.length) return problems;
  return checkTurnOrder(roles, 'assistant', 'messages');
}

export const bedrock: FineTuneFormat = {
  name: 'bedrock',
  title: 'Amazon Bedrock conversation format (schemaVersion bedrock-conversation-2024)',
  platforms: ['Amazon Bedrock (Nova, Claude Haiku, Llama)'],
  docs: ['https://docs.aws.amazon.com/bedrock/latest/userguide/preparing-text-data.html'],
  encode: encodeBedrock,
  check: checkBedrock,
};
