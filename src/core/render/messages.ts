// Builds the chat a variant sends for a case: template messages rendered with the case's variables,
// the variant's system text applied, few-shot examples inserted as user/assistant pairs before the final user message.

import type { ChatMessage, EvalCase, Example, MessageTemplate, PromptSpec, VariantSpec } from '../prompt/spec';
import { renderWith, variablesWith } from './engines';
import type { TemplateEngine } from './engines';
import { splitRenderedRoles } from '../prompt/prompty';

/** The engine a spec's message templates render with. */
export function templateEngine(spec: Pick<PromptSpec, 'format' | 'template'>): TemplateEngine {
  return spec.template ?? (spec.format === 'prompty' ? 'jinja2' : 'gh');
}

/** Render one of the spec's templates (messages, variant system text) with its engine. */
export function renderSpecTemplate(spec: Pick<PromptSpec, 'format' | 'template'>, text: string, vars: Record<string, unknown>): string {
  return renderWith(templateEngine(spec), text, vars);
}

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
  if (typeof example.input !== 'string') return tpl ? renderSpecTemplate(spec, tpl.content, example.input) : JSON.stringify(example.input);
  if (!tpl) return example.input;
  const vars = variablesWith(templateEngine(spec), tpl.content);
  return vars.length === 1 ? renderSpecTemplate(spec, tpl.content, { [vars[0]]: example.input }) : example.input;
}

/** The case's final user message as sent (without few-shot pairs); what example selection compares against. */
export function renderCaseUser(spec: PromptSpec, evalCase: EvalCase, extraVars?: Record<string, unknown>): string {
  const tpl = finalUserTemplate(spec);
  return tpl ? renderSpecTemplate(spec, tpl.content, { ...evalCase.vars, ...(extraVars ?? {}) }) : '';
}

export function renderMessages(
  spec: PromptSpec,
  variant: VariantSpec,
  evalCase: EvalCase,
  examples: Example[],
  extraVars?: Record<string, unknown>,
): ChatMessage[] {
  const vars = { ...evalCase.vars, ...(extraVars ?? {}) };
  let out: ChatMessage[];
  if (spec.format === 'prompty' && spec.body) {
    // Prompty semantics: render the whole body, then split it on role markers (text before the first is system).
    out = splitRenderedRoles('system', renderSpecTemplate(spec, spec.body.text, vars)).filter((m) => m.content !== '' || m.role !== 'system');
  } else {
    out = spec.messages.map((m) => ({ role: m.role, content: renderSpecTemplate(spec, m.content, vars) }));
    if (spec.format === 'prompty') out = out.flatMap((m) => splitRenderedRoles(m.role, m.content));
  }

  if (variant.system !== undefined || variant.systemSuffix !== undefined) {
    let sys = out.find((m) => m.role === 'system');
    if (!sys) {
      sys = { role: 'system', content: '' };
      out.unshift(sys);
    }
    if (variant.system !== undefined) sys.content = renderSpecTemplate(spec, variant.system, vars);
    if (variant.systemSuffix !== undefined) {
      const suffix = renderSpecTemplate(spec, variant.systemSuffix, vars);
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
