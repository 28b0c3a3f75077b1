// `judge` evaluator: a judge model grades the reply against a free-text rubric and answers with JSON
// `{"score": …, "reason": "…"}`; passed = normalised score ≥ threshold (default 0.5); details = reason.
//
// The reply is parsed leniently (code fences, prose around the object, a score as "4/5", "80%" or a
// string). Scores normalise to 0..1: "x/y" → x/y; a plain number ≤ 1 is taken as-is, 1 < n ≤ 5 as
// 1–5 stars ((n−1)/4, the gh built-ins' scale), 5 < n ≤ 10 as n/10, 10 < n ≤ 100 as a percentage.
// The rubric is templated like gh llm prompts (row variables plus {{completion}}).

import type { ChatMessage, EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn } from './evaluator';
import { completionVars, replyOf } from './templateVars';
import { ghTemplate } from '../render/ghTemplate';

type JudgeSpec = Extract<EvaluatorSpec, { kind: 'judge' }>;

export const JUDGE_SYSTEM_PROMPT =
  'You are a strict, fair grader. You grade one response against a rubric. ' +
  'Reply with a single JSON object and nothing else: {"score": <number from 0 to 1>, "reason": "<one short sentence>"}.';

export function buildJudgeMessages(rubric: string, question: string, response: string, expected?: string): ChatMessage[] {
  const parts = [`# Rubric\n${rubric}`, `# Question\n${question}`];
  if (expected !== undefined && expected !== '') parts.push(`# Reference answer\n${expected}`);
  parts.push(`# Response to grade\n${response}`);
  parts.push('Grade the response against the rubric. Reply with JSON only: {"score": <0 to 1>, "reason": "<why>"}');
  return [
    { role: 'system', content: JUDGE_SYSTEM_PROMPT },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** Map a raw score (optionally "out of" a maximum) onto 0..1; undefined when it is not a usable number. */
export function normaliseScore(value: number, outOf?: number): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  if (outOf !== undefined) return outOf > 0 && value <= outOf ? value / outOf : undefined;
  if (value <= 1) return value;
  if (value <= 5) return (value - 1) / 4;
  if (value <= 10) return value / 10;
  if (value <= 100) return value / 100;
  return undefined;
}

function scoreFrom(raw: unknown): number | undefined {
  if (typeof raw === 'number') return normaliseScore(raw);
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  let m = /^(-?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(s);
  if (m) return normaliseScore(Number(m[1]), Number(m[2]));
  m = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (m) return normaliseScore(Number(m[1]), 100);
  m = /^(-?\d+(?:\.\d+)?)$/.exec(s);
  if (m) return normaliseScore(Number(m[1]));
  return undefined;
}

const SCORE_KEYS = ['score', 'rating', 'grade', 'value'];
const REASON_KEYS = ['reason', 'reasoning', 'explanation', 'rationale', 'justification'];

function fromObject(obj: unknown): { score: number; reason?: string } | undefined {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const rec = obj as Record<string, unknown>;
  const lower = new Map(Object.keys(rec).map((k) => [k.toLowerCase(), rec[k]]));
  for (const key of SCORE_KEYS) {
    if (!lower.has(key)) continue;
    const outOf = lower.get('out_of') ?? lower.get('max') ?? lower.get('max_score');
    const raw = lower.get(key);
    const score = typeof raw === 'number' && typeof outOf === 'number' ? normaliseScore(raw, outOf) : scoreFrom(raw);
    if (score === undefined) continue;
    const reasonKey = REASON_KEYS.find((k) => typeof lower.get(k) === 'string');
    return { score, reason: reasonKey ? String(lower.get(reasonKey)) : undefined };
  }
  return undefined;
}

/** Parse a judge reply into a 0..1 score and a reason; undefined when no score can be found. */
export function parseJudgeReply(text: string): { score: number; reason?: string } | undefined {
  const body = text.trim().replace(/^```[\w-]*\s*\n?([\s\S]*?)\n?```$/, '$1').trim();
  const candidates = [body];
  const first = body.indexOf('{');
  const last = body.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(body.slice(first, last + 1));
  for (const c of candidates) {
    try {
      const found = fromObject(JSON.parse(c));
      if (found) return found;
    } catch {
      // not JSON; try the next candidate
    }
  }
  const m = /["']?(?:score|rating|grade)["']?\s*[:=]\s*["']?(\d+(?:\.\d+)?(?:\s*\/\s*\d+(?:\.\d+)?|\s*%)?)/i.exec(body);
  if (m) {
    const score = scoreFrom(m[1]);
    if (score !== undefined) {
      const r = /["']?(?:reason|reasoning|explanation)["']?\s*[:=]\s*["']?([^"'\n}]+)/i.exec(body);
      return { score, reason: r ? r[1].trim() : undefined };
    }
  }
  const bare = scoreFrom(body);
  return bare === undefined ? undefined : { score: bare };
}

export const evaluateJudge: EvaluatorFn<JudgeSpec> = async (spec, input) => {
  const threshold = spec.threshold ?? 0.5;
  const vars = completionVars(input);
  const expected = typeof vars.expected === 'string' ? vars.expected : input.expected;
  const messages = buildJudgeMessages(ghTemplate(spec.rubric, vars), input.question, replyOf(input), expected);
  const reply = await input.judge.complete(messages, { model: spec.model, temperature: 0, json: true });
  const parsed = parseJudgeReply(reply);
  if (!parsed) {
    const shown = reply.length > 200 ? `${reply.slice(0, 200)}…` : reply;
    return { name: spec.name, passed: false, score: 0, details: `Judge reply has no usable score: '${shown}'`, data: { reply } };
  }
  const passed = parsed.score >= threshold;
  const reason = parsed.reason ? parsed.reason : '(no reason given)';
  return {
    name: spec.name,
    passed,
    score: parsed.score,
    details: `${reason} (score ${parsed.score.toFixed(2)}, threshold ${threshold})`,
    data: { reply, score: parsed.score, reason: parsed.reason },
  };
};
