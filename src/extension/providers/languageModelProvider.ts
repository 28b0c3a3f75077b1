// The VS Code Language Model API as a Provider: `vscode/<family>` (e.g. `vscode/gpt-4o` from Copilot), so users
// with a chat model in the editor need no key. System messages become user messages (the API has no system role).

import * as vscode from 'vscode';
import { ProviderError, type ChatRequest, type ChatResult, type Provider } from '../../core/providers/provider';

export class LanguageModelProvider implements Provider {
  readonly endpointKey = 'vscode-lm';
  readonly label = 'VS Code Language Model';

  async chat(req: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const models = await selectModels(req.model);
    const model = models[0];
    if (!model) {
      throw new ProviderError(
        `No VS Code language model of family or id "${req.model}". Install a chat model extension (e.g. GitHub Copilot) ` +
          'or pick another model with "Prompt Ladder: Select Provider/Model".',
        { retryable: false, code: 'config' },
      );
    }
    const messages = req.messages.map((m) =>
      m.role === 'assistant'
        ? vscode.LanguageModelChatMessage.Assistant(m.content)
        : vscode.LanguageModelChatMessage.User(m.role === 'system' ? `[Instructions]\n${m.content}` : m.content),
    );
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const modelOptions: Record<string, unknown> = {};
      if (req.params.temperature !== undefined) modelOptions.temperature = req.params.temperature;
      if (req.params.maxTokens !== undefined) modelOptions.maxTokens = req.params.maxTokens;
      const response = await model.sendRequest(
        messages,
        { justification: 'Prompt Ladder runs your prompt file over its eval set.', modelOptions },
        cts.token,
      );
      let text = '';
      for await (const part of response.text) text += part;
      const [prompt, completion] = await Promise.all([
        Promise.all(messages.map((m) => model.countTokens(m, cts.token))).then((n) => n.reduce((a, b) => a + b, 0)),
        model.countTokens(text, cts.token),
      ]).catch(() => [0, 0]);
      return { text, usage: { prompt, completion }, model: model.id };
    } catch (err) {
      if (signal.aborted) throw new DOMException('The operation was aborted', 'AbortError');
      if (err instanceof vscode.LanguageModelError) {
        const retryable = err.code !== vscode.LanguageModelError.NoPermissions.name && err.code !== vscode.LanguageModelError.NotFound.name;
        throw new ProviderError(`VS Code language model "${req.model}": ${err.message}`, { retryable, code: err.code });
      }
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}

async function selectModels(name: string): Promise<vscode.LanguageModelChat[]> {
  const byFamily = await vscode.lm.selectChatModels({ family: name });
  if (byFamily.length) return byFamily;
  return vscode.lm.selectChatModels({ id: name });
}

/** Chat models the editor offers right now, as model strings (`vscode/<family>`). */
export async function availableLanguageModels(): Promise<{ ref: string; name: string; vendor: string }[]> {
  try {
    const models = await vscode.lm.selectChatModels();
    const seen = new Set<string>();
    return models
      .filter((m) => (seen.has(m.family) ? false : (seen.add(m.family), true)))
      .map((m) => ({ ref: `vscode/${m.family}`, name: m.name, vendor: m.vendor }));
  } catch {
    return [];
  }
}
