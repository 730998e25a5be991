// The report's pieces that need no server: the string tables, the committed JSON Schema, times with
// the site offset, CSV cells, and the formatting helpers renderers use.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isoLocal } from "../../server/report/build.js";
import { actual, duration, LANGS, millis, pct, STRINGS, t } from "../../server/report/i18n.js";
import { reportJsonSchema } from "../../server/report/model.js";
import { csv, csvCell } from "../../server/report/render-csv.js";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("report i18n", () => {
  it("has every key in every language, with the same placeholders", () => {
    const keys = new Set(LANGS.flatMap((l) => Object.keys(STRINGS[l])));
    const missing: string[] = [];
    for (const lang of LANGS)
      for (const k of keys) {
        const s = (STRINGS[lang] as Record<string, string | undefined>)[k];
        if (!s?.trim()) missing.push(`${lang}: ${k}`);
      }
    expect(missing).toEqual([]);
    // titleMonth: 2026年11月 takes the month's number, "November 2026" its name (both are always given).
    for (const k of [...keys].filter((k) => k !== "titleMonth"))
      expect(placeholders(STRINGS.en[k as keyof typeof STRINGS.en]), k).toEqual(
        placeholders(STRINGS["zh-CN"][k as keyof typeof STRINGS.en]),
      );
  });

  it("fills placeholders and refuses a missing one", () => {
    expect(t("zh-CN", "title", { unit: "某区", when: "2026年11月" })).toBe(
      "《某区数据中心运维服务月度报告（2026年11月）》",
    );
    expect(() => t("en", "title", { unit: "x" })).toThrow(/needs \{when\}/);
  });

  it("formats truncated percentages, n/a as no data, +Inf as a failed operation", () => {
    expect(pct("zh-CN", 0.99995)).toBe("99.99%");
    expect(pct("zh-CN", null)).toBe("无数据");
    expect(pct("en", null)).toBe("no data");
    expect(millis("en", "+Inf")).toBe("∞ (failed)");
    expect(millis("zh-CN", 3000.2)).toBe("3001 ms");
    expect(actual("en", { unit: "ms", value: "+Inf" })).toBe("∞ (failed)");
    expect(actual("zh-CN", { unit: "ratio", value: 1 })).toBe("100.00%");
    expect(duration(2_678_400)).toBe("31d00h00m00s");
    expect(duration(2_985)).toBe("49m45s");
    expect(duration(0)).toBe("0s");
  });
});

describe("report schema", () => {
  it("docs/report-schema.json is generated from the zod model (opswatch schema --report)", () => {
    const committed = JSON.parse(
      readFileSync(new URL("../../docs/report-schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(reportJsonSchema());
  });
});

describe("report times and CSV", () => {
  it("writes times with the site offset", () => {
    const ms = Date.parse("2026-11-01T00:00:00+08:00");
    expect(isoLocal(ms, "Asia/Shanghai")).toBe("2026-11-01T00:00:00.000+08:00");
    expect(isoLocal(ms, "UTC")).toBe("2026-10-31T16:00:00.000Z");
    expect(isoLocal(ms + 5, "America/New_York")).toBe("2026-10-31T12:00:00.005-04:00");
  });

  it("quotes cells and defuses formulas; files start with a BOM and use CRLF", () => {
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(-1)).toBe("-1");
    expect(csvCell(null)).toBe("");
    expect(csv(["a", "b"], [[1, "x\ny"]])).toBe('\uFEFFa,b\r\n1,"x\ny"\r\n');
  });
});
