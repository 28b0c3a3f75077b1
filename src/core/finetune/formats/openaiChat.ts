// OpenAI-style chat JSONL: {"messages":[{"role","content"}…]} per line. The same file is accepted as is by
// Azure OpenAI, Mistral, Together and Fireworks; the check is the strictest rule among their pages (Together:
// "must start with system or user and alternate user and assistant afterwards"), so a file that passes here
// uploads to each of them.
//   OpenAI:    https://developers.openai.com/docs/guides/supervised-fine-tuning (minimum 10 examples)
//   Azure:     https://learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning (same chat format, 10 examples)
//   Mistral:   https://docs.mistral.ai/capabilities/finetuning/text_finetuning
//   Together:  https://docs.together.ai/docs/fine-tuning/data-preparation
//   Fireworks: https://docs.fireworks.ai/fine-tuning/fine-tuning-models ("OpenAI-compatible chat completion format")

import type { ChatMessage } from '../../prompt/spec';
import { checkText, checkTurnOrder, isObject, unknownKeys, type FineTuneFormat } from './format';

const ROLES = ['system', 'user', 'assistant'];

export function encodeChat(messages: readonly ChatMessage[]): { messages: { role: string; content: string }[] } {
  return { messages: messages.map((m) => ({ role: m.role, content: m.content })) };
}

export function checkChat(value: unknown): string[] {
  if (!isObject(value)) return ['a line must be a JSON object'];
  const problems = unknownKeys(value, ['messages']);
  const messages = value.messages;
  if (!Array.isArray(messages) || messages.length === 0) return [...problems, "'messages' must be a non-empty list"];
  const roles: string[] = [];
  messages.forEach((m, i) => {
    const where = `messages[${i}]`;
    if (!isObject(m)) return problems.push(`${where} must be an object`);
    problems.push(...unknownKeys(m, ['role', 'content', 'weight', 'name'], `${where}.`));
    if (typeof m.role !== 'string' || !ROLES.includes(m.role)) problems.push(`${where}.role must be one of ${ROLES.join(', ')}`);
    else if (m.role === 'system' && i > 0) problems.push(`${where}: a 'system' turn may only come first`);
    problems.push(...checkText(m.content, `${where}.content`));
    if (m.weight !== undefined && m.weight !== 0 && m.weight !== 1) problems.push(`${where}.weight must be 0 or 1`);
    roles.push(String(m.role));
  });
  if (problems.length) return problems;
  return checkTurnOrder(roles, 'assistant', 'messages');
}

export const openaiChat: FineTuneFormat = {
  name: 'openai',
  title: 'OpenAI-style chat JSONL ({"messages": […]})',
  platforms: ['OpenAI', 'Azure OpenAI', 'Mistral', 'Together', 'Fireworks'],
  docs: [
    'https://developers.openai.com/docs/guides/supervised-fine-tuning',
    'https://learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning',
    'https://docs.mistral.ai/capabilities/finetuning/text_finetuning',
    'https://docs.together.ai/docs/fine-tuning/data-preparation',
    'https://docs.fireworks.ai/fine-tuning/fine-tuning-models',
  ],
  minExamples: 10,
  encode: encodeChat,
  check: checkChat,
};
