// Assertions as data: every type passing and failing, with the exact operator message.
import { describe, expect, it } from "vitest";
import { type AssertionSubject, checkAssertions } from "../../agent/http/assert.js";
import type { TlsInfo } from "../../agent/http/tls-info.js";
import { Assertion } from "../../config/assertions.js";

const now = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
const tls: TlsInfo = {
  version: "TLSv1.3",
  authorized: true,
  hostnameOk: true,
  notAfter: now + 4.5 * DAY,
  notBefore: now - DAY,
  subject: "CN=portal",
  issuer: "CN=CA",
};
const json = JSON.stringify({ data: { ok: true, count: 3, code: "A-17", items: [{ id: 7 }] }, msg: "成功" });
const subject: AssertionSubject = {
  status: 200,
  headers: { "content-type": "application/json; charset=utf-8", "x-app-version": "2.4.1" },
  body: Buffer.from(json),
  durationMs: 1234.5,
  tls,
  now,
};
const bodyBytes = Buffer.byteLength(json);
const run = (a: unknown, s: Partial<AssertionSubject> = {}) =>
  checkAssertions([Assertion.parse(a)], { ...subject, ...s });

describe("assertions", () => {
  it.each([
    [{ type: "status", in: [200, 204] }, undefined],
    [{ type: "status", in: [204] }, "assertion 1 (status in [204]): got 200"],
    [{ type: "body_contains", text: "成功" }, undefined],
    [
      { type: "body_contains", text: "失败" },
      `assertion 1 (body_contains "失败"): not found in ${bodyBytes} bytes`,
    ],
    [{ type: "body_not_contains", text: "失败" }, undefined],
    // {"data":{"ok":true, … — the 10 characters {"data":{" come first, so "ok" starts at index 10.
    [
      { type: "body_not_contains", text: "ok" },
      'assertion 1 (body_not_contains "ok"): found at character 10',
    ],
    [{ type: "body_regex", pattern: "A-\\d+" }, undefined],
    [
      { type: "body_regex", pattern: "B-\\d+" },
      `assertion 1 (body_regex /B-\\d+/): no match in ${bodyBytes} bytes`,
    ],
    [{ type: "json_path", path: "$.data.ok", value: true }, undefined],
    [
      { type: "json_path", path: "$.data.ok", op: "eq", value: false },
      "assertion 1 (json_path $.data.ok eq false): got true",
    ],
    [{ type: "json_path", path: "$.data.code", op: "ne", value: "A-18" }, undefined],
    [
      { type: "json_path", path: "$.data.code", op: "ne", value: "A-17" },
      'assertion 1 (json_path $.data.code ne "A-17"): got "A-17"',
    ],
    [{ type: "json_path", path: "$.data.count", op: "lt", value: 4 }, undefined],
    [
      { type: "json_path", path: "$.data.count", op: "lt", value: 3 },
      "assertion 1 (json_path $.data.count lt 3): got 3",
    ],
    [{ type: "json_path", path: "$.data.count", op: "le", value: 3 }, undefined],
    [
      { type: "json_path", path: "$.data.count", op: "le", value: 2 },
      "assertion 1 (json_path $.data.count le 2): got 3",
    ],
    [{ type: "json_path", path: "$.data.count", op: "gt", value: 2 }, undefined],
    [
      { type: "json_path", path: "$.data.count", op: "gt", value: 3 },
      "assertion 1 (json_path $.data.count gt 3): got 3",
    ],
    [{ type: "json_path", path: "$.data.count", op: "ge", value: 3 }, undefined],
    [
      { type: "json_path", path: "$.data.count", op: "ge", value: 4 },
      "assertion 1 (json_path $.data.count ge 4): got 3",
    ],
    [{ type: "json_path", path: "$.data.items[0].id", op: "exists" }, undefined],
    [
      { type: "json_path", path: "$.data.missing", op: "exists" },
      "assertion 1 (json_path $.data.missing exists): got nothing",
    ],
    [{ type: "json_path", path: "$.data.code", op: "matches", value: "^A-\\d+$" }, undefined],
    [
      { type: "json_path", path: "$.msg", op: "matches", value: "^失败" },
      'assertion 1 (json_path $.msg matches "^失败"): got "成功"',
    ],
    [{ type: "header", name: "X-App-Version", matches: "^2\\." }, undefined],
    [
      { type: "header", name: "X-App-Version", matches: "^3\\." },
      'assertion 1 (header x-app-version matches /^3\\./): got "2.4.1"',
    ],
    [
      { type: "header", name: "X-Missing", matches: "." },
      "assertion 1 (header x-missing matches /./): got nothing",
    ],
    [{ type: "max_duration", ms: 3000 }, undefined],
    // 1234.5 ms rounds to 1235.
    [{ type: "max_duration", ms: 1000 }, "assertion 1 (max_duration 1000 ms): got 1235 ms"],
    [{ type: "tls_days_left", min: 4 }, undefined],
    // notAfter is now + 4.5 days.
    [{ type: "tls_days_left", min: 30 }, "assertion 1 (tls_days_left >= 30): got 4.50"],
  ])("%j → %s", (a, expected) => {
    expect(run(a)).toBe(expected);
  });

  it("says when the body is not JSON or the response not https", () => {
    const notJson = { body: Buffer.from("<html>"), headers: { "content-type": "text/html" } };
    expect(run({ type: "json_path", path: "$.a", op: "exists" }, notJson)).toBe(
      "assertion 1 (json_path $.a exists): got a body that is not JSON",
    );
    expect(run({ type: "tls_days_left", min: 1 }, { tls: undefined })).toBe(
      "assertion 1 (tls_days_left >= 1): got nothing (not an https response)",
    );
  });

  it("checks any 2xx or 3xx by default when no status assertion is given, before the listed ones", () => {
    const list = [Assertion.parse({ type: "body_contains", text: "成功" })];
    expect(checkAssertions(list, subject)).toBeUndefined();
    expect(checkAssertions(list, { ...subject, status: 302 })).toBeUndefined();
    expect(checkAssertions(list, { ...subject, status: 503 })).toBe("status (default: 2xx or 3xx): got 503");
    expect(checkAssertions([], { ...subject, status: 199 })).toBe("status (default: 2xx or 3xx): got 199");
  });

  it("returns the first failure in list order, numbered from 1", () => {
    const list = [
      { type: "status", in: [200] },
      { type: "json_path", path: "$.data.ok", value: true },
      { type: "json_path", path: "$.data.count", value: 5 },
      { type: "body_contains", text: "nope" },
    ].map((a) => Assertion.parse(a));
    expect(checkAssertions(list, subject)).toBe("assertion 3 (json_path $.data.count eq 5): got 3");
    expect(checkAssertions(list, { ...subject, status: 500 })).toBe("assertion 1 (status in [200]): got 500");
  });

  it("decodes GBK bodies for text assertions", () => {
    const gbk = {
      body: Buffer.from("c7f8d5feb8ae", "hex"),
      headers: { "content-type": "text/html; charset=GBK" },
    };
    expect(run({ type: "body_contains", text: "区政府" }, gbk)).toBeUndefined();
  });
});

describe("assertion config", () => {
  const error = (a: unknown) =>
    Assertion.safeParse(a).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);

  it("rejects invalid regexes, missing or mistyped json_path values and unknown types", () => {
    expect(error({ type: "body_regex", pattern: "(" })?.[0]).toMatch(
      /^pattern: not a valid regular expression/,
    );
    expect(error({ type: "json_path", path: "$.a", op: "gt" })).toEqual(["value: required with op gt"]);
    expect(error({ type: "json_path", path: "$.a", op: "gt", value: "3" })).toEqual([
      "value: a number with op gt",
    ]);
    expect(error({ type: "json_path", path: "$.a", op: "exists", value: 1 })).toEqual([
      "value: not used with op exists",
    ]);
    expect(error({ type: "json_path", path: "$.a", op: "matches", value: "[" })).toEqual([
      "value: a valid regular expression with op matches",
    ]);
    expect(error({ type: "json_path", path: "data.ok", value: 1 })).toEqual([
      'path: a JSONPath starting with "$", e.g. $.data.ok',
    ]);
    expect(error({ type: "status", in: [700] })?.[0]).toMatch(/^in\.0: /);
    expect(error({ type: "colour" })?.length).toBe(1);
  });
});
