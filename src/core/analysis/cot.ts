// Chain-of-thought variants: the instruction appended to the system message, and the extraction of the final
// answer from a step-by-step reply so evaluators see only the answer.
//
// Proposed VariantSpec field (engine support): `chainOfThought: true` — the engine appends COT_INSTRUCTION to
// the system message (like `systemSuffix`), keeps the full reply in the record (e.g. CaseResult.reasoning) and
// evaluates `extractFinalAnswer(reply).answer`.

export const FINAL_ANSWER_MARKER = 'Final answer:';

export const COT_INSTRUCTION =
  'Think step by step before answering: write out your reasoning first. ' +
  `Then, on a new last line, write "${FINAL_ANSWER_MARKER}" followed by only the answer, in exactly the format the instructions above require.`;

// "Final answer:", "**Final Answer:**", "Answer:", and the Chinese 最终答案/答案 forms; the LAST one wins.
const MARKERS = /(?:^|\n)[ \t>*_#-]*(?:final answer|answer|最终答案|答案)[ \t*_]*[:：][ \t*_]*/gi;

export interface FinalAnswer {
  /** The answer the evaluators should see. */
  answer: string;
  /** The reasoning before the marker ('' when no marker was found). */
  reasoning: string;
  /** Whether a final-answer marker was found; without one the whole reply is the answer. */
  found: boolean;
}

export function extractFinalAnswer(output: string): FinalAnswer {
  const text = output.replace(/\r\n?/g, '\n');
  let last: RegExpExecArray | undefined;
  for (const m of text.matchAll(MARKERS)) last = m as RegExpExecArray;
  if (!last || last.index === undefined) return { answer: output.trim(), reasoning: '', found: false };
  const start = last.index + last[0].length;
  let answer = text.slice(start).trim();
  // an answer wrapped in bold or in a code fence is unwrapped
  answer = answer.replace(/^\*\*(.*)\*\*$/s, '$1').trim();
  const fence = /^```[\w-]*\n([\s\S]*?)\n?```$/.exec(answer);
  if (fence) answer = fence[1].trim();
  return { answer, reasoning: text.slice(0, last.index).trim(), found: true };
}
