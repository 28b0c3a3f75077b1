// The message protocol of the Climb view (its own webview panel, apart from the results panel): the host posts
// the view (src/core/climb/view.ts) after the webview says `ready` and whenever the climb record changes; the
// webview asks to apply the climbed prompt or to open it as a new file. Both sides validate what they receive.

import * as z from 'zod/mini';

const Rate = z.nullable(z.number());

export const ClimbViewSchema = z.object({
  file: z.string(),
  status: z.enum(['running', 'finished', 'interrupted', 'failed']),
  stopReason: z.nullable(z.string()),
  money: z.boolean(),
  spent: z.string(),
  steps: z.array(
    z.object({
      round: z.number(),
      action: z.string(),
      label: z.string(),
      kind: z.string(),
      kept: z.boolean(),
      why: z.string(),
      search: Rate,
      validation: Rate,
      cost: z.string(),
    }),
  ),
  chart: z.array(z.object({ x: z.number(), validation: Rate, test: Rate, label: z.string() })),
  diff: z.nullable(z.array(z.object({ kind: z.enum([' ', '+', '-']), text: z.string() }))),
  canApply: z.boolean(),
});

/** What the webview keeps with setState so a reloaded window reopens the view from the record. */
export const ClimbStateSchema = z.object({ recordFile: z.string(), promptFile: z.string() });

export const ClimbHostMessageSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('view'), view: ClimbViewSchema, state: z.optional(ClimbStateSchema) })]);

export const ClimbWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('apply') }),
  z.object({ type: z.literal('openAsNew') }),
]);

export type ClimbHostMessage = z.infer<typeof ClimbHostMessageSchema>;
export type ClimbWebviewMessage = z.infer<typeof ClimbWebviewMessageSchema>;

export function parseClimbHostMessage(data: unknown): { ok: true; message: ClimbHostMessage } | { ok: false; error: string } {
  const r = ClimbHostMessageSchema.safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: r.error.issues[0]?.message ?? 'invalid message' };
}

export function parseClimbWebviewMessage(data: unknown): { ok: true; message: ClimbWebviewMessage } | { ok: false; error: string } {
  const r = ClimbWebviewMessageSchema.safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: r.error.issues[0]?.message ?? 'invalid message' };
}
