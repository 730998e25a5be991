// The monthly report as an Excel workbook, read back with exceljs: the golden month (report.fixture.ts)
// through the API and the CLI. Every sheet present; key indicators carry the model's figures as a
// truncated percent cell plus the exact ratio; 未达标 rows red; frozen headers; A4 landscape.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReportModel } from "../../server/report/model.js";
import { sheetName, truncatedRatio } from "../../server/report/render-xlsx.js";
import { type Golden, goldenServer } from "./report.fixture.js";

let g: Golden;
let model: ReportModel;
beforeAll(async () => {
  g = await goldenServer();
  model = ReportModel.parse(await (await g.api("/api/v1/reports?month=2026-10&format=json")).json());
});
afterAll(async () => {
  await g?.srv.close();
});

async function workbook(bytes: ArrayBuffer | Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as ArrayBuffer);
  return wb;
}

/** The data rows under the header (row 3) of a sheet's first table, keyed by header text. */
function rows(ws: ExcelJS.Worksheet): Record<string, ExcelJS.Cell>[] {
  const header = (ws.getRow(3).values as unknown[]).slice(1).map(String);
  const out: Record<string, ExcelJS.Cell>[] = [];
  for (let r = 4; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    if (!row.hasValues) break;
    out.push(Object.fromEntries(header.map((h, i) => [h, row.getCell(i + 1)])));
  }
  return out;
}

const fillOf = (c: ExcelJS.Cell | undefined) =>
  c?.fill?.type === "pattern" ? (c.fill.fgColor?.argb ?? null) : null;

