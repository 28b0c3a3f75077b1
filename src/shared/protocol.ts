// The message protocol between the results panel's host (extension) and its webview.
// Every message is a zod schema; both sides validate what they receive and drop (and log) what does not parse.
//
//   webview → host: commands (fire and forget) and requests ({ type: 'request', id, request }) that the host
//                   answers with { type: 'response', id, ... }.
//   host → webview: notifications (init, update, running, compare, focus, error) and responses.
//
// The webview says `ready` once its script runs; the host posts nothing before that (messages to a webview
// that is hidden or still loading are dropped), and answers every `ready` with a full `init`.
//
// Sized to what a person can see: `init` carries the run's header (the record without its cases) and one brief
// per case (rowBrief.ts); while a run goes on, `update` carries, at a bounded rate, the progress, the variants'
// summaries and the briefs of the rows that changed. The text of rows (vars, expected, outputs) crosses only
// when the webview asks for the rows it scrolls to (`rows`), and a cell's unabridged results on `details`.

import * as z from 'zod/mini';
import {
  Index,
  Int,
  WireCaseRecordSchema as CaseRecordSchema,
  WireCaseResultSchema as CaseResultSchema,
  WireRunRecordSchema as RunRecordSchema,
  WireVariantSummarySchema as VariantSummarySchema,
} from './recordSchema';
import { PackedBriefsSchema } from './rowBrief';

// ---------------------------------------------------------------------------------------------------------
// Shared payloads

export const CellChangeSchema = z.enum(['improved', 'regressed', 'unchanged', 'added', 'removed']);
export type CellChange = z.infer<typeof CellChangeSchema>;

/** A comparison of the shown run (head) with an older run of the same prompt file (base), keyed by head case index. */
export const CompareDataSchema = z.object({
  baseRunId: z.string(),
  baseStartedAt: z.string(),
  /** The base run's record file (to restore the comparison after a reload). */
  baseUri: z.optional(z.string()),
  summary: z.object({
    improved: Int,
    regressed: Int,
    unchanged: Int,
    added: Int,
    removed: Int,
    basePassRate: z.nullable(z.number()),
    headPassRate: z.nullable(z.number()),
  }),
  cases: z.array(
    z.object({
      caseIndex: Index,
      /** Case-level verdict: regressed if any variant regressed, else improved if any improved, else the rest. */
      change: CellChangeSchema,
      variants: z.record(z.string(), CellChangeSchema),
    }),
  ),
  variants: z.array(
    z.object({
      variant: z.string(),
      basePassRate: z.nullable(z.number()),
      headPassRate: z.nullable(z.number()),
      passRateDelta: z.nullable(z.number()),
    }),
  ),
});
export type CompareData = z.infer<typeof CompareDataSchema>;

/** What a details request returns: one case and every result of one variant in it (all repeats), unabridged. */
export const DetailsResultSchema = z.object({
  caseIndex: Index,
  variant: z.string(),
  file: z.optional(z.string()),
  line: Int,
  vars: z.record(z.string(), z.unknown()),
  expected: z.optional(z.string()),
  results: z.array(CaseResultSchema),
});
export type DetailsResult = z.infer<typeof DetailsResultSchema>;

/** What the webview keeps with vscode.setState: UI state and where the data comes from, never the data. */
export const PersistedStateSchema = z.object({
  promptUri: z.string(),
  /** A specific run the panel shows (otherwise the newest run of the prompt). */
  runUri: z.optional(z.string()),
  compareUri: z.optional(z.string()),
  ui: z.optional(z.record(z.string(), z.unknown())),
});
export type PersistedState = z.infer<typeof PersistedStateSchema>;

// ---------------------------------------------------------------------------------------------------------
// webview → host

/** At most this many rows per `rows` request (a screen holds a few dozen). */
export const MAX_ROWS_PER_REQUEST = 400;

export const RequestSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('details'), caseIndex: Index, variant: z.string() }),
  /** The rows (slim cases) of these case indexes, for the rows in view; `runId` names the run they belong to. */
  z.object({ method: z.literal('rows'), runId: z.string(), caseIndexes: z.array(Index).check(z.maxLength(MAX_ROWS_PER_REQUEST)) }),
  /** The case indexes whose text holds every term of `query` (in `variant`'s results only, when given). */
  z.object({ method: z.literal('search'), runId: z.string(), query: z.string().check(z.maxLength(1000)), variant: z.optional(z.string()) }),
  /** The host shows a quick pick of this prompt's other runs; resolves with the comparison or null. */
  z.object({ method: z.literal('pickRunToCompare') }),
  z.object({ method: z.literal('compareWith'), runUri: z.string() }),
]);
export type Request = z.infer<typeof RequestSchema>;
export type RequestMethod = Request['method'];

export const RowsResultSchema = z.object({ runId: z.string(), rows: z.array(CaseRecordSchema) });
export type RowsResult = z.infer<typeof RowsResultSchema>;

/** The result schema of each request method (validated by the webview when the response arrives). */
export const ResultSchemas = {
  details: DetailsResultSchema,
  rows: RowsResultSchema,
  search: z.object({ runId: z.string(), caseIndexes: z.array(Index) }),
  pickRunToCompare: z.nullable(CompareDataSchema),
  compareWith: z.nullable(CompareDataSchema),
} satisfies Record<RequestMethod, z.ZodMiniType>;
export type ResultOf<M extends RequestMethod> = z.infer<(typeof ResultSchemas)[M]>;

