// The public status page against a real stack (server + agent + simulators) in headless chromium: a
// simulated outage shows within 5 s without a reload, and so does the recovery; maintenance and
// incidents are announced live, without the names and notes of the people involved.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkA11y,
  closeBrowser,
  closePage,
  consoleErrors,
  englishLeak,
  newPage,
  noHorizontalScroll,
  type Page,
  PHONE,
  screenshot,
  switchLocale,
} from "../peers/browser.js";
import { requirePeer } from "../peers/require-peer.js";
import { startWebStack, type WebStack } from "../peers/web-stack.js";

const hasChromium = requirePeer("chromium", "chromium");

// Run inside the page by playwright (the node project's tsconfig has no DOM types).
// biome-ignore lint/suspicious/noExplicitAny: DOM globals, in the page only
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: as above
declare const document: any;

interface Status {
  overall: string;
  groups: { targets: { id: string; state: string; maintenance: boolean }[] }[];
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves with the time the selector first matched (polled in the page every animation frame). */
async function shownAt(page: Page, selector: string, timeout = 10_000): Promise<number> {
  await page.waitForSelector(selector, { timeout, state: "attached" });
  return Date.now();
}

describe.skipIf(!hasChromium)("status page", () => {
  let stack: WebStack;
  const status = async () => (await (await fetch(`${stack.url}/api/v1/status`)).json()) as Status;
  const stateOf = (s: Status, id: string) => s.groups.flatMap((g) => g.targets).find((t) => t.id === id);

  beforeAll(async () => {
    stack = await startWebStack();
    // Both targets report before the page opens.
    await until("portal and UPS up", async () => {
      const s = await status();
      return stateOf(s, "portal")?.state === "up" && stateOf(s, "ups-1")?.state === "up" ? s : undefined;
    });
  }, 90_000);
  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
  });

  it("shows an outage within 5 s and the recovery too, without reloading", async () => {
    const page = await newPage();
    try {
      const navigations: string[] = [];
      await page.goto(`${stack.url}/status`);
      await page.waitForSelector('[data-target="portal"] .state.up');
      await page.waitForSelector(".banner.up");
      await page.waitForSelector(".live-dot.on");
      // Any navigation after this point (a reload) would be a failure; the marker survives only without one.
      page.on("framenavigated", (f) => {
        if (f === page.mainFrame()) navigations.push(f.url());
      });
      await page.evaluate(() => {
        window.marker = 42;
      });

      const flip = Date.now();
      await stack.outage(600);
      const down = await shownAt(page, '[data-target="portal"] .state.down');
      const downMs = down - flip;
      await page.waitForSelector(".banner.partial, .banner.major", { timeout: 2000 });
      await screenshot(page, "status-outage");

      const back = Date.now();
      await stack.outage(0);
      const up = await shownAt(page, '[data-target="portal"] .state.up');
      const upMs = up - back;
      await page.waitForSelector(".banner.up", { timeout: 2000 });

      console.log(`status page: outage shown after ${downMs} ms, recovery after ${upMs} ms`);
      expect(downMs).toBeLessThan(5000);
      expect(upMs).toBeLessThan(5000);
      expect(navigations).toEqual([]);
      expect(await page.evaluate(() => window.marker)).toBe(42);
      expect(consoleErrors(page)).toEqual([]);
    } finally {
      await closePage(page);
    }
  });

  it("announces maintenance and incidents live, with no names or notes", async () => {
    const page = await newPage();
    try {
      await page.goto(`${stack.url}/status`);
      await page.waitForSelector('[data-target="ups-1"] .state');
      await page.waitForSelector(".live-dot.on");
      const now = Date.now();
      // Starts in 3 s: announced at once (the API write), then in progress on its own (the 5-s tick).
      const w = await stack.api("operator", "/api/v1/maintenance", {
        body: {
          targets: ["ups-1"],
          start: new Date(now + 3000).toISOString(),
          end: new Date(now + 3_600_000).toISOString(),
          reason: "UPS 电池更换",
          approved_by: "张主任",
        },
      });
      expect(w.status).toBe(201);
      const item = page.locator(".maint-item", { hasText: "UPS 电池更换" });
      await item.waitFor({ timeout: 5000 });
      await expect.poll(async () => item.locator(".state").textContent(), { timeout: 12_000 }).toBe("进行中");
      await page.waitForSelector('[data-target="ups-1"] .state.maintenance', { timeout: 5000 });

      const f = await stack.api("operator", "/api/v1/faults", {
        body: { target: "portal", title: "首页打开缓慢", severity: "P3" },
      });
      expect(f.status).toBe(201);
      const fault = (await f.json()) as { id: string };
      const incident = page.locator(".incident", { hasText: "首页打开缓慢" });
      await incident.waitFor({ timeout: 5000 });
      expect(await incident.textContent()).toContain("区政府门户网站");
      expect(await incident.textContent()).toContain("等待值班人员确认");
      const ack = await stack.api("operator", `/api/v1/faults/${fault.id}/ack`, {
        body: { note: "内部备注：已联系厂商李工" },
      });
      expect(ack.status).toBe(200);
      await expect.poll(async () => incident.textContent(), { timeout: 5000 }).toContain("已确认，正在处理");

      const text = (await page.textContent("main")) ?? "";
      expect(text).not.toContain("张主任");
      expect(text).not.toContain("李工");
      expect(text).not.toContain("operator");
      await screenshot(page, "status");
    } finally {
      await closePage(page);
    }
  });

