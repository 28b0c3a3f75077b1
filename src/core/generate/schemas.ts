// The shape of every model reply in test-case generation (zod). A reply that does not parse or fit is a shape error:
// the step is asked once more, then the whole generation fails without touching any file.

import * as z from 'zod';

export const IntentReply = z.object({
  intent: z.string().trim().min(1),
  inputSpec: z.array(z.string().trim().min(1)).min(1),
  variables: z.array(z.object({ name: z.string(), description: z.string() })),
});
export type IntentReply = z.infer<typeof IntentReply>;

export const RulesReply = z.object({
  rules: z
    .array(z.object({ rule: z.string().trim().min(1), inverse: z.string().trim().min(1).nullable() }))
    .min(1),
});
export type RulesReply = z.infer<typeof RulesReply>;

/** Tests for a prompt with these variables: every variable a non-empty string, nothing else. */
export function testsReply(vars: readonly string[]) {
  return z.object({
    tests: z
      .array(
        z.object({
          ruleId: z.number().int().nullable(),
          scenario: z.string(),
          vars: z.object(Object.fromEntries(vars.map((v) => [v, z.string().refine((s) => s.trim() !== '', 'empty value')]))).strict(),
        }),
      )
      .min(1),
  });
}
export type TestsReply = z.infer<ReturnType<typeof testsReply>>;

/** Verdicts on a batch of inputs: one for each id asked about. */
export function validityReply(ids: readonly number[]) {
  return z.object({
    verdicts: z
      .array(z.object({ id: z.number().int(), valid: z.boolean(), reason: z.string() }))
      .superRefine((list, ctx) => {
        const missing = ids.filter((id) => !list.some((v) => v.id === id));
        if (missing.length) ctx.addIssue({ code: 'custom', message: `no verdict for input${missing.length === 1 ? '' : 's'} ${missing.join(', ')}` });
      }),
  });
}
export type ValidityReply = z.infer<ReturnType<typeof validityReply>>;

/** JSON Schema of a reply schema for providers with structured output (every object closed, every key required). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>;
  delete js.$schema;
  return js;
}

/** The first line of a zod error, with the path of the offending value. */
export function shapeProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : 'the reply';
  return `${where}: ${issue.message}`;
}