describe("the report as xlsx", () => {
  let wb: ExcelJS.Workbook;

  it("is served as an attachment with the spreadsheet type", async () => {
    const r = await g.api("/api/v1/reports?month=2026-10&format=xlsx&lang=zh-CN");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(r.headers.get("content-disposition")).toBe('attachment; filename="opswatch-report-2026-10.xlsx"');
    wb = await workbook(await r.arrayBuffer());
  });

  it("has one sheet per section, named within Excel's limits, each with the title, a frozen header and A4 landscape", () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "1. 关键指标",
      "2. 系统可用率",
      "3. 故障统计",
      "4. 巡检情况",
      "5. 机房动力与网络安全设备",
      "6. 计划维护",
      "7. 数据覆盖",
      "8. 计算方法",
    ]);
    for (const ws of wb.worksheets) {
      expect(ws.name.length).toBeLessThanOrEqual(31);
      expect(ws.getCell("A1").value).toBe("《某区政务云数据中心运维服务月度报告（2026年10月）》");
      expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 3 });
      expect(ws.pageSetup).toMatchObject({
        paperSize: 9,
        orientation: "landscape",
        fitToPage: true,
        fitToWidth: 1,
      });
      const h = ws.getCell("A3");
      expect(h.font?.bold).toBe(true);
      expect(fillOf(h)).toBe("FF1F4E79");
      expect(h.border?.bottom?.style).toBe("thin");
      expect(ws.getColumn(1).width).toBeGreaterThan(0);
    }
    expect(sheetName(`${"x".repeat(40)}[a]:b`)).toHaveLength(31);
    expect(sheetName("a/b?c*d:[e]\\")).not.toMatch(/[[\]:*?/\\]/);
  });

  it("key indicators: the truncated percent, the exact ratio, the verdict — as in the model and the CSV", async () => {
    const key = rows(wb.getWorksheet("1. 关键指标") as ExcelJS.Worksheet);
    expect(key).toHaveLength(model.indicators.length);
    const csvText = Buffer.from(await (await g.api("/api/v1/reports?month=2026-10&format=csv")).arrayBuffer())
      .subarray(3)
      .toString("utf8");
    const [head, ...lines] = csvText.trimEnd().split("\r\n");
    const cols = (head as string).split(",");
    const csv = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v])));
    for (const [n, i] of model.indicators.entries()) {
      const row = key[n] as Record<string, ExcelJS.Cell>;
      const c = csv.find((r) => r.indicator === i.id) as Record<string, string>;
      expect(row.指标?.value).toBe(c.name);
      expect(row.是否达标?.value).toBe(c.met_display);
      if (i.unit === "ratio" && typeof i.value === "number") {
        expect(row.实际值?.value).toBe(truncatedRatio(i.value));
        expect(row.实际值?.numFmt).toBe("0.00%");
        expect(row.精确值?.value).toBe(i.value);
        expect(String(i.value)).toBe(c.value);
        // what Excel shows (0.00% of the truncated value) is the CSV's display text
        const shown = `${((row.实际值?.value as number) * 100).toFixed(2)}%`;
        expect(shown).toBe(c.value_display);
      } else {
        expect(row.实际值?.value).toBe(c.value_display); // 无数据, never a number
        expect(row.精确值?.value ?? null).toBe(null);
      }
    }
    const by = (id: string) =>
      key[model.indicators.findIndex((i) => i.id === id)] as Record<string, ExcelJS.Cell>;
    // 2,667,915 / 2,670,015 → 99.92 %; 2,647,510 / 2,650,210 = 0.998981… → 99.89 %, not 99.90 %
    expect(by("website_uptime").实际值?.value).toBe(0.9992);
    expect(by("room_power_stability").实际值?.value).toBe(0.9989);
    expect(by("room_power_stability").精确值?.value).toBe(2_647_510 / 2_650_210);
    expect(by("fault_response_rate").实际值?.value).toBe(0.5);
    // 未达标: the row red, the met row not; 待定 for no data
    expect(fillOf(by("room_power_stability").是否达标)).toBe("FFFFC7CE");
    expect(fillOf(by("room_power_stability").实际值)).toBe("FFFFC7CE");
    expect(by("room_power_stability").是否达标?.value).toBe("未达标");
    expect(fillOf(by("website_uptime").是否达标)).toBeNull();
    expect(by("inspection_pass_rate").是否达标?.value).toBe("待定");
    expect(by("inspection_pass_rate").实际值?.value).toBe("无数据");
  });

  it("truncates, never rounds: 99.995 % is stored as 0.9999", () => {
    expect(truncatedRatio(0.99995)).toBe(0.9999);
    expect(truncatedRatio(0.29)).toBe(0.29); // no float error from × 10,000
    expect(truncatedRatio(1)).toBe(1);
    expect(truncatedRatio(0)).toBe(0);
  });

  it("carries the other sections: targets, faults with their timeline, events, maintenance, coverage, parameters", () => {
    const targets = rows(wb.getWorksheet("2. 系统可用率") as ExcelJS.Worksheet);
    const portal = targets.find((r) => r.对象编号?.value === "portal") as Record<string, ExcelJS.Cell>;
    expect(portal.实际值?.value).toBe(0.9992);
    expect(portal.精确值?.value).toBe(2_667_915 / 2_670_015);
    expect(portal["约定服务时间（秒）"]?.value).toBe(2_678_400);
    expect(portal["中断时长（秒）"]?.value).toBe(2_100);
    const ups = targets.find((r) => r.对象编号?.value === "ups") as Record<string, ExcelJS.Cell>;
    expect(fillOf(ups.是否达标)).toBe("FFFFC7CE");

    const faults = rows(wb.getWorksheet("3. 故障统计") as ExcelJS.Worksheet);
    expect(faults.map((r) => [r.事件?.value, r.时间?.value, r.说明?.value])).toContainEqual([
      "响应",
      "2026-10-12 09:40:00",
      "重启Web服务",
    ]);
    expect(faults.filter((r) => r.故障?.value === "UPS输出中断")[0]?.响应结果?.value).toBe("超时");

    const events = rows(wb.getWorksheet("5. 机房动力与网络安全设备") as ExcelJS.Worksheet);
    expect(events.map((r) => [r.开始?.value, r["时长（秒）"]?.value])).toEqual([
      ["2026-10-08 03:00:00", 1_200],
      ["2026-10-16 22:00:00", 2_700],
    ]);
    const maint = rows(wb.getWorksheet("6. 计划维护") as ExcelJS.Worksheet);
    expect(maint.map((r) => [r.原因?.value, r["维护排除（秒）"]?.value])).toEqual([
      ["系统升级", 5_400],
      ["补录", 0],
    ]);
    const cov = rows(wb.getWorksheet("7. 数据覆盖") as ExcelJS.Worksheet);
    const low = cov.find((r) => r.指标?.value === "UPS供电稳定性") as Record<string, ExcelJS.Cell>;
    expect(low.覆盖率?.value).toBe(0.9894); // 2,650,210 / 2,678,400 = 98.947… → 98.94 %
    expect(low.精确值?.value).toBe(2_650_210 / 2_678_400);
    const params = rows(wb.getWorksheet("8. 计算方法") as ExcelJS.Worksheet);
    expect(params.map((r) => r.参数?.value)).toContain("timezone");
  });

  it("renders in English too", async () => {
    const r = await g.api("/api/v1/reports?month=2026-10&format=xlsx&lang=en");
    const en = await workbook(await r.arrayBuffer());
    expect(en.worksheets.map((w) => w.name)).toContain("8. Method and parameters");
    expect(rows(en.worksheets[0] as ExcelJS.Worksheet).map((r) => r.Met?.value)).toContain("not met");
  });

  it("opswatch report --format xlsx --out FILE (the built CLI) writes the same workbook", async () => {
    const CLI = fileURLToPath(new URL("../../dist/cli/opswatch.js", import.meta.url));
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [CLI, "report", "--server", g.srv.url, ...args], {
        env: { ...process.env, OPSWATCH_TOKEN: "" },
      });
    const file = join(g.dir, "cli.xlsx");
    await run("--month", "2026-10", "--format", "xlsx", "--out", file);
    const cli = await workbook(readFileSync(file));
    expect(rows(cli.worksheets[0] as ExcelJS.Worksheet).map((r) => r.实际值?.value)).toEqual(
      rows(wb.worksheets[0] as ExcelJS.Worksheet).map((r) => r.实际值?.value),
    );
    await expect(run("--month", "2026-10", "--format", "xlsx")).rejects.toMatchObject({
      stderr: expect.stringMatching(/--format xlsx is a binary file: give --out FILE/),
    });
  });
});
