// Test JudgeClients: a real `openai` client over HTTP to the scripted server, and an offline one that
// fails the test if an evaluator calls a model when it should not.

import OpenAI from 'openai';
import type { ChatMessage } from '../../../src/core/prompt/spec';
import type { JudgeClient } from '../../../src/core/evaluators/evaluator';
import type { ScriptedServer } from '../../fixtures/scripted-server';

export const DEFAULT_JUDGE_MODEL = 'judge-default';
export const DEFAULT_EMBEDDING_MODEL = 'embed-default';

/** A JudgeClient talking to the scripted server through the `openai` package. */
export function openAiJudge(server: ScriptedServer, opts: { embeddings?: boolean } = {}): JudgeClient {
  const client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
  const judge: JudgeClient = {
    async complete(messages: ChatMessage[], o = {}) {
      const res = await client.chat.completions.create({
        model: o.model ?? DEFAULT_JUDGE_MODEL,
        messages,
        ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
        ...(o.json ? { response_format: { type: 'json_object' as const } } : {}),
      });
      return res.choices[0]?.message?.content ?? '';
    },
  };
  if (opts.embeddings !== false) {
    judge.embed = async (texts, o = {}) => {
      const res = await client.embeddings.create({ model: o.model ?? DEFAULT_EMBEDDING_MODEL, input: texts });
      return res.data.map((d) => d.embedding);
    };
  }
  return judge;
}

/** A judge for deterministic evaluators: any call is a test failure. */
export const noJudge: JudgeClient = {
  async complete() {
    throw new Error('unexpected judge call');
  },
};
