// Values an operation step takes from its response (a JSON path, a regex's group 1, a header) and the
// `{{name}}` placeholders that put them — and the operation's secrets — into later requests.
import { JSONPath } from "jsonpath-plus";
import { type Capture as CaptureSpec, PLACEHOLDER } from "../../config/operation.js";

/** What a capture reads: the response headers (lower-case names) and its body decoded as text. */
export interface CaptureSource {
  headers: Record<string, string>;
  text(): string;
}

/** `capture csrf (regex name="csrf" value="([^"]+)")`: how errors name a capture. */
export function describeCapture(name: string, spec: CaptureSpec): string {
  if ("json_path" in spec) return `capture ${name} (json_path ${spec.json_path})`;
  if ("regex" in spec) return `capture ${name} (regex ${spec.regex})`;
  return `capture ${name} (header ${spec.header})`;
}

/** The captured value, or an error in operator words ("no match in the body") without the body itself. */
export function capture(spec: CaptureSpec, source: CaptureSource): { value: string } | { error: string } {
  if ("header" in spec) {
    const value = source.headers[spec.header.toLowerCase()];
    return value === undefined ? { error: "no such header in the response" } : { value };
  }
  if ("regex" in spec) {
    const m = new RegExp(spec.regex).exec(source.text());
    if (m === null) return { error: "no match in the body" };
    return m[1] === undefined ? { error: "group 1 did not take part in the match" } : { value: m[1] };
  }
  let json: unknown;
  try {
    json = JSON.parse(source.text());
  } catch {
    return { error: "the body is not JSON" };
  }
  const [first] = JSONPath({
    path: spec.json_path,
    json: json as object,
    wrap: true,
    eval: "safe",
  }) as unknown[];
  if (first === undefined) return { error: "no match in the body" };
  return { value: typeof first === "string" ? first : JSON.stringify(first) };
}

/** How a placeholder's value is written where it lands. */
export type Slot = "url" | "form" | "json" | "verbatim";

/**
 * The body's slot from its content type: form bodies get percent-encoding, JSON bodies string escaping
 * (the placeholder goes inside quotes: `{"csrf": "{{csrf}}"}`), anything else the value as it is.
 */
export function bodySlot(contentType: string | undefined): Slot {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/x-www-form-urlencoded") return "form";
  if (type === "application/json" || type.endsWith("+json")) return "json";
  return "verbatim";
}

const encoders: Record<Slot, (v: string) => string> = {
  url: encodeURIComponent,
  form: encodeURIComponent,
  json: (v) => JSON.stringify(v).slice(1, -1),
  verbatim: (v) => v,
};

/** Replaces every placeholder with its value, encoded for `slot` unless marked `{{name|raw}}`. */
export function substitute(template: string, vars: ReadonlyMap<string, string>, slot: Slot): string {
  return template.replace(PLACEHOLDER, (_, name: string, raw?: string) => {
    const value = vars.get(name);
    // The config rejects placeholders no earlier step captures, so this is a bug, not an operator error.
    if (value === undefined) throw new Error(`placeholder {{${name}}} has no value`);
    return raw ? value : encoders[slot](value);
  });
}

/**
 * Hides secrets in text an operator sees (errors may quote a body or URL that echoes one): each secret,
 * in every encoding a placeholder may have given it, becomes `***`.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const forms = [
    ...new Set(secrets.flatMap((s) => Object.values(encoders).map((encode) => encode(s)))),
  ].filter((f) => f.length > 0);
  // Longest first, so a secret that contains another is hidden whole.
  forms.sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((t, f) => t.replaceAll(f, "***"), text);
}
