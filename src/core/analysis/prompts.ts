// Every judge prompt of the analysis features in one place: error categorization, the Ragas four
// (faithfulness, answer relevancy, context precision, context recall) and the retrieval query helpers
// (HyDE, query expansion). Each builder returns the chat messages to send; each JSON reply has a zod
// schema here, parsed with `parseJudgeJson`. Prompts ask for JSON only and name the exact shape.

import * as z from 'zod';
import type { ChatMessage } from '../prompt/spec';

const JSON_ONLY = 'Reply with JSON only, no prose and no code fences.';

/** A 0/1 verdict; judges also write true/false, "1"/"0", "yes"/"no". */
export const Bit = z.preprocess((v) => {
  if (v === true || v === 1 || v === '1' || (typeof v === 'string' && /^(yes|true|supported|useful)$/i.test(v.trim()))) return 1;
  if (v === false || v === 0 || v === '0' || (typeof v === 'string' && /^(no|false|unsupported|not useful)$/i.test(v.trim()))) return 0;
  return v;
}, z.union([z.literal(0), z.literal(1)]));

// ---------------------------------------------------------------------------------------------
// Error categorization

export const JUDGE_CATEGORIES = ['format', 'instruction', 'knowledge', 'grounding', 'retrieval', 'reasoning', 'refusal'] as const;

export const CategoryReplySchema = z.object({
  category: z.enum(JUDGE_CATEGORIES),
  reason: z.string().min(1),
});
export type CategoryReply = z.infer<typeof CategoryReplySchema>;

export interface CategorizeInput {
  question: string;
  output: string;
  expected?: string;
  context?: string[];
  /** Failed checks as "name: details" lines. */
  failedChecks: string[];
}

export function categorizePrompt(input: CategorizeInput): ChatMessage[] {
  const system = [
    'You classify why a language model answer failed an evaluation. Pick exactly one primary category:',
    '- format: the answer lacks the required structure (JSON, fields, prefix, length).',
    '- instruction: it ignores explicit instructions, style or tone.',
    '- knowledge: facts are missing or wrong and were not given in the prompt.',
    '- grounding: it states things the given context does not support.',
    '- retrieval: the given context lacks what the answer needs.',
    '- reasoning: the needed facts were present but the conclusion or arithmetic is wrong.',
    '- refusal: the model declined to answer.',
    `${JSON_ONLY} Shape: {"category": "<one of the above>", "reason": "<one sentence naming the evidence>"}`,
  ].join('\n');
  // long texts are clipped: the category needs the gist, not every token
  const parts = [`QUESTION:\n${clipText(input.question, 4000)}`, `ANSWER:\n${clipText(input.output, 4000)}`];
  if (input.expected !== undefined) parts.push(`EXPECTED:\n${clipText(input.expected, 2000)}`);
  if (input.context?.length) parts.push(`CONTEXT GIVEN TO THE MODEL:\n${clipText(numbered(input.context), 6000)}`);
  if (input.failedChecks.length) parts.push(`FAILED CHECKS:\n${input.failedChecks.join('\n')}`);
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

// ---------------------------------------------------------------------------------------------
// Ragas: faithfulness (statements → verdicts against the context)

export const StatementsReplySchema = z.object({ statements: z.array(z.string()) });

export function statementsPrompt(question: string, answer: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'Break the answer into short standalone statements. Each statement must be understandable without the others ' +
        '(replace pronouns with what they refer to). Keep every factual claim; drop filler. ' +
        `${JSON_ONLY} Shape: {"statements": ["...", "..."]}`,
    },
    { role: 'user', content: `QUESTION:\n${question}\n\nANSWER:\n${answer}` },
  ];
}

export const VerdictsReplySchema = z.object({
  verdicts: z.array(z.object({ statement: z.string(), verdict: Bit, reason: z.string().default('') })),
});

export function faithfulnessVerdictPrompt(context: string[], statements: string[]): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'For each statement, decide whether it can be directly inferred from the context. ' +
        'verdict 1 = supported by the context, 0 = not supported (absent or contradicted). Judge only against the context, not your own knowledge. ' +
        `${JSON_ONLY} Shape: {"verdicts": [{"statement": "...", "verdict": 1, "reason": "..."}]} with one entry per statement, in order.`,
    },
    { role: 'user', content: `CONTEXT:\n${numbered(context)}\n\nSTATEMENTS:\n${numbered(statements)}` },
  ];
}

