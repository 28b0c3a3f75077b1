// Google Vertex AI supervised tuning for Gemini: one {"systemInstruction": {"parts":[{"text"}]}, "contents":
// [{"role":"user"|"model","parts":[{"text"}]}…]} per line. The role of systemInstruction is ignored by Vertex;
// contents alternate user and model and end with the model's answer. Vertex recommends starting with 100 examples.
//   https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning-prepare

import type { ChatMessage } from '../../prompt/spec';
import { checkText, checkTurnOrder, isObject, splitSystem, unknownKeys, type FineTuneFormat } from './format';

interface Content {
  role: 'user' | 'model';
  parts: { text: string }[];
}

export function encodeVertex(messages: readonly ChatMessage[]): { systemInstruction?: { role: string; parts: { text: string }[] }; contents: Content[] } {
  const { system, turns } = splitSystem(messages);
  return {
    ...(system ? { systemInstruction: { role: 'system', parts: [{ text: system }] } } : {}),
    contents: turns.map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
  };
}

function checkParts(parts: unknown, where: string): string[] {
  if (!Array.isArray(parts) || parts.length === 0) return [`${where}.parts must be a non-empty list`];
  return parts.flatMap((p, j) => {
    const at = `${where}.parts[${j}]`;
    if (!isObject(p)) return [`${at} must be an object`];
    if (p.fileData !== undefined) return unknownKeys(p, ['fileData'], `${at}.`);
    return [...unknownKeys(p, ['text'], `${at}.`), ...checkText(p.text, `${at}.text`)];
  });
}

export function checkVertex(value: unknown): string[] {
  if (!isObject(value)) return ['a line must be a JSON object'];
  const problems = unknownKeys(value, ['systemInstruction', 'contents', 'tools']);
  if (value.messages !== undefined) problems.push("this is the chat format ('messages'); Vertex needs 'contents' with roles user/model");
  if (value.systemInstruction !== undefined) {
    if (!isObject(value.systemInstruction)) problems.push('systemInstruction must be an object');
    else problems.push(...unknownKeys(value.systemInstruction, ['role', 'parts'], 'systemInstruction.'), ...checkParts(value.systemInstruction.parts, 'systemInstruction'));
  }
  const contents = value.contents;
  if (!Array.isArray(contents) || contents.length === 0) return [...problems, "'contents' must be a non-empty list"];
  const roles: string[] = [];
  contents.forEach((c, i) => {
    const where = `contents[${i}]`;
    if (!isObject(c)) return problems.push(`${where} must be an object`);
    problems.push(...unknownKeys(c, ['role', 'parts'], `${where}.`));
    if (c.role !== 'user' && c.role !== 'model') problems.push(`${where}.role must be 'user' or 'model'${c.role === 'assistant' ? " (Vertex calls the assistant 'model')" : ''}`);
    problems.push(...checkParts(c.parts, where));
    roles.push(String(c.role));
  });
  if (problems.length) return problems;
  return checkTurnOrder(roles, 'model', 'contents');
}

export const vertex: FineTuneFormat = {
  name: 'vertex',
  title: 'Google Vertex AI supervised tuning (systemInstruction + contents, roles user/model)',
  platforms: ['Google Vertex AI (Gemini)'],
  docs: ['https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning-prepare'],
  encode: encodeVertex,
  check: checkVertex,
};
