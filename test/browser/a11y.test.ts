// Every page of the UI — the status page, the login form and each console page in web/src/routes.ts (read
// at run time, so a new page is covered without touching this file) — in a real chromium against a real
// opswatch: axe-core finds no serious or critical violation (light and dark theme), a phone never
// scrolls sideways, the English toggle leaves no Chinese UI string (checked against the translation
// tables), no value shows as NaN, undefined or a raw message key, and the language toggle and the
// login form work from the keyboard alone. Screenshots of each page, desktop and phone, go to
// test-results/screenshots/; with OPSWATCH_UPDATE_SCREENSHOTS=1 the README's docs/img/status.png and
// docs/img/console.png are rewritten from this run.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type A11yViolation,
  brokenText,
  checkA11y,
  closeBrowser,
  closePage,
  consoleErrors,
  DESKTOP,
  englishLeak,
  newPage,
  noHorizontalScroll,
  type Page,
  PHONE,
  screenshot,
  switchLocale,
  translationTables,
} from "../peers/browser.js";
import { requirePeer } from "../peers/require-peer.js";
import { startWebStack, type WebStack } from "../peers/web-stack.js";

// page.evaluate callbacks run in the browser (the project's tsconfig has no DOM library).
// biome-ignore lint/suspicious/noExplicitAny: browser globals, untyped on purpose
type Dom = any;
declare const document: Dom;
declare function getComputedStyle(e: Dom): Dom;

const hasChromium = requirePeer("chromium", "chromium");
const ROOT = path.resolve(import.meta.dirname, "../..");

/** The console pages as web/src/routes.ts declares them (checked against the admin's menu below). */
const routePaths = [
  ...readFileSync(path.join(ROOT, "web/src/routes.ts"), "utf8").matchAll(/\bpath:\s*"([^"]*)"/g),
]
  .map((m) => m[1] as string)
  .filter((p) => !p.includes("/")); // the interface's doc comment says "faults" → /console/faults

interface UiPage {
  name: string;
  path: string;
  /** Logged in as admin (the role that sees every page). */
  admin: boolean;
}
const uiPages: UiPage[] = [
  { name: "status", path: "/status", admin: false },
  { name: "login", path: "/console/login", admin: false },
  ...routePaths.map((p) => ({ name: `console-${p}`, path: `/console/${p}`, admin: true })),
];

const describeViolations = (v: A11yViolation[]) =>
  v.map((x) => `${x.impact} ${x.id}: ${x.help}\n    ${x.nodes.join("\n    ")}`).join("\n");

