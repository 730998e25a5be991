// The console's actions against a real stack (server + embedded agent + portal and UPS simulators), done
// through the UI and checked through the API: an operator acknowledges a fault from a phone (arriving by
// the notification's link), a viewer sees no acknowledge button and is refused by the API anyway, a
// maintenance window recorded in the UI removes an outage inside it from the report, and a manual
// inspection item signed off in the UI carries the operator's name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkA11y,
  closeBrowser,
  closePage,
  consoleErrors,
  loginUI,
  newPage,
  noHorizontalScroll,
  type Page,
  PHONE,
  screenshot,
} from "../peers/browser.js";
import { requirePeer } from "../peers/require-peer.js";
import { startWebStack, type WebStack } from "../peers/web-stack.js";

const hasChromium = requirePeer("chromium", "chromium");
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

interface FaultJson {
  id: string;
  status: string;
  acknowledged: { at: number; actor: string; note: string } | null;
  history: { type: string; actor?: string; note?: string }[];
}
interface IndicatorJson {
  id: string;
  astSeconds: number;
  excludedSeconds: number;
  downtimeSeconds: number;
}
interface ReportJson {
  targets: { id: string; indicators: IndicatorJson[] }[];
}

/** Date and HH:MM of an instant in the site zone: what a person types into the form. */
function wall(ms: number, tz: string): { date: string; time: string } {
  return {
    date: new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(ms),
    time: new Intl.DateTimeFormat("en-GB", {
      timeZone: tz,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(ms),
  };
}

async function expectAccessible(page: Page, what: string) {
  const v = await checkA11y(page);
  expect(v, `${what}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  const scroll = await noHorizontalScroll(page);
  expect(scroll.ok, `${what}: ${JSON.stringify(scroll)}`).toBe(true);
}

describe.skipIf(!hasChromium)("console actions: faults, maintenance, inspections", () => {
  let stack: WebStack;
  /** The maintenance window recorded in the UI: [windowStart, windowStart + 60 s). */
  let windowStart = 0;
  /** The two portal outages (last test), started on time while the other tests run. */
  let outages: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    stack = await startWebStack({
      // An inspection run every minute, so today's checklist has a run to sign off within a minute of
      // the start whatever the time of day (the demo plan runs at 09:00).
      edit: (c) => {
        for (const plan of c.inspections as { schedule: string }[]) plan.schedule = "* * * * *";
      },
    });
    // The next whole minute at least 25 s away: a window counts only if recorded before it starts.
    windowStart = Math.ceil((Date.now() + 25_000) / 60_000) * 60_000;
    // See the last test: an outage inside the window and the same outage in the minute after it,
    // started on time whatever the other tests do meanwhile.
    outages = (async () => {
      await sleepUntil(windowStart + 5_000);
      await stack.outage(20);
      await sleepUntil(windowStart + 65_000);
      await stack.outage(20);
    })();
    outages.catch(() => {}); // awaited (and reported) by the last test
  });
  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
  });

  const json = async <T>(r: Response): Promise<T> => {
    const text = await r.text();
    if (!r.ok) throw new Error(`${r.status} ${text}`);
    return JSON.parse(text) as T;
  };

  it("an operator records a maintenance window in the UI (site zone, next whole minute)", async () => {
    const start = wall(windowStart, stack.site.timezone);
    const end = wall(windowStart + 60_000, stack.site.timezone);
    const page = await newPage();
    try {
      await loginUI(page, stack.url, stack.users.operator.name, stack.users.operator.password);
      await page.goto(`${stack.url}/console/maintenance`);
      const form = page.locator("#maint-form");
      await form.waitFor();
      await form.getByLabel("区政府门户网站").check();
      await form.locator('input[name="start_date"]').fill(start.date);
      await form.locator('input[name="start_time"]').fill(start.time);
      await form.locator('input[name="end_date"]').fill(end.date);
      await form.locator('input[name="end_time"]').fill(end.time);
      await form.locator('input[name="reason"]').fill("门户网站升级");
      await form.locator('input[name="approved_by"]').fill("张主任");
      await form.locator('button[type="submit"]').click();
      await form.getByText(/维护窗口 #\d+ 已登记/).waitFor({ timeout: 5000 });
      // The list and the calendar show it without a reload.
      await page.locator("li.maint-window", { hasText: "门户网站升级" }).waitFor({ timeout: 5000 });
      await screenshot(page, "console-maintenance-created");
      await expectAccessible(page, "maintenance page");
      expect(consoleErrors(page)).toEqual([]);
    } finally {
      await closePage(page);
    }
    const { windows } = await json<{
      windows: {
        id: string;
        targets: string[];
        start: number;
        end: number;
        createdBy: string;
        reason: string;
      }[];
    }>(await stack.api("admin", "/api/v1/maintenance"));
    const w = windows.find((x) => x.reason === "门户网站升级");
    // The times typed in the site zone (Asia/Shanghai) are the instants meant, whatever the browser's zone
    // (newPage runs the browser in UTC).
    expect(w).toMatchObject({
      targets: ["portal"],
      start: windowStart,
      end: windowStart + 60_000,
      createdBy: stack.users.operator.name,
    });
  });

  let faultId = "";
  it("an operator arriving by the notification's link acknowledges a fault from a phone with a note", async () => {
    const created = await json<FaultJson>(
      await stack.api("operator", "/api/v1/faults", {
        body: { target: "portal", title: "门户首页打不开", severity: "P1" },
      }),
    );
    faultId = created.id;
    const page = await newPage({ viewport: PHONE });
    try {
      // The WeCom message's link is <public_url>/api/v1/faults/<id> (docs/notifications.md): a browser
      // opening it is sent to the console's page of the fault, through the login form.
      await page.goto(`${stack.url}/api/v1/faults/${faultId}`);
      await page.locator('input[name="user"]').fill(stack.users.operator.name);
      await page.locator('input[name="password"]').fill(stack.users.operator.password);
      await page.locator('form button[type="submit"]').click();
      await page.getByRole("heading", { name: new RegExp(`故障 #${faultId}`) }).waitFor({ timeout: 10_000 });
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(`/console/faults?id=${faultId}`);
      // P1: 15 minutes to respond, ticking.
      const timer = page.locator(".deadline strong[role=timer]").first();
      await expect.poll(() => timer.textContent()).toMatch(/剩余 1[45]分/);
      const ack = page.getByRole("button", { name: "确认故障" });
      const box = await ack.boundingBox();
      expect(box?.height ?? 0, "a thumb-sized button").toBeGreaterThanOrEqual(44);
      // Without a note the API would refuse: the page asks for one first.
      await ack.click();
      await page.getByText("请填写备注").waitFor();
      await page.getByLabel("备注（必填）").fill("已到机房，正在排查负载均衡");
      await ack.click();
      await page.getByText(/operator 于 .* 确认/).waitFor({ timeout: 5000 });
      await expect.poll(() => page.getByRole("button", { name: "确认故障" }).count()).toBe(0);
      await page.locator("ol.history li", { hasText: "已到机房，正在排查负载均衡" }).waitFor();
      await screenshot(page, "console-fault-acknowledged-phone");
      await expectAccessible(page, "fault page (phone)");
      expect(consoleErrors(page)).toEqual([]);
    } finally {
      await closePage(page);
    }
    const f = await json<FaultJson>(await stack.api("admin", `/api/v1/faults/${faultId}`));
    expect(f.acknowledged).toMatchObject({
      actor: stack.users.operator.name,
      note: "已到机房，正在排查负载均衡",
    });
    expect(f.history.at(-1)).toMatchObject({
      type: "acknowledged",
      actor: stack.users.operator.name,
      note: "已到机房，正在排查负载均衡",
    });
  });

  it("a viewer sees the fault but no acknowledge control, and the API refuses the viewer's call (403)", async () => {
    const other = await json<FaultJson>(
      await stack.api("operator", "/api/v1/faults", {
        body: { target: "ups-1", title: "UPS 告警", severity: "P2" },
      }),
    );
    const page = await newPage();
    try {
      await loginUI(page, stack.url, stack.users.viewer.name, stack.users.viewer.password);
      await page.goto(`${stack.url}/console/faults`);
      await page.getByRole("link", { name: /UPS 告警/ }).click();
      await page.getByRole("heading", { name: new RegExp(`故障 #${other.id}`) }).waitFor();
      await page.getByText("只读角色不能处理故障").waitFor();
      expect(await page.getByRole("button", { name: "确认故障" }).count()).toBe(0);
      expect(await page.locator("#fault-note").count()).toBe(0);
      await screenshot(page, "console-fault-viewer");
      // The same call the button would make, with the viewer's session cookie and CSRF token.
      const status = await page.evaluate(async (id: string) => {
        const me = (await (await fetch("/api/v1/session")).json()) as { csrf: string };
        const r = await fetch(`/api/v1/faults/${id}/ack`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": me.csrf },
          body: JSON.stringify({ note: "viewer trying" }),
        });
        return r.status;
      }, other.id);
      expect(status).toBe(403);
    } finally {
      await closePage(page);
    }
    const byToken = await stack.api("viewer", `/api/v1/faults/${other.id}/ack`, { body: { note: "x" } });
    expect(byToken.status).toBe(403);
    const f = await json<FaultJson>(await stack.api("admin", `/api/v1/faults/${other.id}`));
    expect(f.acknowledged).toBeNull();
  });

  it("a manual inspection item signed off in the UI shows in the API with the operator", async () => {
    type Run = {
      id: string;
      started_at: number | null;
      items: {
        target: string;
        item: string;
        signed_off_by: string | null;
        result: string | null;
        note: string | null;
      }[];
    };
    let run: Run | undefined;
    // The every-minute plan starts its first run at the first whole minute after the server started.
    const deadline = Date.now() + 75_000;
    while (!run && Date.now() < deadline) {
      const l = await json<{ runs: Run[] }>(
        await stack.api("admin", `/api/v1/inspections?from=${Date.now() - 3_600_000}`),
      );
      run = l.runs.find((r) => r.started_at !== null && r.items.some((i) => i.item === "room_temp"));
      if (!run) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!run) throw new Error("no inspection run started within 75 s");
    const page = await newPage();
    try {
      await loginUI(page, stack.url, stack.users.operator.name, stack.users.operator.password);
      await page.goto(`${stack.url}/console/inspections`);
      const item = page.locator(`article[data-run="${run.id}"] li[data-item="ups-1/room_temp"]`);
      await item.waitFor({ timeout: 10_000 });
      await item.getByLabel("通过", { exact: true }).check();
      await item.getByLabel("备注", { exact: true }).fill("机房温度 23 ℃");
      await item.getByRole("button", { name: "签核" }).click();
      await item.getByText(/operator 于 .* 签核/).waitFor({ timeout: 5000 });
      await screenshot(page, "console-inspection-signed");
      await expectAccessible(page, "inspections page");
      expect(consoleErrors(page)).toEqual([]);
    } finally {
      await closePage(page);
    }
    const after = await json<Run>(await stack.api("admin", `/api/v1/inspections/${run.id}`));
    expect(after.items.find((i) => i.item === "room_temp")).toMatchObject({
      target: "ups-1",
      result: "pass",
      signed_off_by: stack.users.operator.name,
      note: "机房温度 23 ℃",
    });
  }, 120_000);

  it("the window recorded in the UI excludes an outage inside it from the report; the same outage outside counts", async () => {
    // W = [windowStart, windowStart + 60 s) covers the portal. Two identical 20-s outages of the portal
    // simulator (it answers 503):
    //   A inside the window:  [W+5 s, W+25 s)
    //   B after the window:   [W+65 s, W+85 s)
    // Report over PA = [W, W+60 s) (the window's minute) and PB = [W+60 s, W+120 s) (the next minute,
    // no window). Expected by hand, website_uptime of "portal" (24×7, so AST = the period):
    //   PA: AST 60 s, excluded 60 s (the whole period is planned maintenance), downtime 0 s.
    //   PB: AST 60 s, excluded 0 s, downtime 20 s ± 1 s: with 1-s checks the first failing result is in
    //       [65, 66) and the first success in [85, 86); downtime runs from the first failure (rule 1.5,
    //       confirm 2) to the first success, so 19–21 s.
    const W = windowStart;
    expect(W).toBeGreaterThan(0);
    await outages;
    // Past PB's end, plus time for the rollup flush (every 2 s).
    await sleepUntil(W + 124_000);
    const report = async (from: number, to: number) => {
      const r = await json<ReportJson>(
        await stack.api("admin", `/api/v1/reports?from=${from}&to=${to}&format=json`),
      );
      const ind = r.targets.find((x) => x.id === "portal")?.indicators.find((i) => i.id === "website_uptime");
      if (!ind) throw new Error("no website_uptime for portal in the report");
      return ind;
    };
    // Outage A did happen (the portal answered 503 inside the window): it is excluded, not missing.
    const raw = await json<{ results: { ts: number; ok: boolean }[] }>(
      await stack.api("admin", `/api/v1/targets/portal/results?from=${W}&to=${W + 60_000}`),
    );
    const failed = raw.results.filter((r) => !r.ok).map((r) => r.ts - W);
    expect(failed.length, JSON.stringify(failed)).toBeGreaterThanOrEqual(18);
    expect(Math.min(...failed)).toBeGreaterThanOrEqual(5_000);
    expect(Math.max(...failed)).toBeLessThan(26_000);
    const a = await report(W, W + 60_000);
    const b = await report(W + 60_000, W + 120_000);
    const why = JSON.stringify({ W, a, b });
    expect(a.astSeconds, why).toBe(60);
    expect(a.excludedSeconds, why).toBe(60);
    expect(a.downtimeSeconds, why).toBe(0);
    expect(b.astSeconds, why).toBe(60);
    expect(b.excludedSeconds, why).toBe(0);
    expect(b.downtimeSeconds, why).toBeGreaterThanOrEqual(19);
    expect(b.downtimeSeconds, why).toBeLessThanOrEqual(21);
  }, 240_000);
});