export const WebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('run'),
    caseIndexes: z.optional(z.array(Index)),
    variants: z.optional(z.array(z.string())),
    noCache: z.optional(z.boolean()),
  }),
  z.object({ type: z.literal('cancel') }),
  /** Re-run the cases that failed or errored in the shown run (optionally only in these variants). */
  z.object({ type: z.literal('rerunFailures'), variants: z.optional(z.array(z.string())) }),
  /** Open a file of the run (relative to the run root; the prompt file when absent) at a 1-based line. */
  z.object({ type: z.literal('openFile'), file: z.optional(z.string().check(z.maxLength(4096))), line: z.int().check(z.minimum(1)) }),
  /** An advisor action: `command:<id>` runs a Prompt Ladder command, anything else is shown as text. */
  z.object({ type: z.literal('executeAction'), action: z.string().check(z.minLength(1), z.maxLength(2000)) }),
  z.object({ type: z.literal('copy'), text: z.string().check(z.maxLength(5_000_000)) }),
  z.object({ type: z.literal('clearCompare') }),
  /** Add the case to the eval set with this variant's output as the expected answer. */
  z.object({ type: z.literal('addTestCase'), caseIndex: Index, variant: z.string() }),
  /** Show the newest run again after a specific one was opened. */
  z.object({ type: z.literal('showLatest') }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string().check(z.maxLength(10_000)) }),
  z.object({ type: z.literal('request'), id: Int, request: RequestSchema }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

// ---------------------------------------------------------------------------------------------------------
// host → webview

export const FocusSchema = z.object({
  caseIndex: z.optional(Index),
  variant: z.optional(z.string()),
  /** Open the cell's details. */
  open: z.optional(z.boolean()),
});

export const ProgressSchema = z.object({ done: Int, total: Int, passed: Int, failed: Int, errors: Int, cached: Int });

export const HostMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    promptUri: z.string(),
    /** The prompt file as shown to the user (workspace-relative). */
    promptLabel: z.string(),
    /** The run shown without its cases (its header: variants' summaries, advice, status); null before the first run. */
    record: z.nullable(RunRecordSchema),
    /** The variants the rows' cells follow, in order. */
    variants: z.array(z.string()),
    /** One brief per case of the run, in case order (the rows' text comes on request). */
    rows: PackedBriefsSchema,
    /** The variants' summaries of a run under way (a finished run's are in its header). */
    summaries: z.optional(z.array(VariantSummarySchema)),
    runUri: z.optional(z.string()),
    /** The shown run was picked explicitly (Runs view, compare); otherwise the panel follows the newest run. */
    pinned: z.boolean(),
    running: z.boolean(),
    compare: z.nullable(CompareDataSchema),
    /** The last progress event of the run under way. */
    progress: z.optional(z.nullable(ProgressSchema)),
    focus: z.optional(FocusSchema),
    /** The prompt file's text changed since the shown run (its promptHash no longer matches). */
    stale: z.optional(z.boolean()),
  }),
  z.object({ type: z.literal('stale'), stale: z.boolean() }),
  /** What changed in the run under way since the last update (sent at a bounded rate): progress, summaries, changed rows' briefs. */
  z.object({
    type: z.literal('update'),
    runId: z.string(),
    progress: z.nullable(ProgressSchema),
    summaries: z.optional(z.array(VariantSummarySchema)),
    rows: PackedBriefsSchema,
  }),
  /** The run the panel followed finished: its header (status, summaries, advice) and the rows that changed at the end. */
  z.object({
    type: z.literal('finished'),
    runId: z.string(),
    record: RunRecordSchema,
    rows: PackedBriefsSchema,
    runUri: z.optional(z.string()),
  }),
  z.object({ type: z.literal('running'), running: z.boolean() }),
  z.object({ type: z.literal('compare'), compare: z.nullable(CompareDataSchema) }),
  z.object({ type: z.literal('focus'), focus: FocusSchema }),
  z.object({ type: z.literal('error'), message: z.string() }),
  z.object({
    type: z.literal('response'),
    id: Int,
    ok: z.boolean(),
    result: z.optional(z.unknown()),
    error: z.optional(z.string()),
  }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodMiniType<T>, raw: unknown): ParseResult<T> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  const issue = r.error.issues[0];
  const type = raw && typeof raw === 'object' && 'type' in raw ? String((raw as { type: unknown }).type) : '?';
  return { ok: false, error: `invalid message '${type}': ${issue?.path.join('.') || 'root'}: ${issue?.message}` };
}

/** Validates a message the host received from the webview. */
export function parseWebviewMessage(raw: unknown): ParseResult<WebviewMessage> {
  return parseWith(WebviewMessageSchema, raw);
}

/** Validates a message the webview received from the host. */
export function parseHostMessage(raw: unknown): ParseResult<HostMessage> {
  return parseWith(HostMessageSchema, raw);
}

/** Validates the result of a request once its response arrived. */
export function parseResult<M extends RequestMethod>(method: M, raw: unknown): ParseResult<ResultOf<M>> {
  return parseWith(ResultSchemas[method] as unknown as z.ZodMiniType<ResultOf<M>>, raw);
}
