// Builds the chat a variant sends for a case: template messages rendered with the case's variables,
// the variant's system text applied, few-shot examples inserted as user/assistant pairs before the final user message.

import type { ChatMessage, EvalCase, Example, MessageTemplate, PromptSpec, VariantSpec } from '../prompt/spec';
import { renderTemplate, templateVariables } from './template';
import { splitRenderedRoles } from '../prompt/prompty';

/** The last user message template: the one a case (and an example) fills. */
export function finalUserTemplate(spec: PromptSpec): MessageTemplate | undefined {
  for (let i = spec.messages.length - 1; i >= 0; i--) if (spec.messages[i].role === 'user') return spec.messages[i];
  return undefined;
}

/**
 * The user text of a few-shot example (Example.input semantics): a map renders the final user template;
 * a string fills it when the template reads exactly one variable, otherwise it is the message verbatim.
 */
export function renderExampleUser(spec: PromptSpec, example: Example): string {
  const tpl = finalUserTemplate(spec);
  if (typeof example.input !== 'string') return tpl ? renderTemplate(tpl.content, example.input) : JSON.stringify(example.input);
  if (!tpl) return example.input;
  const vars = templateVariables(tpl.content);
  return vars.length === 1 ? renderTemplate(tpl.content, { [vars[0]]: example.input }) : example.input;
}

/** The case's final user message as sent (without few-shot pairs); what example selection compares against. */
export function renderCaseUser(spec: PromptSpec, evalCase: EvalCase, extraVars?: Record<string, unknown>): string {
  const tpl = finalUserTemplate(spec);
  return tpl ? renderTemplate(tpl.content, { ...evalCase.vars, ...(extraVars ?? {}) }) : '';
}

export function renderMessages(
  spec: PromptSpec,
  variant: VariantSpec,
  evalCase: EvalCase,
  examples: Example[],
  extraVars?: Record<string, unknown>,
): ChatMessage[] {
  const vars = { ...evalCase.vars, ...(extraVars ?? {}) };
  let out: ChatMessage[] = spec.messages.map((m) => ({ role: m.role, content: renderTemplate(m.content, vars) }));
  // Prompty semantics: role markers produced by the template (chat-history loops) start new messages.
  if (spec.format === 'prompty') out = out.flatMap((m) => splitRenderedRoles(m.role, m.content));

  if (variant.system !== undefined || variant.systemSuffix !== undefined) {
    let sys = out.find((m) => m.role === 'system');
    if (!sys) {
      sys = { role: 'system', content: '' };
      out.unshift(sys);
    }
    if (variant.system !== undefined) sys.content = renderTemplate(variant.system, vars);
    if (variant.systemSuffix !== undefined) {
      const suffix = renderTemplate(variant.systemSuffix, vars);
      sys.content = sys.content ? `${sys.content.replace(/\s+$/, '')}\n\n${suffix}` : suffix;
    }
  }

  if (examples.length) {
    const pairs: ChatMessage[] = examples.flatMap((ex) => [
      { role: 'user' as const, content: renderExampleUser(spec, ex) },
      { role: 'assistant' as const, content: ex.output },
    ]);
    let at = -1;
    for (let i = out.length - 1; i >= 0; i--) {
      if (out[i].role === 'user') {
        at = i;
        break;
      }
    }
    if (at < 0) at = out.length;
    out.splice(at, 0, ...pairs);
  }
  return out;
}
