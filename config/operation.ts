// A multi-step operation (kind: operation): HTTP steps in order sharing a cookie jar; what a step
// captures (and the operation's secrets) fills `{{name}}` placeholders of the steps after it.
import { z } from "zod";
import { Assertions, Pattern } from "./assertions.js";
import { Duration } from "./duration.js";
import { HttpAuth, HttpHeaders, HttpMethod, HttpProxy, HttpTls, IpFamily } from "./http.js";
import { NameSegment } from "./profile.js";
import { Secret } from "./secrets.js";

/** `{{name}}`, or `{{name|raw}}` for the value as it is (agent/http/capture.ts encodes the others). */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\|\s*raw\s*)?\}\}/g;

/** The placeholder names a template uses, in order of appearance. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

const VarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "letters, digits and '_', not starting with a digit (used as {{name}})");

/** Whether a regex has a group 1 (an empty alternative makes it match "", showing its groups). */
const hasGroup = (p: string) => (new RegExp(`${p}|`).exec("")?.length ?? 0) > 1;

export const Capture = z.union(
  [
    z.strictObject({ json_path: z.string().regex(/^\$/, 'a JSONPath starting with "$"') }),
    z.strictObject({
      regex: Pattern.refine(hasGroup, "needs a group ( … ): the value is group 1"),
    }),
    z.strictObject({ header: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "an HTTP header name") }),
  ],
  { error: "{ json_path: $.… } (first match), { regex: … } (group 1) or { header: NAME }" },
);
export type Capture = z.infer<typeof Capture>;

/** An http(s) URL once its placeholders are filled. */
const UrlTemplate = z
  .string()
  .refine(
    (s) => z.url({ protocol: /^https?$/ }).safeParse(s.replace(PLACEHOLDER, "x")).success,
    "an http:// or https:// URL ({{name}} placeholders allowed)",
  );

const Step = z.strictObject({
  // Part of value names (op.<id>.status), which stay within 64 characters.
  id: NameSegment.max(50).describe("lower-case letters, digits, '_': values op.<id>.ms and op.<id>.status"),
  url: UrlTemplate.describe("placeholders are percent-encoded ({{name|raw}}: as they are)"),
  method: HttpMethod.default("GET"),
  headers: HttpHeaders.describe("placeholders inserted as they are"),
  body: z
    .string()
    .optional()
    .describe(
      "placeholders percent-encoded in a form (the default content type), JSON-escaped in a JSON body: put them inside quotes",
    ),
  auth: HttpAuth.optional(),
  assertions: Assertions,
  capture: z
    .record(VarName, Capture)
    .default({})
    .describe("values for later steps' {{name}}: { json_path }, { regex } (group 1) or { header }"),
  max_redirects: z.number().int().min(0).max(20).optional().describe("default the operation's max_redirects"),
});
export type OperationStep = z.infer<typeof Step>;

/** The operation's own keys; config/schema.ts adds the common check keys. */
export const OperationFields = {
  timeout: Duration.prefault("30s").describe("the whole operation, every step included"),
  kind: z.literal("operation"),
  steps: z.array(Step).min(1).max(50),
  secrets: z.record(VarName, Secret).default({}).describe(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the ${ENV_VAR} syntax
    "{{name}} values from ${ENV_VAR} or file:PATH (e.g. a password); never shown in errors or values",
  ),
  proxy: HttpProxy.optional(),
  ip: IpFamily.optional(),
  tls: HttpTls,
  max_redirects: z.number().int().min(0).max(20).default(5).describe("per step"),
  max_body_bytes: z
    .number()
    .int()
    .min(1)
    .max(256 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .describe("per response: body bytes kept for assertions and captures; the rest is read and discarded"),
};

/** Step ids are unique, and every placeholder is a secret or captured by an earlier step. */
export function checkOperation(
  op: { steps: OperationStep[]; secrets: Record<string, string> },
  ctx: z.RefinementCtx,
): void {
  const known = new Set(Object.keys(op.secrets));
  const ids = new Set<string>();
  for (const [i, step] of op.steps.entries()) {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path: ["steps", i, ...path], message });
    if (ids.has(step.id)) issue(["id"], `step id ${step.id} is used twice`);
    ids.add(step.id);
    const templates: [(string | number)[], string | undefined][] = [
      [["url"], step.url],
      [["body"], step.body],
      ...Object.entries(step.headers).map(([k, v]): [string[], string] => [["headers", k], v]),
    ];
    for (const [path, template] of templates)
      for (const name of placeholders(template ?? ""))
        if (!known.has(name)) issue(path, `{{${name}}} is neither a secret nor captured by an earlier step`);
    for (const name of Object.keys(step.capture)) {
      if (name in op.secrets) issue(["capture", name], `${name} is the name of a secret`);
      known.add(name);
    }
  }
}
