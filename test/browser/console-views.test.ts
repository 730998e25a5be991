// The console's read-only views against a real stack (server + agent + UPS, portal and firewall
// simulators): a target's UPS readings and status tokens follow the simulator, the portal shows its HTTP
// phase timings, firewall interfaces their state and traffic, the agents page the connected agent and
// its spool, and the reports page downloads a month's report through a plain link with the session.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkA11y,
  closeBrowser,
  closePage,
  consoleErrors,
  englishLeak,
  loginUI,
  newPage,
  noHorizontalScroll,
  type Page,
  PHONE,
  screenshot,
  switchLocale,
} from "../peers/browser.js";
import { freePort } from "../peers/ports.js";
import { requirePeer } from "../peers/require-peer.js";
import { startWebStack, type WebStack } from "../peers/web-stack.js";

const hasChromium = requirePeer("chromium", "chromium");

/** YYYY-MM of the month before `now` in the zone. */
function lastMonth(now: number, tz: string): string {
  const [y, m] = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit" })
    .format(now)
    .split("-")
    .map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

describe.skipIf(!hasChromium)("console views: targets, agents, reports", () => {
  let stack: WebStack;
  let page: Page;

  beforeAll(async () => {
    const fwPort = await freePort("udp");
    stack = await startWebStack({
      edit: (c) => {
        (c.demo as Record<string, unknown>).firewall_snmp = `127.0.0.1:${fwPort}`;
        (c.targets as unknown[]).push({
          id: "fw",
          name: "边界防火墙",
          group: "firewall",
          indicators: [{ id: "firewall_stability" }],
          checks: [
            {
              id: "snmp",
              kind: "snmp",
              address: `127.0.0.1:${fwPort}`,
              interval: "1s",
              timeout: "900ms",
              profile: ["firewall-huawei", "if-mib"],
              interfaces: [
                { match: "GigabitEthernet1/0/1", name: "uplink" },
                { match: "GigabitEthernet1/0/2", name: "core" },
              ],
            },
          ],
        });
      },
    });
    page = await newPage();
    await loginUI(page, stack.url, stack.users.viewer.name, stack.users.viewer.password);
  }, 60_000);

  afterAll(async () => {
    await closePage(page);
    await closeBrowser();
    await stack?.stop();
  });

  it("lists the targets by group with their state", async () => {
    await page.goto(`${stack.url}/console/targets`);
    for (const group of ["web", "power", "firewall"])
      await page.getByRole("heading", { name: `分组：${group}` }).waitFor({ timeout: 10_000 });
    const portal = page.locator("li", { has: page.getByRole("link", { name: "区政府门户网站" }) });
    await portal.locator(".state.up").waitFor({ timeout: 15_000 });
    await screenshot(page, "console-targets");
  });

  it("a UPS target shows the simulator's readings and its status tokens follow a mains failure", async () => {
    await stack.ups("reset");
    await page.goto(`${stack.url}/console/targets?id=ups-1`);
    const ups = page.locator("section.ups");
    await ups.locator('[data-token="OL"]').waitFor({ timeout: 15_000 });
    expect(await ups.locator('[data-token="OL"]').textContent()).toContain("市电供电");
    for (const r of ["battery.charge", "battery.runtime", "ups.load", "input.voltage", "output.voltage"])
      await expect(ups.locator(`[data-reading="${r}"] dd`).textContent(), r).resolves.toMatch(/\d/);

    // The charge and the voltages on screen are the simulator's (it measures at its own instant).
    const sim = (await (await fetch(`${stack.simControl}/ups/state`)).json()) as {
      readings: { charge: number; outputVolts: number; inputVolts: number; load: number };
    };
    const num = async (r: string) =>
      Number((await ups.locator(`[data-reading="${r}"] dd`).textContent())?.replace(/[^\d.]/g, ""));
    expect(Math.abs((await num("battery.charge")) - sim.readings.charge)).toBeLessThanOrEqual(2);
    expect(await num("output.voltage")).toBe(sim.readings.outputVolts);
    expect(Math.abs((await num("input.voltage")) - sim.readings.inputVolts)).toBeLessThanOrEqual(5);
    expect(Math.abs((await num("ups.load")) - sim.readings.load)).toBeLessThanOrEqual(5);
    await screenshot(page, "console-target-ups");

    // Mains fails: the UPS goes on battery; the page follows without a reload (no state change of the
    // target needed: the load stays powered).
    await stack.ups("mains=fail");
    await ups.locator('[data-token="OB"]').waitFor({ timeout: 20_000 });
    expect(await ups.locator('[data-token="OB"]').textContent()).toContain("电池供电");
    await expect(ups.locator('[data-token="OL"]').count()).resolves.toBe(0);
    await ups.locator('[data-reading="battery.seconds_on_battery"]').waitFor({ timeout: 10_000 });
    await expect(ups.locator('[data-reading="input.voltage"] dd').textContent()).resolves.toMatch(
      /^0(\.0)?\s?V$/,
    );
    await screenshot(page, "console-target-ups-on-battery");

    expect(await checkA11y(page)).toEqual([]);
    await switchLocale(page, "en");
    await ups.locator('[data-token="OB"]', { hasText: "On battery" }).waitFor();
    const { leaks } = await englishLeak(page);
    expect(leaks).toEqual([]);
    await screenshot(page, "console-target-ups-en");
    await switchLocale(page, "zh-CN");
    await stack.ups("reset");
    await ups.locator('[data-token="OL"]').waitFor({ timeout: 20_000 });
  });

  it("the HTTP target shows its phase timings, per agent and per result", async () => {
    await page.goto(`${stack.url}/console/targets?id=portal`);
    const card = page.locator("section.phases-card");
    await card.waitFor({ timeout: 15_000 });
    for (const phase of ["dns", "connect", "tls", "processing", "transfer"])
      await expect(card.locator(`[data-phase="${phase}"] dd`).textContent(), phase).resolves.toMatch(
        /^[\d.,]+ ms$/,
      );
    // A loopback HTTP probe: the server's work and the transfer take time, an IP address needs no DNS.
    const ms = async (p: string) =>
      Number((await card.locator(`[data-phase="${p}"] dd`).textContent())?.replace(/[^\d.]/g, ""));
    expect(await ms("dns")).toBeLessThan(50); // no lookup: only the resolver's fast path

    expect(await ms("tls")).toBe(0);
    expect((await ms("processing")) + (await ms("connect")) + (await ms("transfer"))).toBeGreaterThan(0);
    expect(await card.locator(".phasebar span").count()).toBeGreaterThan(0);

    // Recent results: time, agent, outcome, duration, and a phase bar labelled with every phase.
    const row = page.locator("table.results tbody tr").first();
    await row.waitFor({ timeout: 10_000 });
    const cells = await row.locator("td").allTextContents();
    expect(cells[1]).toBe("web-agent");
    expect(cells[2]).toBe("home");
    expect(cells[3]).toBe("成功");
    expect(cells[4]).toMatch(/ms$/);
    const label = await row.locator(".phasebar").getAttribute("aria-label");
    for (const name of ["域名解析", "建立连接", "TLS 握手", "服务器处理", "内容传输"])
      expect(label).toContain(name);
    await screenshot(page, "console-target-http");

    // An outage shows up as failed results with the prober's error.
    await stack.outage(5);
    await page.locator("table.results tbody tr", { hasText: "失败" }).first().waitFor({ timeout: 20_000 });
    const failed = await page
      .locator("table.results tbody tr", { hasText: "失败" })
      .first()
      .locator("td")
      .allTextContents();
    expect(failed[6]).toMatch(/503/);
    await screenshot(page, "console-target-http-outage");
  });

  it("a firewall shows its designated interfaces with state and traffic; a link going down shows", async () => {
    await page.goto(`${stack.url}/console/targets?id=fw`);
    const uplink = page.locator('section.interfaces [data-interface="uplink"]');
    await uplink.waitFor({ timeout: 15_000 });
    await expect(uplink.locator("td").nth(1).textContent()).resolves.toBe("启用");
    // Traffic needs two polls (a rate between counters).
    await expect
      .poll(() => uplink.locator("td").nth(2).textContent(), { timeout: 15_000 })
      .toMatch(/bit\/s$/);
    const r = await fetch(`${stack.simControl}/firewall/state`, {
      method: "POST",
      body: "if.GigabitEthernet1/0/1=down",
    });
    expect(r.status).toBe(200);
    await expect.poll(() => uplink.locator("td").nth(1).textContent(), { timeout: 20_000 }).toBe("断开");
    await expect(
      page.locator('section.interfaces [data-interface="core"] td').nth(1).textContent(),
    ).resolves.toBe("启用");
    await screenshot(page, "console-target-firewall");
    await fetch(`${stack.simControl}/firewall/state`, { method: "POST", body: "reset" });
  });

  it("the agents page shows the connected agent with its spool depth and clock offset", async () => {
    await page.goto(`${stack.url}/console/agents`);
    const row = page.locator('tr[data-agent="web-agent"]');
    await row.waitFor({ timeout: 10_000 });
    await expect(row.locator("td").first().textContent()).resolves.toBe("已连接");
    const api = (await (await stack.api("viewer", "/api/v1/agents")).json()) as {
      agents: { id: string; connected: boolean; spool_depth: number | null; clock_ok: boolean | null }[];
    };
    const agent = api.agents.find((a) => a.id === "web-agent");
    expect(agent?.connected).toBe(true);
    expect(agent?.spool_depth).not.toBeNull();
    // The embedded agent keeps its spool drained: the page and the API agree (both small numbers).
    const shown = Number((await row.locator("[data-spool]").textContent())?.replace(/\D/g, ""));
    expect(Number.isInteger(shown)).toBe(true);
    expect(Math.abs(shown - (agent?.spool_depth ?? 0))).toBeLessThanOrEqual(5);
    await expect(row.locator("td").nth(4).textContent()).resolves.toMatch(/正常/);
    expect(await checkA11y(page)).toEqual([]);
    await screenshot(page, "console-agents");
  });

  it("the reports page downloads last month's report in the chosen format with the session cookie", async () => {
    await page.goto(`${stack.url}/console/reports`);
    const month = lastMonth(Date.now(), stack.site.timezone);
    await expect(page.locator('input[name="month"]').inputValue()).resolves.toBe(month);
    // The month-to-date figures: all eight indicators with an objective.
    await page.locator("table.indicators tbody tr").nth(7).waitFor({ timeout: 15_000 });
    expect(await page.locator("table.indicators tbody tr").count()).toBe(8);
    await expect(
      page.locator('tr[data-indicator="website_uptime"] td').first().textContent(),
    ).resolves.toMatch(/^≥ \d/);
    await expect(
      page.locator('tr[data-indicator="response_time"] td').first().textContent(),
    ).resolves.toMatch(/^≤ [\d,]+ ms$/);
    expect(await checkA11y(page)).toEqual([]);
    await screenshot(page, "console-reports");

    const download = async (format: string, extension: string) => {
      await page.locator('select[name="format"]').selectOption(format);
      const link = page.getByRole("link", { name: "生成并下载" });
      const href = await link.getAttribute("href");
      expect(href).toContain(`month=${month}`);
      expect(href).toContain(`format=${format}`);
      // The browser downloads through the plain link (with the session cookie)...
      const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), link.click()]);
      expect(await dl.failure()).toBeNull();
      expect(dl.suggestedFilename()).toBe(`opswatch-report-${month}.${extension}`);
      const body = readFileSync(await dl.path());
      // ...and the same GET with the page's cookies (no CSRF header, no token) answers 200 with the type;
      // without the cookie it is refused.
      const again = await page.context().request.get(`${stack.url}${href}`);
      expect(again.status()).toBe(200);
      expect((await fetch(`${stack.url}${href}`)).status).toBe(401);
      return { type: again.headers()["content-type"] ?? "", body };
    };
    const xlsx = await download("xlsx", "xlsx");
    expect(xlsx.type).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(xlsx.body.subarray(0, 2).toString()).toBe("PK"); // a zip: the workbook
    const html = await download("html", "html");
    expect(html.type).toMatch(/^text\/html/);
    expect(html.body.toString()).toContain(month.replace("-", "年").replace(/年0?/, "年"));
    const json = await download("json", "json");
    expect(json.type).toMatch(/^application\/json/);
    expect(JSON.parse(json.body.toString()).period.from).toMatch(new RegExp(`^${month}-01T00:00:00`));
    expect(consoleErrors(page)).toEqual([]);
  });

  it("on a phone the detail, agents and reports pages do not scroll sideways", async () => {
    const phone = await newPage({ viewport: PHONE });
    try {
      await loginUI(phone, stack.url, stack.users.viewer.name, stack.users.viewer.password);
      const views: [string, string, string][] = [
        ["targets?id=portal", "table.results tbody tr", "console-target-http-phone"],
        ["targets?id=ups-1", "section.ups [data-token]", "console-target-ups-phone"],
        ["targets?id=fw", "section.interfaces tbody tr", "console-target-firewall-phone"],
        ["agents", 'tr[data-agent="web-agent"]', "console-agents-phone"],
        ["reports", "table.indicators tbody tr", "console-reports-phone"],
      ];
      for (const [path, ready, shot] of views) {
        await phone.goto(`${stack.url}/console/${path}`);
        await phone.locator(ready).first().waitFor({ timeout: 15_000 });
        const scroll = await noHorizontalScroll(phone);
        expect(scroll.culprits, path).toEqual([]);
        expect(scroll.ok, path).toBe(true);
        await screenshot(phone, shot);
      }
    } finally {
      await closePage(phone);
    }
  });
});
