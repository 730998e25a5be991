// Assertions on an HTTP response, as data: http checks and operation steps list them; the first that
// fails fails the probe, naming itself and the value seen (agent/http/assert.ts evaluates them).
import { z } from "zod";

/** A JavaScript regular expression, checked when the config loads. */
export const Pattern = z.string().superRefine((p, ctx) => {
  try {
    new RegExp(p);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(e as Error).message}` });
  }
});

export const StatusCode = z.number().int().min(100).max(599);

const JsonValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const JsonOp = z.enum(["eq", "ne", "lt", "le", "gt", "ge", "exists", "matches"]);
export type JsonOp = z.infer<typeof JsonOp>;

const JsonPathAssertion = z
  .strictObject({
    type: z.literal("json_path"),
    path: z.string().regex(/^\$/, 'a JSONPath starting with "$", e.g. $.data.ok'),
    op: JsonOp.default("eq"),
    value: JsonValue.optional().describe("compared with the first match; not used by exists"),
  })
  .superRefine((a, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: "custom", path: ["value"], message });
    if (a.op === "exists") {
      if (a.value !== undefined) issue("not used with op exists");
    } else if (a.value === undefined) issue(`required with op ${a.op}`);
    else if (["lt", "le", "gt", "ge"].includes(a.op) && typeof a.value !== "number")
      issue(`a number with op ${a.op}`);
    else if (a.op === "matches") {
      const r = Pattern.safeParse(a.value);
      if (typeof a.value !== "string" || !r.success) issue("a valid regular expression with op matches");
    }
  });

export const Assertion = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("status"),
    in: z.array(StatusCode).min(1).describe("accepted final status codes"),
  }),
  z.strictObject({ type: z.literal("body_contains"), text: z.string().min(1) }),
  z.strictObject({ type: z.literal("body_not_contains"), text: z.string().min(1) }),
  z.strictObject({ type: z.literal("body_regex"), pattern: Pattern }),
  JsonPathAssertion,
  z.strictObject({
    type: z.literal("header"),
    name: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "an HTTP header name"),
    matches: Pattern,
  }),
  z.strictObject({
    type: z.literal("max_duration"),
    ms: z.number().positive().describe("the whole request chain, redirects included"),
  }),
  z.strictObject({
    type: z.literal("tls_days_left"),
    min: z.number().describe("days before the earliest certificate expiry in the chain (https only)"),
  }),
]);
export type Assertion = z.infer<typeof Assertion>;

export const Assertions = z
  .array(Assertion)
  .default([])
  .describe("checked in order; the first failure fails the probe. No status assertion: any 2xx or 3xx");
