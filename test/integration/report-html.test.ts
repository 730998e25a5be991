// The monthly report as one self-contained HTML document, opened in headless Chromium: the golden month
// (report.fixture.ts, figures computed by hand in report.test.ts) must show the same truncated
// percentages and verdicts, draw a daily bar chart per target-indicator from the model's daily ratios,
// print to a sane number of A4 landscape pages, and keep a target name full of markup as text.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LANGS, STRINGS } from "../../server/report/i18n.js";
import { ReportModel } from "../../server/report/model.js";
import { renderHtml } from "../../server/report/render-html.js";
import { peerPath, requirePeer } from "../peers/require-peer.js";
import { type Golden, goldenServer } from "./report.fixture.js";

const hasChromium = requirePeer("chromium", "chromium");
const RESULTS = fileURLToPath(new URL("../../test-results/", import.meta.url));
/** Markup in a target name (names come from the config, notes from people): it must stay text. */
const EVIL = `门户网站 <script>window.__xss=1</script><img src=x onerror="window.__xss=2"> & "co'`;
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let golden: Golden;
let model: ReportModel;
let browser: Browser | undefined;

beforeAll(async () => {
  golden = await goldenServer({ portalName: EVIL });
  model = ReportModel.parse(await (await golden.api("/api/v1/reports?month=2026-10&format=json")).json());
  if (hasChromium)
    browser = await chromium.launch({ executablePath: peerPath("chromium"), headless: true, args: FLAGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await golden?.srv.close();
});

/** A page holding the document; console errors, page errors and any network request are collected. */
async function open(html: string, viewport = { width: 1280, height: 900 }) {
  const page = (await browser?.newPage({ viewport })) as Page;
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => {
    if (!r.url().startsWith("data:") && r.url() !== "about:blank") requests.push(r.url());
  });
  await page.setContent(html, { waitUntil: "load" });
  return { page, errors, requests };
}

describe("daily ratios in the model", () => {
  it("are computed per local day from the same timeline as the period figure", () => {
    const daily = (target: string, id: string) =>
      model.targets.find((t) => t.id === target)?.indicators.find((i) => i.id === id)?.daily ?? [];
    const portal = daily("portal", "website_uptime");
    expect(portal).toHaveLength(31);
    expect(portal[0]?.date).toBe("2026-10-01");
    expect(portal[30]?.date).toBe("2026-10-31");
    const on = (d: typeof portal, date: string) => d.find((x) => x.date === date)?.ratio;
    // Oct 12: DOWN 09:00–09:35 = 2,100 s of 86,400; Oct 20: the failures lie inside the planned window;
    // Oct 28: the gap is unknown, excluded; Oct 3: a lone failure is a flap, not downtime.
    expect(on(portal, "2026-10-12")).toBe(84_300 / 86_400);
    expect(on(portal, "2026-10-20")).toBe(1);
    expect(on(portal, "2026-10-28")).toBe(1);
    expect(on(portal, "2026-10-03")).toBe(1);
    expect(portal.filter((d) => d.ratio !== 1).map((d) => d.date)).toEqual(["2026-10-12"]);
    const ups = daily("ups", "ups_power_stability");
    expect(on(ups, "2026-10-08")).toBe(85_200 / 86_400); // unpowered 03:00–03:20
    expect(on(ups, "2026-10-15")).toBe(1); // 7 h 49 min 50 s unknown, the rest up
    expect(on(daily("ups", "room_power_stability"), "2026-10-16")).toBe(83_700 / 86_400); // on battery 45 min
  });
});

describe.skipIf(!hasChromium)("the HTML report in headless Chromium", () => {
  it("is served by the API as text/html, the same document the renderer gives", async () => {
    const r = await golden.api("/api/v1/reports?month=2026-10&format=html&lang=zh-CN");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await r.text()).toBe(renderHtml(model, "zh-CN"));
  });

  it("shows the hand-computed key indicators, the charts, and prints to a few A4 pages", async () => {
    const html = renderHtml(model, "zh-CN");
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // self-contained: no external URL
    const { page, errors, requests } = await open(html);
    expect(await page.title()).toBe("《某区政务云数据中心运维服务月度报告（2026年10月）》");
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");

    // (Page code as strings: the project's TypeScript has no DOM lib.)
    const rows: { id: string; cells: string[]; bg: string }[] = await page.evaluate(`
      [...document.querySelectorAll("table.key tbody tr")].map((tr) => ({
        id: tr.dataset.indicator,
        cells: [...tr.cells].map((c) => c.textContent),
        bg: getComputedStyle(tr.cells[3]).backgroundColor,
      }))`);
    const row = (id: string) => rows.find((r) => r.id === id);
    expect(rows).toHaveLength(8);
    expect(row("website_uptime")?.cells).toEqual(["网站正常运行率", "≥ 98.00%", "99.92%", "达标", "99.88%"]);
    // 0.998981… is shown 99.89 %: truncated, never rounded up to 99.90 %.
    expect(row("room_power_stability")?.cells.slice(0, 4)).toEqual([
      "机房用电稳定性",
      "≥ 100.00%",
      "99.89%",
      "未达标",
    ]);
    expect(row("ups_power_stability")?.cells.slice(2, 5)).toEqual(["99.95%", "未达标", "98.94% ⚠"]);
    expect(row("fault_response_rate")?.cells.slice(2, 4)).toEqual(["50.00%", "未达标"]);
    expect(row("fault_completion_rate")?.cells.slice(2, 4)).toEqual(["100.00%", "达标"]);
    expect(row("inspection_pass_rate")?.cells.slice(2, 4)).toEqual(["无数据", "待定"]);
    expect(row("response_time")?.cells.slice(2, 4)).toEqual(["无数据", "待定"]);
    expect(row("room_power_stability")?.bg).toBe("rgb(198, 40, 40)"); // not met: red
    expect(row("website_uptime")?.bg).not.toBe("rgb(198, 40, 40)");
    expect(await page.locator("body").textContent()).not.toContain("99.90%");

    // The 8 sections under the titles of i18n.ts.
    const h2 = await page.$$eval("h2", (hs) => hs.map((h) => h.textContent));
    expect(h2).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => STRINGS["zh-CN"][`section.${n}` as "section.1"]));

    // One daily chart per target-indicator, one bar per day; the Oct 12 outage is red, below the objective.
    const pairs = model.targets.reduce((n, t) => n + t.indicators.length, 0);
    expect(pairs).toBe(3);
    expect(await page.locator("svg.daily").count()).toBe(pairs);
    for (const svg of await page.locator("svg.daily").all())
      expect(await svg.locator("rect.day").count()).toBe(31);
    const portal = page.locator('svg.daily[data-target="portal"][data-indicator="website_uptime"]');
    expect(await portal.locator("rect.day.bad").count()).toBe(1);
    expect(await portal.locator("rect.day.bad title").textContent()).toBe("2026-10-12 97.56%");
    expect(await page.locator("svg.rt").count()).toBe(1); // no response-time target: says no data
    expect(await page.locator("svg.rt").textContent()).toContain("无数据");
    expect(await page.locator("svg.faults g.sev").count()).toBe(4); // P1–P4
    expect(await page.locator('svg.faults g.sev[data-severity="P2"] rect.seg.missed').count()).toBe(1);

    // The target name with markup is text: no script ran, no element made from it.
    expect(await page.evaluate("typeof window.__xss")).toBe("undefined");
    expect(await page.locator("script, img").count()).toBe(0);
    expect(await page.locator("body").textContent()).toContain(EVIL);
    expect(html).toContain(
      "门户网站 &lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=&quot;",
    );

    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, "report.png"), fullPage: true });
    const pdf = await page.pdf({ format: "A4", landscape: true, printBackground: true });
    writeFileSync(join(RESULTS, "report.pdf"), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const pages = pdf.toString("latin1").match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(12);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("renders zh-CN and en with every string filled in", async () => {
    for (const lang of LANGS) {
      const html = renderHtml(model, lang);
      const { page, errors } = await open(html);
      const text = (await page.locator("body").textContent()) ?? "";
      for (let n = 1; n <= 8; n++) expect(text).toContain(STRINGS[lang][`section.${n}` as "section.1"]);
      // no raw i18n key, no unfilled placeholder
      expect(text).not.toMatch(/\b(section|col|ind|chart|status|outcome|event|kind|method)\.[a-z0-9_]+\b/i);
      expect(text).not.toMatch(/\{[a-zA-Z]+\}/);
      expect(await page.locator("html").getAttribute("lang")).toBe(lang);
      expect(errors).toEqual([]);
      await page.close();
    }
    const en = renderHtml(model, "en");
    expect(en).toContain("<title>某区政务云 Data Center Operations Monthly Report (October 2026)</title>");
    expect(en).toMatch(
      /Machine-room power stability<\/td><td class="num">≥ 100\.00%<\/td><td class="num">99\.89%/,
    );
  });

  it("fits the key-indicator table in a phone-width viewport", async () => {
    const { page } = await open(renderHtml(model, "zh-CN"), { width: 375, height: 800 });
    const fit: { page: number; right: number; wrapper: number; width: number } = await page.evaluate(`(() => {
      const table = document.querySelector("table.key");
      const wrap = table.parentElement;
      return {
        page: document.documentElement.scrollWidth,
        right: table.getBoundingClientRect().right,
        wrapper: wrap.scrollWidth - wrap.clientWidth,
        width: window.innerWidth,
      };
    })()`);
    expect(fit.page).toBeLessThanOrEqual(fit.width);
    expect(fit.right).toBeLessThanOrEqual(fit.width);
    expect(fit.wrapper).toBe(0);
    await page.close();
  });
});

