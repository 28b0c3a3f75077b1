// PromptSpec: the one internal model every prompt file format (.prompt.yml, .prompty) loads into.
// Loaders live beside this file; everything downstream (render, engine, evaluators) reads only this.

import type { SourceProblem } from '../errors';
import type { TemplateEngine } from '../render/engines';

export type Role = 'system' | 'user' | 'assistant';

/** A message as sent to a model: no placeholders left. */
export interface ChatMessage {
  role: Role;
  content: string;
}

/** A message template from the prompt file: gh `{{name}}` placeholders (.prompt.yml) or a nunjucks/mustache template (.prompty). */
export interface MessageTemplate {
  role: Role;
  content: string;
  /** 1-based line of the message in the source file. */
  line: number;
}

/** Generation parameters. Names follow the GitHub Models prompt format. */
export interface ModelParameters {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  /** Anything else a provider accepts (e.g. seed, stop, presencePenalty) passes through. */
  [key: string]: unknown;
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };

/** The error categories of PRODUCT.md. */
export const ERROR_CATEGORIES = [
  'format',
  'instruction',
  'knowledge',
  'grounding',
  'retrieval',
  'reasoning',
  'refusal',
  'error',
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** Fields every evaluator may carry. */
export interface EvaluatorBase {
  name: string;
  /** Declared error category for failures of this evaluator. */
  category?: ErrorCategory;
  /** Relative weight in a case's weighted score (default 1). Pass/fail still needs every evaluator to pass. */
  weight?: number;
  /** 1-based line where the evaluator is declared. */
  line: number;
}

export interface LlmChoice {
  choice: string;
  score: number;
}

/** Evaluators as declared in a prompt file. gh-compatible kinds first, then ours. */
export type EvaluatorSpec = EvaluatorBase &
  (
    | { kind: 'string'; equals?: string; contains?: string; startsWith?: string; endsWith?: string }
    | { kind: 'llm'; modelId: string; prompt: string; systemPrompt?: string; choices: LlmChoice[] }
    | {
        kind: 'builtin';
        /** e.g. 'github/similarity', 'github/coherence', 'github/fluency', 'github/relevance', 'github/groundedness' */
        uses: string;
      }
    | { kind: 'regex'; pattern: string; flags?: string; /** pass when the pattern does NOT match */ negate?: boolean }
    | {
        kind: 'json';
        /** JSON Schema, inline (already parsed) or loaded from the file the prompt named. */
        schema?: Record<string, unknown>;
        /** Path of the schema file as written (for messages). */
        schemaFile?: string;
      }
    | { kind: 'similar'; /** template, default '{{expected}}' */ reference?: string; threshold: number; model?: string }
    | { kind: 'judge'; rubric: string; model?: string; /** 0..1, default 0.5 */ threshold?: number }
    | {
        kind: 'faithfulness' | 'answer-relevancy' | 'context-precision' | 'context-recall';
        /** 0..1, default 0.5 */
        threshold?: number;
        model?: string;
      }
    | { kind: 'latency'; maxMs: number }
    | { kind: 'cost'; maxUsd: number }
    | { kind: 'refusal'; /** true: the model is expected to refuse (e.g. a safety case). Default false. */ expected?: boolean }
    | {
        kind: 'code';
        /** The module path as written (relative to the declaring file). */
        file: string;
        /** The module's real path, filled at load through the containment gate. */
        module?: string;
        /** For a TypeScript module (.ts, .mts, .cts): its code transpiled to CommonJS at load. */
        compiled?: string;
        /** Give up after this long (default 5000 ms). */
        timeoutMs?: number;
        /** A numeric result passes at or above this (default 0.5). */
        threshold?: number;
      }
  );

export type EvaluatorKind = EvaluatorSpec['kind'];

/** One few-shot example from the pool. */
export interface Example {
  /**
   * The example's user side. A string fills the final user template when that template has exactly one
   * variable, otherwise it is the user message verbatim; a map renders the final user template.
   */
  input: string | Record<string, unknown>;
  /** The assistant reply shown to the model. */
  output: string;
  /** Where the example came from (for messages and "never its own example"). */
  file: string;
  line: number;
}

export type ExampleSelect = 'first' | 'random' | 'similar';

/** One variant of the side-by-side view. Every field but `name` is optional: unset means "as the base prompt". */
export interface VariantSpec {
  name: string;
  /** Number of few-shot examples (default 0). */
  shots?: number;
  select?: ExampleSelect;
  /** Seed for select: random (default: derived from the variant name, so runs are reproducible). */
  seed?: number;
  model?: string;
  modelParameters?: ModelParameters;
  /** Replaces the system message text (templated like the rest). */
  system?: string;
  /** Appended to the system message (handy for "think step by step" style variants). */
  systemSuffix?: string;
  /**
   * Use the prompt's `retrieval` settings for this variant (a RAG variant); a map overrides some of them for this
   * column only (a chunk-size sweep, reranking, HyDE as columns side by side).
   */
  retrieval?: boolean | RetrievalOverride;
  /** Chain of thought: ask for step-by-step reasoning and a final-answer line; evaluators see only the final answer. */
  chainOfThought?: boolean;
  /** Self-repair: after a reply, run the file's reference-free checks (JSON, schema, shape); on failure feed them back and retry, up to this many extra attempts. */
  selfRepair?: number;
  line: number;
}

/** What a variant may override of the prompt's `retrieval` section. */
export interface RetrievalOverride {
  chunk?: { size: number; overlap: number };
  topK?: number;
  query?: 'input' | 'hyde' | 'expand';
  rerank?: RerankMode;
}

/** Reranking of the retrieved candidates before topK: `llm` through the judge model (lexical when it fails), `lexical` offline. */
export type RerankMode = 'llm' | 'lexical';

export interface RetrievalSpec {
  /** Glob(s), relative to the prompt file. */
  documents: string[];
  chunk: { size: number; overlap: number };
  topK: number;
  query: 'input' | 'hyde' | 'expand';
  /** Variable that receives the chunks (default 'context'). */
  into: string;
  /** Template of the search query (default: the final user message). */
  queryTemplate?: string;
  /** Embedding model; without it search is lexical (BM25). */
  embeddingModel?: string;
  /** Rerank the candidates (topK × 3, at least 10) and keep the topK best. */
  rerank?: RerankMode;
  line: number;
}

/** One test case of the eval set. */
export interface EvalCase {
  /** 0-based position in the combined eval set (testData first, then testFile rows). */
  index: number;
  /** The file the case came from (the prompt file for inline testData) and its 1-based line. */
  file: string;
  line: number;
  vars: Record<string, unknown>;
  expected?: string;
  /** Context passages for RAG metrics (may also be filled by retrieval). */
  context?: string[];
  tags?: string[];
  /** Case-level evaluators, run in addition to the prompt's. */
  evaluators?: EvaluatorSpec[];
}

export type PromptFormat = 'prompt.yml' | 'prompty';

export interface PromptSpec {
  format: PromptFormat;
  /** How message templates render: gh's `{{name}}` replacement (.prompt.yml), nunjucks or mustache (.prompty). Default by format. */
  template?: TemplateEngine;
  /** Absolute path of the prompt file. */
  file: string;
  name: string;
  description?: string;
  /** Model as written, e.g. 'openai/gpt-4o-mini'. Undefined → the configured default model. */
  model?: string;
  /** When `model` is undefined: why the file names none, located ("x.prompty:4: …"), for the "no model" message. */
  modelHint?: string;
  modelParameters: ModelParameters;
  responseFormat?: ResponseFormat;
  messages: MessageTemplate[];
  /**
   * .prompty: the whole body as one template, starting at 1-based `line`. Prompty renders the body first and then
   * splits it on role markers (a loop may emit messages), so rendering uses this; `messages` show its structure.
   */
  body?: { text: string; line: number };
  evaluators: EvaluatorSpec[];
  /** How many evaluators the file declared; more than `evaluators.length` when some had problems and were left out. */
  declaredEvaluators?: number;
  cases: EvalCase[];
  examples: Example[];
  /** Always at least one: without `variants` in the file there is one variant named 'default'. */
  variants: VariantSpec[];
  retrieval?: RetrievalSpec;
  /** Problems that did not stop loading (bad case rows, unknown keys): reported, the valid rest runs. */
  problems: SourceProblem[];
  /** Line of the top-level keys, for CodeLens placement (key → 1-based line). */
  keyLines: Record<string, number>;
}