  it("shows 90 daily bars per target with text alternatives and the eight indicators", async () => {
    const page = await newPage({ viewport: PHONE });
    try {
      await page.goto(`${stack.url}/status`);
      await page.waitForSelector('[data-target="portal"] ol.bars');
      expect(await page.locator('[data-target="portal"] ol.bars > li').count()).toBe(90);
      // Today has data (the checks ran): its text alternative names the date and a percentage.
      const today = page.locator('[data-target="portal"] ol.bars > li').last();
      expect(await today.textContent()).toMatch(/^\d{4}-\d{2}-\d{2}：\d+\.\d{2}\s?%$/);
      expect(await today.getAttribute("title")).toBe(await today.textContent());
      // A day before the stack existed: no data, not 100 %.
      expect(await page.locator('[data-target="portal"] ol.bars > li').first().textContent()).toMatch(
        /无数据$/,
      );
      // Keyboard: focus the bars, step back a day, the detail line follows.
      await today.focus();
      await page.keyboard.press("ArrowLeft");
      const focused = await page.evaluate(() => document.activeElement?.textContent ?? "");
      expect(focused).toMatch(/无数据|%/);
      await page.waitForSelector("table.indicators tbody tr");
      expect(await page.locator("table.indicators tbody tr").count()).toBe(8);
      expect(await page.locator('tr[data-indicator="response_time"] td').nth(1).textContent()).toMatch(
        /^≤ 3 秒$/,
      );
      expect(await noHorizontalScroll(page)).toMatchObject({ ok: true });
      expect(await checkA11y(page)).toEqual([]);
      await screenshot(page, "status-phone");

      // English: every UI string through the table; what is left in Chinese is data (names, titles, reasons).
      await switchLocale(page, "en");
      await page.waitForSelector(".banner-title");
      expect(await page.locator('tr[data-indicator="response_time"] td').nth(1).textContent()).toBe("≤ 3 s");
      const s = (await (await fetch(`${stack.url}/api/v1/status`)).json()) as {
        incidents: { title: string }[];
        maintenance: { reason: string }[];
      };
      const data = [
        ...stack.dataTexts,
        ...s.incidents.flatMap((i) => [i.title, i.title.replace(/^[^:：]*[:：]\s*/, "")]),
        ...s.maintenance.map((m) => m.reason),
      ];
      expect((await englishLeak(page, { data })).leaks).toEqual([]);
      await screenshot(page, "status-phone-en");
    } finally {
      await closePage(page);
    }
  });

  it("is gone with status_page false: the API answers 404 and the live feed needs a login", async () => {
    const off = await startWebStack({ statusPage: false });
    try {
      expect((await fetch(`${off.url}/api/v1/status`)).status).toBe(404);
      expect((await fetch(`${off.url}/api/v1/status/history`)).status).toBe(404);
      const { WebSocket } = await import("ws");
      const code = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${off.url.replace("http", "ws")}/ws/live`);
        ws.on("unexpected-response", (_q, r) => resolve(r.statusCode ?? 0));
        ws.on("open", () => resolve(101));
        ws.on("error", () => undefined);
      });
      expect(code).toBe(401);
      const withToken = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${off.url.replace("http", "ws")}/ws/live`, {
          headers: { authorization: `Bearer ${off.tokens.viewer}` },
        });
        ws.on("unexpected-response", (_q, r) => resolve(r.statusCode ?? 0));
        ws.on("open", () => {
          ws.close();
          resolve(101);
        });
        ws.on("error", () => undefined);
      });
      expect(withToken).toBe(101);
    } finally {
      await off.stop();
    }
  }, 60_000);
});
