// Evaluates a list of assertions (config/assertions.ts) against a response: pure, compiled once per
// list (regexes, lower-cased header names), the body decoded and parsed at most once per evaluation.
import { JSONPath } from "jsonpath-plus";
import type { Assertion, JsonOp } from "../../config/assertions.js";
import { charsetOf, decodeBody, isUtf8 } from "./decode.js";
import { daysLeft, type TlsInfo } from "./tls-info.js";

/** What the assertions look at. */
export interface AssertionSubject {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The whole request chain. */
  durationMs: number;
  tls?: TlsInfo;
  /** Epoch ms, for tls_days_left. */
  now: number;
}

/** The body as text and as JSON, computed on first use. */
class Body {
  private text?: string;
  private json?: { value: unknown } | null;
  private utf8?: boolean;
  constructor(private readonly s: AssertionSubject) {}
  asText(): string {
    this.text ??= decodeBody(this.s.body, this.s.headers["content-type"]);
    return this.text;
  }
  /** A UTF-8 body is searched as bytes (UTF-8 is self-synchronising): no decoding on the hot path. */
  contains(text: string, utf8: Buffer): boolean {
    this.utf8 ??= isUtf8(charsetOf(this.s.body, this.s.headers["content-type"]));
    return this.utf8 && this.text === undefined ? this.s.body.includes(utf8) : this.asText().includes(text);
  }
  asJson(): { value: unknown } | null {
    if (this.json === undefined) {
      try {
        this.json = { value: JSON.parse(this.asText()) };
      } catch {
        this.json = null;
      }
    }
    return this.json;
  }
}

/** undefined when it holds, otherwise what was seen ("got 503"). */
type Test = (s: AssertionSubject, body: Body) => string | undefined;
interface Compiled {
  label: string;
  test: Test;
}

const show = (v: unknown): string => {
  const s = v === undefined ? "nothing" : JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
};

const defaultStatus: Compiled = {
  label: "status (default: 2xx or 3xx)",
  test: (s) => (s.status >= 200 && s.status < 400 ? undefined : `got ${s.status}`),
};

function compile(a: Assertion): Compiled {
  switch (a.type) {
    case "status": {
      const ok = new Set(a.in);
      return {
        label: `status in [${a.in.join(", ")}]`,
        test: (s) => (ok.has(s.status) ? undefined : `got ${s.status}`),
      };
    }
    case "body_contains": {
      const bytes = Buffer.from(a.text);
      return {
        label: `body_contains ${JSON.stringify(a.text)}`,
        test: (s, b) => (b.contains(a.text, bytes) ? undefined : `not found in ${s.body.length} bytes`),
      };
    }
    case "body_not_contains": {
      const bytes = Buffer.from(a.text);
      return {
        label: `body_not_contains ${JSON.stringify(a.text)}`,
        test: (_, b) =>
          b.contains(a.text, bytes) ? `found at character ${b.asText().indexOf(a.text)}` : undefined,
      };
    }
    case "body_regex": {
      const re = new RegExp(a.pattern);
      return {
        label: `body_regex /${a.pattern}/`,
        test: (s, b) => (re.test(b.asText()) ? undefined : `no match in ${s.body.length} bytes`),
      };
    }
    case "json_path": {
      const compare = jsonCompare(a.op, a.value);
      return {
        label: `json_path ${a.path} ${a.op}${a.op === "exists" ? "" : ` ${JSON.stringify(a.value)}`}`,
        test: (_, b) => {
          const json = b.asJson();
          if (json === null) return "got a body that is not JSON";
          // jsonpath-plus returns undefined rather than [] for a null document.
          const matches = JSONPath({ path: a.path, json: json.value as object, wrap: true }) as
            | unknown[]
            | undefined;
          const seen = matches?.[0];
          return compare(seen) ? undefined : `got ${show(seen)}`;
        },
      };
    }
    case "header": {
      const name = a.name.toLowerCase();
      const re = new RegExp(a.matches);
      return {
        label: `header ${name} matches /${a.matches}/`,
        test: (s) => {
          const v = s.headers[name];
          return v !== undefined && re.test(v) ? undefined : `got ${show(v)}`;
        },
      };
    }
    case "max_duration":
      return {
        label: `max_duration ${a.ms} ms`,
        test: (s) => (s.durationMs <= a.ms ? undefined : `got ${Math.round(s.durationMs)} ms`),
      };
    case "tls_days_left":
      return {
        label: `tls_days_left >= ${a.min}`,
        test: (s) => {
          if (s.tls === undefined) return "got nothing (not an https response)";
          const days = daysLeft(s.tls, s.now);
          return days >= a.min ? undefined : `got ${days.toFixed(2)}`;
        },
      };
  }
}

function jsonCompare(op: JsonOp, value: unknown): (seen: unknown) => boolean {
  const num = (v: unknown) =>
    typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  const limit = value as number;
  switch (op) {
    case "exists":
      return (seen) => seen !== undefined;
    case "eq":
      return (seen) => seen === value;
    case "ne":
      return (seen) => seen !== undefined && seen !== value;
    case "lt":
      return (seen) => num(seen) < limit;
    case "le":
      return (seen) => num(seen) <= limit;
    case "gt":
      return (seen) => num(seen) > limit;
    case "ge":
      return (seen) => num(seen) >= limit;
    case "matches": {
      const re = new RegExp(value as string);
      return (seen) =>
        seen !== undefined && seen !== null && typeof seen !== "object" && re.test(String(seen));
    }
  }
}

// Compiled once per assertion list (a config object, alive as long as the check).
const cache = new WeakMap<readonly Assertion[], Compiled[]>();

function compiled(list: readonly Assertion[]): Compiled[] {
  let c = cache.get(list);
  if (c === undefined) {
    c = list.map(compile);
    if (!list.some((a) => a.type === "status")) c.unshift(defaultStatus);
    cache.set(list, c);
  }
  return c;
}

/**
 * The first failing assertion as an operator reads it — `assertion 2 (json_path $.data.ok eq true): got
 * false` — or undefined when all hold. Without a status assertion the final status must be 2xx or 3xx.
 * Pass the same (config) array each time: its compiled form is cached by identity.
 */
export function checkAssertions(list: readonly Assertion[], subject: AssertionSubject): string | undefined {
  const body = new Body(subject);
  const tests = compiled(list);
  const offset = tests[0] === defaultStatus ? 0 : 1;
  for (const [i, t] of tests.entries()) {
    const seen = t.test(subject, body);
    if (seen !== undefined)
      return t === defaultStatus ? `${t.label}: ${seen}` : `assertion ${i + offset} (${t.label}): ${seen}`;
  }
  return undefined;
}