describe("opswatch report --format html (the built CLI)", () => {
  it("writes the document the server's renderer gives", async () => {
    const CLI = fileURLToPath(new URL("../../dist/cli/opswatch.js", import.meta.url));
    const out = join(golden.dir, "report.html");
    const run = promisify(execFile)(
      process.execPath,
      [
        CLI,
        "report",
        "--server",
        golden.srv.url,
        "--month",
        "2026-10",
        "--format",
        "html",
        "--lang",
        "en",
        "--out",
        out,
      ],
      { env: { ...process.env, OPSWATCH_TOKEN: "" } },
    );
    expect((await run).stderr).toBe("");
    expect(readFileSync(out, "utf8")).toBe(renderHtml(model, "en"));
  });
});

describe("n/a days", () => {
  it("are drawn grey, not as 100 %", () => {
    const copy = structuredClone(model);
    const day = copy.targets[0]?.indicators[0]?.daily?.[4];
    if (!day) throw new Error("no daily ratios");
    day.ratio = null;
    const html = renderHtml(copy, "en");
    expect(html.match(/class="day na"/g)).toHaveLength(1);
    expect(html).toMatch(
      /<rect class="day na"[^>]*fill="var\(--na\)"[^>]*><title>2026-10-05 no data<\/title>/,
    );
  });
});