// ---------------------------------------------------------------------------------------------
// Ragas: answer relevancy (questions generated from the answer; noncommittal flag)

export const GeneratedQuestionsReplySchema = z.object({ questions: z.array(z.string()), noncommittal: Bit });

/** One call for N questions (Ragas makes N calls; one call with N distinct questions keeps the cache deterministic). */
export function answerQuestionsPrompt(answer: string, n: number, context?: string[]): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        `Write ${n} different questions that this answer most likely responds to, each one on its own. ` +
        'Also say whether the answer is noncommittal (evasive, vague or ambiguous, e.g. "I don\'t know", "I\'m not sure"): ' +
        'noncommittal 1 if so, 0 if it commits to an answer. ' +
        `${JSON_ONLY} Shape: {"questions": ["...", "..."], "noncommittal": 0}`,
    },
    {
      role: 'user',
      content: (context?.length ? `CONTEXT:\n${numbered(context)}\n\n` : '') + `ANSWER:\n${answer}`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Ragas: context precision (is each chunk useful for the reference answer?)

export const UsefulReplySchema = z.object({ reason: z.string().default(''), verdict: Bit });

export function contextUsefulPrompt(question: string, reference: string, chunk: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'Given a question, a reference answer and one context passage, decide whether the passage was useful in arriving at the reference answer. ' +
        `verdict 1 = useful, 0 = not useful. ${JSON_ONLY} Shape: {"reason": "...", "verdict": 1}`,
    },
    { role: 'user', content: `QUESTION:\n${question}\n\nREFERENCE ANSWER:\n${reference}\n\nPASSAGE:\n${chunk}` },
  ];
}

// ---------------------------------------------------------------------------------------------
// Ragas: context recall (is each reference sentence attributable to the context?)

export const AttributionReplySchema = z.object({
  classifications: z.array(z.object({ statement: z.string(), attributed: Bit, reason: z.string().default('') })),
});

export function contextRecallPrompt(question: string, context: string[], sentences: string[]): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'For each sentence of the reference answer, decide whether it can be attributed to the context ' +
        '(attributed 1 = the context contains the information, 0 = it does not). ' +
        `${JSON_ONLY} Shape: {"classifications": [{"statement": "...", "attributed": 1, "reason": "..."}]} with one entry per sentence, in order.`,
    },
    { role: 'user', content: `QUESTION:\n${question}\n\nCONTEXT:\n${numbered(context)}\n\nREFERENCE SENTENCES:\n${numbered(sentences)}` },
  ];
}

// ---------------------------------------------------------------------------------------------
// Retrieval: HyDE and query expansion

export function hydePrompt(query: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'Write a short passage (3-5 sentences) that would answer the question, in the style of a documentation page. ' +
        'It is used only to search documents, so plausible details are fine. Reply with the passage only.',
    },
    { role: 'user', content: query },
  ];
}

export const ExpandReplySchema = z.object({ queries: z.array(z.string()).min(1) });

export function expandPrompt(query: string, n: number): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        `Write ${n} different search queries that would find documents answering the question: rephrasings, ` +
        'synonyms, and the sub-questions it depends on. ' +
        `${JSON_ONLY} Shape: {"queries": ["...", "..."]}`,
    },
    { role: 'user', content: query },
  ];
}

// ---------------------------------------------------------------------------------------------

function numbered(items: string[]): string {
  return items.map((s, i) => `${i + 1}. ${s}`).join('\n');
}

/**
 * Parses a judge's JSON reply: tolerates code fences and prose around the first JSON object/array,
 * then validates with the schema. Throws an Error with a short message when the reply does not fit.
 */
export function parseJudgeJson<T>(reply: string, schema: z.ZodType<T>): T {
  const text = reply.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const start = text.search(/[[{]/);
    const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
    if (start < 0 || end <= start) throw new Error(`judge reply is not JSON: ${clip(reply)}`);
    try {
      value = JSON.parse(text.slice(start, end + 1));
    } catch {
      throw new Error(`judge reply is not JSON: ${clip(reply)}`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`judge reply has the wrong shape: ${clip(reply)}`);
  return parsed.data;
}

function clipText(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}\n[… ${s.length - max} more characters]` : s;
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}