describe.skipIf(!hasChromium)("every page: accessible, phone-sized, fully translated", () => {
  let stack: WebStack;
  let tables: Awaited<ReturnType<typeof translationTables>>;
  /** Chinese the test itself put in (shown as is in English too). */
  const seeded = ["1号机房 UPS 风扇异响", "门户网站版本升级", "信息中心 张主任"];

  beforeAll(async () => {
    stack = await startWebStack();
    tables = await translationTables();
    // Something on each page: the portal down (a fault from the checks), a fault reported by hand and
    // a maintenance window tomorrow.
    await stack.outage(3600);
    const reported = await stack.api("operator", "/api/v1/faults", {
      body: { target: "ups-1", title: seeded[0], severity: "P3" },
    });
    expect(reported.status).toBe(201);
    const tomorrow = Date.now() + 86_400_000;
    const window = await stack.api("operator", "/api/v1/maintenance", {
      body: {
        targets: ["portal"],
        start: tomorrow,
        end: tomorrow + 2 * 3_600_000,
        reason: seeded[1],
        approved_by: seeded[2],
      },
    });
    expect(window.status).toBe(201);
    // A few 1-s checks, so the portal's failures are on record.
    await new Promise((r) => setTimeout(r, 3000));
  }, 90_000);

  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
  });

  /**
   * Texts the server stored and the pages show as they are: fault titles (the checks' faults get a
   * bilingual title such as "区政府门户网站: 网站不可访问 website down") and notes.
   */
  async function records(): Promise<string[]> {
    const r = await stack.api("admin", "/api/v1/faults");
    const { faults } = (await r.json()) as { faults: { title: string; events?: { note?: string }[] }[] };
    // The pages show a title after its target's name without repeating it (components/fault-title.ts).
    return faults.flatMap((f) => [
      f.title,
      f.title.replace(/^[^:：]*[:：]\s*/, ""),
      ...(f.events ?? []).flatMap((e) => (e.note ? [e.note] : [])),
    ]);
  }

  /** A page as the given user, settled: data loaded, no "loading…" left. */
  async function open(
    p: UiPage,
    o: { viewport: { width: number; height: number }; colorScheme?: "light" | "dark" },
  ): Promise<Page> {
    const page = await newPage(o);
    if (p.admin) {
      const r = await page.context().request.post(`${stack.url}/api/v1/session`, {
        data: { user: stack.users.admin.name, password: stack.users.admin.password },
      });
      expect(r.ok(), `admin login: ${r.status()}`).toBe(true);
    }
    await page.goto(`${stack.url}${p.path}`);
    await settle(page);
    return page;
  }

  async function settle(page: Page): Promise<void> {
    await page.waitForLoadState("networkidle", { timeout: 5000 }).catch(() => {});
    await page.waitForFunction(() => !document.querySelector(".loading"), undefined, { timeout: 10_000 });
  }

  it("covers every console page: the admin's menu lists exactly the pages in routes.ts", async () => {
    const page = await open({ name: "console", path: "/console", admin: true }, { viewport: DESKTOP });
    try {
      const menu = await page
        .locator('header.top nav a[href^="/console/"]')
        .evaluateAll((as) => as.map((a) => (a.getAttribute("href") as string).replace("/console/", "")));
      expect(menu.sort()).toEqual([...routePaths].sort());
    } finally {
      await closePage(page);
    }
  });

  for (const p of uiPages)
    it(`${p.name} (${p.path}): axe, phone, English`, async () => {
      const failures: string[] = [];
      // Desktop, Chinese then English: axe in both (English words are longer, contrast is the same).
      const page = await open(p, { viewport: DESKTOP });
      try {
        const zh = await checkA11y(page);
        if (zh.length) failures.push(`axe (zh-CN):\n${describeViolations(zh)}`);
        const brokenZh = await brokenText(page);
        if (brokenZh.length) failures.push(`broken text (zh-CN): ${JSON.stringify(brokenZh)}`);
        const file = await screenshot(page, `${p.name}-desktop-zh`);
        if (process.env.OPSWATCH_UPDATE_SCREENSHOTS === "1") await docsScreenshot(page, p, file);

        await switchLocale(page, "en");
        await settle(page);
        const { leaks } = await englishLeak(page, {
          data: [...stack.dataTexts, ...seeded, ...(await records())],
          tables,
        });
        if (leaks.length)
          failures.push(
            `Chinese left in English:\n${leaks.map((l) => `  "${l.text}" (${l.keys.join(", ") || "not in the tables"})`).join("\n")}`,
          );
        const brokenEn = await brokenText(page);
        if (brokenEn.length) failures.push(`broken text (en): ${JSON.stringify(brokenEn)}`);
        const en = await checkA11y(page);
        if (en.length) failures.push(`axe (en):\n${describeViolations(en)}`);
        await screenshot(page, `${p.name}-desktop-en`);
        const errors = consoleErrors(page);
        if (errors.length) failures.push(`script errors:\n  ${errors.join("\n  ")}`);
      } finally {
        await closePage(page);
      }

      // The dark theme (prefers-color-scheme: dark) has colours of its own: contrast again.
      const dark = await open(p, { viewport: DESKTOP, colorScheme: "dark" });
      try {
        const v = await checkA11y(dark);
        if (v.length) failures.push(`axe (dark theme):\n${describeViolations(v)}`);
        await screenshot(dark, `${p.name}-desktop-dark`);
      } finally {
        await closePage(dark);
      }

      // Phone, both languages: nothing sticks out sideways.
      for (const locale of ["zh-CN", "en"] as const) {
        const phone = await open(p, { viewport: PHONE });
        try {
          await switchLocale(phone, locale);
          await settle(phone);
          const scroll = await noHorizontalScroll(phone);
          if (!scroll.ok)
            failures.push(
              `phone (${locale}) scrolls sideways: ${scroll.scrollWidth} px > ${scroll.width} px; ${scroll.culprits.join(", ")}`,
            );
          await screenshot(phone, `${p.name}-phone-${locale}`);
        } finally {
          await closePage(phone);
        }
      }
      expect(failures.join("\n\n")).toBe("");
    });

  it("keyboard only: the language toggle and the login form work with Tab and Enter", async () => {
    const page = await newPage({ viewport: DESKTOP });
    try {
      await page.goto(`${stack.url}/console/login`);
      await settle(page);
      expect(await page.getAttribute("html", "lang")).toBe("zh-CN");

      /** Presses Tab until `selector` has the focus (at most 20 times). */
      const tabTo = async (selector: string) => {
        for (let i = 0; i < 20; i++) {
          await page.keyboard.press("Tab");
          if (await page.evaluate((s) => document.activeElement === document.querySelector(s), selector))
            return;
        }
        throw new Error(`Tab never reached ${selector}`);
      };
      const toggle = "header.top .tools button";
      await tabTo(toggle);
      // The focus is visible (an outline from :focus-visible).
      const outline = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement);
        return { style: s.outlineStyle, width: Number.parseFloat(s.outlineWidth) };
      });
      expect(outline.style).not.toBe("none");
      expect(outline.width).toBeGreaterThan(0);
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.documentElement.lang === "en");

      await tabTo('input[name="user"]');
      await page.keyboard.type(stack.users.admin.name);
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("password");
      await page.keyboard.type(stack.users.admin.password);
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => !document.querySelector('input[name="password"]'), undefined, {
        timeout: 10_000,
      });
      const me = await page.evaluate(async () => (await fetch("/api/v1/session")).json());
      expect(me).toMatchObject({ user: stack.users.admin.name, role: "admin" });
      // Still in English after logging in.
      expect(await page.getAttribute("html", "lang")).toBe("en");
    } finally {
      await closePage(page);
    }
  });
});

/** The README's pictures: the status page and the first console page, desktop, Chinese, one screen. */
async function docsScreenshot(page: Page, p: UiPage, _file: string): Promise<void> {
  const target =
    p.name === "status" ? "status.png" : p.path === `/console/${routePaths[0]}` ? "console.png" : undefined;
  if (!target) return;
  const dir = path.join(ROOT, "docs/img");
  mkdirSync(dir, { recursive: true });
  const shot = path.join(ROOT, "test-results/screenshots", `readme-${target}`);
  await page.screenshot({ path: shot, fullPage: false });
  copyFileSync(shot, path.join(dir, target));
}
