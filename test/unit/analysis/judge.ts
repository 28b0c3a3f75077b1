// A JudgeClient for analysis tests: the real `openai` package over HTTP to the scripted server.

import OpenAI from 'openai';
import type { ChatMessage } from '../../../src/core/prompt/spec';
import type { JudgeClient } from '../../../src/core/evaluators/evaluator';
import type { ScriptedServer } from '../../fixtures/scripted-server';

export function scriptedJudge(server: ScriptedServer, opts: { embeddings?: boolean } = {}): JudgeClient {
  const client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
  const judge: JudgeClient = {
    async complete(messages: ChatMessage[], o = {}) {
      const res = await client.chat.completions.create({
        model: o.model ?? 'judge-model',
        messages,
        ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
        ...(o.json ? { response_format: { type: 'json_object' as const } } : {}),
      });
      return res.choices[0]?.message?.content ?? '';
    },
  };
  if (opts.embeddings) {
    judge.embed = async (texts) => {
      const res = await client.embeddings.create({ model: 'embed-model', input: texts });
      return res.data.map((d) => d.embedding);
    };
  }
  return judge;
}
