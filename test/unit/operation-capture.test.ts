import { describe, expect, it } from "vitest";
import {
  bodySlot,
  type CaptureSource,
  capture,
  describeCapture,
  redactor,
  substitute,
} from "../../agent/http/capture.js";
import { placeholders } from "../../config/operation.js";

const source = (text: string, headers: Record<string, string> = {}): CaptureSource => ({
  headers,
  text: () => text,
});

describe("captures", () => {
  it("takes a JSON path's first match, stringifying non-strings", () => {
    const s = source(JSON.stringify({ data: { token: "t-1", n: 42, list: [{ id: 7 }, { id: 8 }] } }));
    expect(capture({ json_path: "$.data.token" }, s)).toEqual({ value: "t-1" });
    expect(capture({ json_path: "$.data.n" }, s)).toEqual({ value: "42" });
    expect(capture({ json_path: "$.data.list[*].id" }, s)).toEqual({ value: "7" });
    expect(capture({ json_path: "$.data.missing" }, s)).toEqual({ error: "no match in the body" });
    expect(capture({ json_path: "$.x" }, source("<html>"))).toEqual({ error: "the body is not JSON" });
  });

  it("takes a regex's group 1, and a header by any case", () => {
    const s = source('<input type="hidden" name="csrf" value="a+b/c=">', { location: "/home" });
    expect(capture({ regex: 'name="csrf" value="([^"]*)"' }, s)).toEqual({ value: "a+b/c=" });
    expect(capture({ regex: 'name="token" value="([^"]*)"' }, s)).toEqual({ error: "no match in the body" });
    expect(capture({ regex: "(x)?csrf" }, s)).toEqual({ error: "group 1 did not take part in the match" });
    expect(capture({ header: "Location" }, s)).toEqual({ value: "/home" });
    expect(capture({ header: "x-token" }, s)).toEqual({ error: "no such header in the response" });
  });

  it("names a capture for errors", () => {
    expect(describeCapture("csrf", { regex: "v=(\\w+)" })).toBe("capture csrf (regex v=(\\w+))");
    expect(describeCapture("t", { json_path: "$.t" })).toBe("capture t (json_path $.t)");
  });
});

describe("placeholders", () => {
  const vars = new Map([
    ["csrf", 'a+b/c= &"x"'],
    ["next", "https://sso.example/cb?x=1"],
  ]);

  it("lists the names a template uses", () => {
    expect(placeholders("u={{ user }}&c={{csrf}}&n={{next|raw}}&{{not a name}}")).toEqual([
      "user",
      "csrf",
      "next",
    ]);
  });

  it("encodes values for where they land, unless raw", () => {
    expect(substitute("/api?c={{csrf}}", vars, "url")).toBe("/api?c=a%2Bb%2Fc%3D%20%26%22x%22");
    expect(substitute("csrf={{csrf}}", vars, "form")).toBe("csrf=a%2Bb%2Fc%3D%20%26%22x%22");
    expect(substitute('{"csrf":"{{csrf}}"}', vars, "json")).toBe('{"csrf":"a+b/c= &\\"x\\""}');
    expect(JSON.parse(substitute('{"csrf":"{{csrf}}"}', vars, "json"))).toEqual({ csrf: vars.get("csrf") });
    expect(substitute("X {{csrf}}", vars, "verbatim")).toBe('X a+b/c= &"x"');
    expect(substitute("{{next|raw}}", vars, "url")).toBe("https://sso.example/cb?x=1");
    expect(() => substitute("{{nope}}", vars, "url")).toThrow("placeholder {{nope}} has no value");
  });

  it("picks the body slot from the content type", () => {
    expect(bodySlot("application/x-www-form-urlencoded; charset=utf-8")).toBe("form");
    expect(bodySlot("application/json")).toBe("json");
    expect(bodySlot("application/problem+json")).toBe("json");
    expect(bodySlot("text/plain")).toBe("verbatim");
    expect(bodySlot(undefined)).toBe("verbatim");
  });
});

describe("redaction", () => {
  it("hides every encoding of every secret", () => {
    const hide = redactor(['p&ss w"d', "pw"]);
    expect(hide('password=p%26ss%20w%22d, "p&ss w\\"d", p&ss w"d; pw')).toBe('password=***, "***", ***; ***');
    expect(redactor([])("nothing to hide")).toBe("nothing to hide");
  });
});
