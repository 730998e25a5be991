// The monthly report (月度运维报告) through the server: a golden month imported from NDJSON for two
// targets, a maintenance window recorded before it started and one recorded late, two faults reported
// and handled by a person; every figure below is computed by hand, and the JSON, CSV and Markdown
// renderings must carry exactly those numbers. Then an empty month, and the scheduled job.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LANGS } from "../../server/report/i18n.js";
import { ReportModel } from "../../server/report/model.js";
import type { RunningServer } from "../../server/server.js";
import {
  at,
  type Golden,
  importGoldenMonth,
  recordGoldenHistory,
  START,
  startGolden,
} from "./report.fixture.js";

let golden: Golden;
let dir: string;
let reportsDir: string;
let srv: RunningServer;
let hook: Server;
const received: { headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/ready`;
  golden = await startGolden({ reports: { formats: ["json", "md", "csv"], webhook: hookUrl } });
  ({ dir, reportsDir, srv } = golden);
});
afterAll(async () => {
  await srv?.close();
  await new Promise((r) => hook?.close(r));
});

const api = (path: string, init?: RequestInit) => fetch(`${srv.url}${path}`, init);

interface Csv {
  header: string[];
  rows: Record<string, string>[];
}
function parseCsv(bytes: Buffer): Csv {
  // UTF-8 with a BOM (Excel then reads the Chinese right); fetch's text() would hide it.
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString("utf8").trimEnd().split("\r\n");
  const split = (l: string) => l.split(","); // the sections read below hold no quoted commas
  const header = split(lines[0] as string);
  return {
    header,
    rows: lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [header[i], v]))),
  };
}

describe("the monthly report of a golden month", () => {
  let model: ReportModel;

  it("imports the month, records maintenance and faults as they happened", async () => {
    // 8,928 − 11 portal results (gap) + 8,928 − 95 ups results (gap)
    expect(await importGoldenMonth(golden)).toMatchObject({ imported: 8_917 + 8_833, rejected: 0 });
    // The maintenance windows (one planned, one recorded late) and the two faults, as they happened.
    await recordGoldenHistory(golden);
  });

  it("builds the model with the hand-computed figures", async () => {
    const r = await api("/api/v1/reports?month=2026-10&format=json");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/application\/json/);
    model = ReportModel.parse(await r.json()); // the JSON is what the schema says
    expect(model).toMatchObject({
      version: 1,
      empty: false,
      site: { name: "某区政务云", timezone: "Asia/Shanghai" },
      title: { unit: "某区政务云", year: 2026, month: 10 },
      period: {
        from: "2026-10-01T00:00:00.000+08:00",
        to: "2026-11-01T00:00:00.000+08:00",
        fromMs: START,
        complete: true,
        month: "2026-10",
      },
      generatedAt: "2026-11-02T08:00:00.000+08:00",
    });
    const ind = (target: string, id: string) =>
      model.targets.find((t) => t.id === target)?.indicators.find((i) => i.id === id);

    // portal / website_uptime: AST 2,678,400 s; excluded 90 min = 5,400 s; counted 2,673,000 s.
    // Unknown: the 10:00 result of Oct 28 holds 615 s to 10:10:15, nothing until 11:00 → 2,985 s.
    // Down: 09:00–09:35 on Oct 12 = 2,100 s (the Oct 20 spell lies inside the planned window).
    // up = 2,673,000 − 2,985 − 2,100 = 2,667,915; ratio = 2,667,915 / 2,670,015 = 0.999213… → 99.92 %.
    const portal = ind("portal", "website_uptime");
    expect(portal).toMatchObject({
      astSeconds: 2_678_400,
      excludedSeconds: 5_400,
      countedSeconds: 2_673_000,
      unknownSeconds: 2_985,
      downtimeSeconds: 2_100,
      upSeconds: 2_667_915,
      availability: 2_667_915 / 2_670_015,
      coverage: 2_670_015 / 2_673_000,
      lowCoverage: false,
      met: true,
      outageCount: 1,
      longestOutageSeconds: 2_100,
    });
    expect(portal?.outages).toEqual([
      {
        start: "2026-10-12T09:00:00.000+08:00",
        end: "2026-10-12T09:35:00.000+08:00",
        startMs: at("2026-10-12T09:00:00"),
        endMs: at("2026-10-12T09:35:00"),
        rawStart: "2026-10-12T09:00:00.000+08:00",
        rawEnd: "2026-10-12T09:35:00.000+08:00",
        rawStartMs: at("2026-10-12T09:00:00"),
        rawEndMs: at("2026-10-12T09:35:00"),
        seconds: 2_100,
      },
    ]);
    expect(portal?.flaps.map((f) => [f.start, f.failures])).toEqual([["2026-10-03T12:00:00.000+08:00", 1]]);
    // Samples: 8,917 results, 1 + 7 + 6 = 14 failed (the national check ignores our windows).
    expect(portal?.website?.samples).toEqual({ total: 8_917, failed: 14, share: 14 / 8_917 });

    // ups / ups_power_stability: the Oct 15 00:00 result holds 610 s to 00:10:10, nothing until 08:00:
    // unknown 7 h 49 min 50 s = 28,190 s → coverage 2,650,210 / 2,678,400 = 98.94 % < 99 %: flagged.
    // Unpowered 03:00–03:20 on Oct 8 (4 results ≥ confirm 3; first success 03:20) = 1,200 s.
    // ratio = (2,650,210 − 1,200) / 2,650,210 = 2,649,010 / 2,650,210 → 99.95 %, objective 100 %: not met.
    expect(ind("ups", "ups_power_stability")).toMatchObject({
      astSeconds: 2_678_400,
      excludedSeconds: 0,
      unknownSeconds: 28_190,
      downtimeSeconds: 1_200,
      availability: 2_649_010 / 2_650_210,
      coverage: 2_650_210 / 2_678_400,
      lowCoverage: true,
      met: false,
      outageCount: 1,
    });
    // ups / room_power_stability: on battery 22:00–22:45 on Oct 16 (9 results; first success 22:45) = 2,700 s;
    // the unpowered spell had mains (220 V, not on battery): not a room power event.
    // ratio = 2,647,510 / 2,650,210 = 0.998981… → shown 99.89 % (truncated, rounding would say 99.90 %).
    expect(ind("ups", "room_power_stability")).toMatchObject({
      downtimeSeconds: 2_700,
      unknownSeconds: 28_190,
      availability: 2_647_510 / 2_650_210,
      met: false,
    });

    const key = Object.fromEntries(model.indicators.map((i) => [i.id, i]));
    expect(key.website_uptime).toMatchObject({
      value: 2_667_915 / 2_670_015,
      met: true,
      pending: false,
      objective: 0.98,
    });
    expect(key.ups_power_stability).toMatchObject({
      met: false,
      lowCoverage: true,
      coverage: 2_650_210 / 2_678_400,
    });
    expect(key.response_time).toMatchObject({ unit: "ms", value: null, met: null, pending: true });
    expect(key.firewall_stability).toMatchObject({ value: null, pending: true });
    // Faults: response 1 met (P3) + 1 missed (P2) = 50 %; completion 2 met = 100 %.
    expect(key.fault_response_rate).toMatchObject({ value: 0.5, met: false });
    expect(key.fault_completion_rate).toMatchObject({ value: 1, met: true });
    expect(key.inspection_pass_rate).toMatchObject({ value: null, met: null, pending: true });

    // MTTA = (70 + 30) / 2 min = 3,000 s; MTTR = (340 + 110) / 2 min = 13,500 s.
    expect(model.faults).toMatchObject({
      opened: 2,
      response: { met: 1, missed: 1, pending: 0, ratio: 0.5 },
      completion: { met: 2, missed: 0, pending: 0, ratio: 1 },
      mttaSeconds: 3_000,
      mttrSeconds: 13_500,
    });
    expect(model.faults.bySeverity.filter((s) => s.opened)).toEqual([
      {
        severity: "P2",
        opened: 1,
        response: { met: 0, missed: 1, pending: 0, ratio: 0 },
        completion: { met: 1, missed: 0, pending: 0, ratio: 1 },
      },
      {
        severity: "P3",
        opened: 1,
        response: { met: 1, missed: 0, pending: 0, ratio: 1 },
        completion: { met: 1, missed: 0, pending: 0, ratio: 1 },
      },
    ]);
    const [ups, web] = model.faults.list;
    expect(ups).toMatchObject({
      target: "ups",
      targetName: "1号UPS",
      respondBy: "2026-10-08T03:50:00.000+08:00",
      response: "missed",
      completion: "met",
      acknowledgedBy: "alice",
    });
    expect(web?.timeline.map((e) => [e.type, e.at.slice(11, 16), e.actor, e.note])).toEqual([
      ["opened", "09:10", "bob", null],
      ["acknowledged", "09:40", "alice", "重启Web服务"],
      ["resolved", "11:00", "alice", "已恢复"],
    ]);

    // Events from the outages of the power indicators.
    expect(model.events.ups.map((e) => [e.kind, e.start, e.end, e.seconds])).toEqual([
      ["load_unpowered", "2026-10-08T03:00:00.000+08:00", "2026-10-08T03:20:00.000+08:00", 1_200],
      ["mains_abnormal", "2026-10-16T22:00:00.000+08:00", "2026-10-16T22:45:00.000+08:00", 2_700],
    ]);
    expect(model.events.firewall).toEqual([]);

    // Maintenance: both windows, who approved, what each excluded (the late one nothing).
    expect(
      model.maintenance.map((w) => [
        w.reason,
        w.approvedBy,
        w.createdBy,
        w.occurrences.map((o) => [o.planned, o.late, o.excludedSeconds]),
      ]),
    ).toEqual([
      ["系统升级", "张主任", "alice", [[true, false, 5_400]]],
      ["补录", "张主任", "alice", [[false, true, 0]]],
    ]);
    expect(model.coverage.filter((c) => c.lowCoverage).map((c) => [c.target, c.indicator])).toEqual([
      ["ups", "ups_power_stability"],
      ["ups", "room_power_stability"],
    ]);
    expect(model.inspections).toMatchObject({ scheduled: 0, ratio: null, runs: [] });
    // Parameters enough to recompute: confirm and hold per check, objectives, calendar coverage.
    expect(model.parameters.checks).toContainEqual({
      target: "portal",
      indicator: "website_uptime",
      via: "ok",
      combine: "worst",
      check: "home",
      confirm: 2,
      holdSeconds: 615,
    });
    expect(model.parameters.indicators.website_uptime).toMatchObject({ objective: 0.98, unknown: "exclude" });
    expect(model.parameters.calendar.years).toEqual([{ year: 2026, covered: true }]);
  });

  it("carries the same numbers in CSV", async () => {
    const get = async (section: string) => {
      const r = await api(`/api/v1/reports?month=2026-10&format=csv&section=${section}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/text\/csv/);
      return parseCsv(Buffer.from(await r.arrayBuffer()));
    };
    const key = await get("indicators");
    const web = key.rows.find((r) => r.indicator === "website_uptime");
    expect(web).toMatchObject({
      name: "网站正常运行率",
      value: String(2_667_915 / 2_670_015),
      value_display: "99.92%",
      met: "true",
      met_display: "达标",
    });
    expect(key.rows.find((r) => r.indicator === "room_power_stability")).toMatchObject({
      value_display: "99.89%",
      met_display: "未达标",
    });
    expect(key.rows.find((r) => r.indicator === "response_time")).toMatchObject({
      value: "",
      met: "",
      met_display: "待定",
      pending: "true",
    });
    const targets = await get("targets");
    expect(targets.rows.find((r) => r.target === "portal")).toMatchObject({
      availability: String(2_667_915 / 2_670_015),
      ast_seconds: "2678400",
      excluded_seconds: "5400",
      downtime_seconds: "2100",
      unknown_seconds: "2985",
      outage_count: "1",
    });
    const outages = await get("outages");
    expect(outages.rows.map((r) => [r.target, r.indicator, r.start, r.seconds])).toEqual([
      ["portal", "website_uptime", "2026-10-12T09:00:00.000+08:00", "2100"],
      ["ups", "ups_power_stability", "2026-10-08T03:00:00.000+08:00", "1200"],
      ["ups", "room_power_stability", "2026-10-16T22:00:00.000+08:00", "2700"],
    ]);
    const sev = await get("fault-severities");
    expect(sev.rows.find((r) => r.severity === "P2")).toMatchObject({
      opened: "1",
      response_missed: "1",
      completion_met: "1",
    });
    expect((await api("/api/v1/reports?month=2026-10&format=csv&section=nope")).status).toBe(400);
  });

  it("renders Markdown in both languages with truncated percentages and verdicts", async () => {
    const zh = await (await api("/api/v1/reports?month=2026-10&format=md&lang=zh-CN")).text();
    expect(zh).toContain("# 《某区政务云数据中心运维服务月度报告（2026年10月）》");
    for (const s of [
      "## 1. 关键指标",
      "## 2. 系统可用率",
      "## 3. 故障统计",
      "## 4. 巡检情况",
      "## 5. 机房动力与网络安全设备",
      "## 6. 计划维护",
      "## 7. 数据覆盖",
      "## 8. 计算方法",
    ])
      expect(zh).toContain(s);
    expect(zh).toMatch(/\| 网站正常运行率 \| ≥ 98\.00% \| 99\.92% \| 达标 \|/);
    expect(zh).toMatch(/\| 机房用电稳定性 \| ≥ 100\.00% \| 99\.89% \| 未达标 \|/);
    expect(zh).not.toContain("99.90%"); // truncated, never rounded
    expect(zh).toMatch(/\| 系统故障响应率 \| ≥ 100\.00% \| 50\.00% \| 未达标 \|/);
    expect(zh).toMatch(/\| 系统日常巡检达标率 \| ≥ 100\.00% \| 无数据 \| 待定 \|/);
    expect(zh).toContain("事后登记（不排除）");
    expect(zh).toContain("重启Web服务");
    const en = await (await api("/api/v1/reports?month=2026-10&format=md&lang=en")).text();
    expect(en).toContain("# 某区政务云 Data Center Operations Monthly Report (October 2026)");
    expect(en).toMatch(/\| Website uptime \| ≥ 98\.00% \| 99\.92% \| met \|/);
    expect(en).toContain("## 8. Method and parameters");
    expect((await api("/api/v1/reports?month=2026-10&format=md&lang=fr")).status).toBe(400);
    // Every language renders every format without a missing key.
    for (const lang of LANGS)
      for (const format of ["json", "md", "csv"])
        expect((await api(`/api/v1/reports?month=2026-10&format=${format}&lang=${lang}`)).status).toBe(200);
  });

  it("says no data for an empty month, never 100 %", async () => {
    const sept = ReportModel.parse(await (await api("/api/v1/reports?month=2026-09")).json());
    expect(sept.empty).toBe(true);
    expect(sept.indicators.every((i) => i.value === null && i.met === null && i.pending)).toBe(true);
    for (const [lang, noData, pending] of [
      ["zh-CN", "无数据", "待定"],
      ["en", "no data", "pending"],
    ] as const) {
      const md = await (await api(`/api/v1/reports?month=2026-09&format=md&lang=${lang}`)).text();
      expect(md).toContain(noData);
      const rows = md
        .split("\n")
        .filter((l) =>
          /^\| (网站|UPS|机房|系统|云平台|Website|UPS|Machine|Cloud|Fault|Daily|Response)/.test(l),
        );
      expect(rows.length).toBeGreaterThanOrEqual(8);
      for (const row of rows.slice(0, 8)) {
        const cells = row.split(" | ");
        expect(cells[2]).toBe(noData); // actual
        expect(cells[3]).toBe(pending); // met
      }
    }
  });

  it("the scheduled job writes the files and tells the webhook", async () => {
    const run = await srv.reports.runFor("2026-10");
    expect(run.webhook).toEqual({ ok: true, status: 204 });
    const names = readdirSync(reportsDir).sort();
    expect(names).toEqual([
      "opswatch-report-2026-10-csv",
      "opswatch-report-2026-10.json",
      "opswatch-report-2026-10.md",
    ]);
    const json = ReportModel.parse(
      JSON.parse(readFileSync(join(reportsDir, "opswatch-report-2026-10.json"), "utf8")),
    );
    expect(json.targets).toEqual(model.targets); // the same figures as the API's
    expect(readFileSync(join(reportsDir, "opswatch-report-2026-10.md"), "utf8")).toContain("99.89%");
    expect(readdirSync(join(reportsDir, "opswatch-report-2026-10-csv")).sort()).toContain("indicators.csv");
    expect(received).toHaveLength(1);
    const msg = JSON.parse(received[0]?.body ?? "{}");
    expect(msg).toMatchObject({
      type: "report.ready",
      version: 1,
      site: "某区政务云",
      month: "2026-10",
      empty: false,
    });
    expect(msg.files).toContain(join(reportsDir, "opswatch-report-2026-10.json"));
    expect(msg.indicators).toContainEqual({ id: "fault_response_rate", value: 0.5, met: false });
  });

  it("opswatch report (the built CLI) writes Markdown, JSON and a CSV directory from the API", async () => {
    const CLI = fileURLToPath(new URL("../../dist/cli/opswatch.js", import.meta.url));
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [CLI, "report", "--server", srv.url, ...args], {
        env: { ...process.env, OPSWATCH_TOKEN: "" },
      });
    const md = await run("--month", "2026-10", "--format", "md", "--lang", "en");
    expect(md.stdout).toMatch(/\| Machine-room power stability \| ≥ 100\.00% \| 99\.89% \| not met \|/);
    expect(md.stderr).toBe(""); // progress only on a terminal
    const out = join(dir, "cli");
    await run("--month", "2026-10", "--format", "csv", "--out", out);
    expect(readdirSync(out)).toContain("indicators.csv");
    expect(readFileSync(join(out, "targets.csv"), "utf8")).toContain(String(2_667_915 / 2_670_015));
    const file = join(dir, "cli.json");
    await run("--month", "2026-10", "--format", "json", "--out", file);
    expect(ReportModel.parse(JSON.parse(readFileSync(file, "utf8"))).targets).toEqual(model.targets);
    await expect(run("--month", "2026-10", "--format", "csv")).rejects.toMatchObject({
      stderr: expect.stringMatching(/^error: --format csv writes one file per section: give --out DIR/),
    });
  });
});
