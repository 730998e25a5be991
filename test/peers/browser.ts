// Headless Debian chromium driven by playwright-core (never `npx playwright install`: no downloads here),
// plus what every browser test needs: screenshots as artifacts, axe-core, the phone check and the check
// that the English page shows no Chinese UI string.
//
//     const hasChromium = requirePeer("chromium", "chromium");
//     describe.skipIf(!hasChromium)("…", () => {
//       afterAll(() => closeBrowser());
//       it("…", async () => {
//         const page = await newPage({ viewport: PHONE });
//         …
//         await closePage(page);
//       });
//     });
// One browser per test file (launched on the first newPage), one context per page.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { peerPath } from "./require-peer.js";

export type { Browser, BrowserContext, Page } from "playwright-core";

// The functions given to page.evaluate run in the browser; the project's tsconfig has no DOM library
// (adding it globally clashes with Node's fetch types), so they see these loose, module-local names.
// A test file that evaluates DOM code declares the same (they cannot be imported: an imported name
// would be rewritten to a module reference that does not exist in the page).
// biome-ignore lint/suspicious/noExplicitAny: browser globals, untyped on purpose
type Dom = any;
declare const window: Dom;
declare const document: Dom;
declare const localStorage: Dom;
declare const NodeFilter: Dom;
declare function getComputedStyle(e: Dom): Dom;

const ROOT = path.resolve(import.meta.dirname, "../..");
export const SCREENSHOT_DIR = path.join(ROOT, "test-results/screenshots");

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

/** Flags from shared/peers.md: no sandbox (root), no GPU, no network chatter of its own. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches /usr/bin/chromium with a fresh profile (a temp dir removed at close). Callers guard with
 * `requirePeer("chromium", "chromium")`, so a missing chromium skips locally and fails in CI.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = peerPath("chromium");
  if (!executablePath)
    throw new Error('chromium not found: apt-get install chromium (Debian package "chromium")');
  const profile = mkdtempSync(path.join(tmpdir(), "opswatch-chromium-"));
  // A persistent context is playwright's only way to pass a user-data-dir; a plain launch makes its own
  // fresh temporary profile, which is what we want, so the dir above just holds crash dumps and the like.
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...ARGS, `--crash-dumps-dir=${profile}`],
    env: { ...process.env, HOME: profile },
  });
  const close = browser.close.bind(browser);
  browser.close = async (...a) => {
    await close(...a);
    rmSync(profile, { recursive: true, force: true });
  };
  return browser;
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** Browser locale (navigator.language); the app itself starts in zh-CN unless switched. */
  locale?: string;
  /** Sets localStorage "opswatch.locale" before the app's first script runs ("en" or "zh-CN"). */
  appLocale?: "en" | "zh-CN";
  /** prefers-color-scheme (default light): the stylesheet has a dark theme too. */
  colorScheme?: "light" | "dark";
}

let shared: Promise<Browser> | undefined;

/** The file's browser, launched on first use. */
export function browser(): Promise<Browser> {
  shared ??= launchBrowser();
  return shared;
}

/** Closes the file's browser (afterAll). */
export async function closeBrowser(): Promise<void> {
  const b = shared;
  shared = undefined;
  await (await b?.catch(() => undefined))?.close();
}

/** A page in a new context of its own (own cookies and storage). Close it with closePage(page). */
export async function newPage(o: PageOptions = {}): Promise<Page> {
  const context = await (await browser()).newContext({
    viewport: o.viewport ?? DESKTOP,
    locale: o.locale ?? "zh-CN",
    timezoneId: "UTC", // the app must show times in the site's zone, not the browser's
    colorScheme: o.colorScheme ?? "light",
  });
  if (o.appLocale) {
    const l = o.appLocale;
    await context.addInitScript((v) => localStorage.setItem("opswatch.locale", v), l);
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    // An answered request (401 before login, a 404) is the API's business, not a script error.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  pageErrors.set(page, errors);
  return page;
}

const pageErrors = new WeakMap<Page, string[]>();

/** Uncaught exceptions and console errors the page logged so far (CSP refusals show up here); HTTP
 *  error statuses of its requests are not counted. */
export function consoleErrors(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

/** Saves a full-page PNG to test-results/screenshots/<name>.png (a CI artifact); returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, "_")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface A11yViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

const AXE_SOURCE = readFileSync(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (WCAG 2 A/AA rules and best practices) in the page and returns the serious and critical
 * violations, each with the selectors and HTML of the offending nodes. The page's CSP (default-src
 * 'self') does not apply to playwright's evaluate, so axe is injected as a string, not a <script>.
 */
export async function checkA11y(page: Page): Promise<A11yViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected above, untyped in the page
    const axe = (window as any).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return (
      r.violations as {
        id: string;
        impact: string;
        help: string;
        nodes: { target: string[]; html: string; failureSummary: string }[];
      }[]
    ).map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.html.slice(0, 200)} — ${n.failureSummary}`),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** True when the page does not scroll sideways (nothing sticks out of the viewport's width). */
export async function noHorizontalScroll(
  page: Page,
): Promise<{ ok: boolean; scrollWidth: number; width: number; culprits: string[] }> {
  return page.evaluate(() => {
    const el = document.scrollingElement ?? document.documentElement;
    const width = window.innerWidth;
    const culprits: string[] = [];
    if (el.scrollWidth > width)
      for (const e of Array.from(document.querySelectorAll("body *") as Dom[])) {
        const r = e.getBoundingClientRect();
        if (r.right > width + 1 && r.width > 0) {
          // Only the outermost element that overflows (inside a scrolling .table-wrap is fine).
          let p = e.parentElement;
          let wrapped = false;
          while (p) {
            const s = getComputedStyle(p);
            if (s.overflowX === "auto" || s.overflowX === "scroll" || s.overflowX === "hidden")
              wrapped = true;
            p = p.parentElement;
          }
          if (!wrapped)
            culprits.push(
              `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).split(" ").join(".")}` : ""} right=${Math.round(r.right)}`,
            );
        }
        if (culprits.length >= 5) break;
      }
    return { ok: el.scrollWidth <= width, scrollWidth: el.scrollWidth, width, culprits };
  });
}

/** Both dictionaries of every page, loaded from web/src/i18n/*.ts (each only imports dict.ts). */
export async function translationTables(): Promise<{
  zh: Record<string, string>;
  en: Record<string, string>;
}> {
  const dir = path.join(ROOT, "web/src/i18n");
  const zh: Record<string, string> = {};
  const en: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".ts") || f === "index.ts" || f === "dict.ts") continue;
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as {
      default?: { zh: Record<string, string>; en: Record<string, string> };
    };
    if (!mod.default?.zh || !mod.default.en)
      throw new Error(`web/src/i18n/${f}: no default dict(zh, en) export`);
    Object.assign(zh, mod.default.zh);
    Object.assign(en, mod.default.en);
  }
  return { zh, en };
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/;

export interface Leak {
  /** The visible text (or attribute value) that still shows Chinese in English. */
  text: string;
  /** What is left after the known data is taken out. */
  rest: string;
  /** The message(s) of the zh-CN table whose text it contains, when any (else: a hard-coded string). */
  keys: string[];
}

/**
 * The page is expected to be in English. Every visible text (text nodes, <option>s, and the aria-label,
 * title, placeholder and alt attributes) is taken and the known data cut out of it — `data`: the site's
 * name, target names, notes, anything the test itself typed in Chinese (WebStack.dataTexts has the
 * config's). With `data` given (strict), whatever Chinese is left is a leak: a string that did not go
 * through the English table. Without it, only texts containing the fixed text of a zh-CN message are
 * leaks (a hard-coded copy of a message), since unknown data cannot be told from a hard-coded string.
 * Each leak names the zh-CN messages whose text it contains, or none for a string not in the tables.
 * Text inside an element whose lang attribute marks another language than the page's (the toggle's
 * "中文" on the English page) is not UI text in the page's language.
 */
export async function englishLeak(
  page: Page,
  o: { data?: readonly string[]; tables?: { zh: Record<string, string>; en: Record<string, string> } } = {},
): Promise<{ leaks: Leak[] }> {
  const { zh, en } = o.tables ?? (await translationTables());
  const data = o.data ?? [];
  const texts: string[] = await page.evaluate(() => {
    const out: string[] = [];
    const visible = (e: Dom) => {
      const s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden") return false;
      const r = e.getBoundingClientRect();
      // .sr-only text is for screen readers: still UI, still checked.
      return r.width > 0 || r.height > 0 || e.closest(".sr-only") !== null;
    };
    const otherLanguage = (e: Dom) => {
      const marked = e.closest("[lang]");
      return (
        marked &&
        marked !== document.documentElement &&
        marked.getAttribute("lang") !== document.documentElement.lang
      );
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const parent = n.parentElement;
      if (!text || !parent || parent.closest("script,style,noscript") || !visible(parent)) continue;
      if (otherLanguage(parent)) continue;
      out.push(text);
    }
    for (const e of Array.from(
      document.querySelectorAll("[aria-label],[title],[placeholder],[alt]") as Dom[],
    )) {
      if (!visible(e) || otherLanguage(e)) continue;
      for (const a of ["aria-label", "title", "placeholder", "alt"]) {
        const v = e.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    }
    // <option>s of a closed <select> have no box but are UI all the same.
    for (const o of Array.from(document.querySelectorAll("select option") as Dom[]))
      if (visible(o.closest("select")) && o.textContent.trim()) out.push(o.textContent.trim());
    out.push(document.title);
    return out;
  });
  const known = [...new Set(data)].filter((d) => d.trim()).sort((a, b) => b.length - a.length);
  const messages = Object.entries(zh)
    .filter(([k, z]) => en[k] !== z)
    .map(([key, z]) => ({
      key,
      parts: z
        .split(/\{\w+\}/)
        .map((p) => p.trim())
        .filter((p) => CJK.test(p)),
    }))
    .filter((m) => m.parts.length > 0);
  const leaks: Leak[] = [];
  for (const text of new Set(texts)) {
    let rest = text;
    for (const d of known) rest = rest.split(d).join(" ");
    if (!CJK.test(rest)) continue;
    const keys = messages.filter((m) => m.parts.some((p) => rest.includes(p))).map((m) => m.key);
    if (o.data || keys.length) leaks.push({ text, rest: rest.trim(), keys });
  }
  return { leaks };
}

/**
 * Visible texts that show a formatting bug instead of a value: NaN, undefined, null, Invalid Date,
 * [object Object], an unfilled {placeholder} or a raw message key (e.g. "faults.title").
 */
export async function brokenText(page: Page): Promise<string[]> {
  const texts: string[] = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const parent = n.parentElement;
      if (!text || !parent || parent.closest("script,style,noscript")) continue;
      const st = getComputedStyle(parent);
      if (st.display === "none" || st.visibility === "hidden") continue;
      out.push(text);
    }
    for (const e of Array.from(document.querySelectorAll("[aria-label],[title]") as Dom[]))
      for (const a of ["aria-label", "title"]) {
        const v = e.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    return out;
  });
  const { zh } = await translationTables();
  const keys = new Set(Object.keys(zh));
  return [
    ...new Set(
      texts.filter(
        (t) => /\b(NaN|undefined|null|Invalid Date)\b|\[object Object\]|\{\w+\}/.test(t) || keys.has(t),
      ),
    ),
  ];
}

/** Clicks the header's language toggle until the page is in `locale` (html[lang]). */
export async function switchLocale(page: Page, locale: "en" | "zh-CN"): Promise<void> {
  if ((await page.getAttribute("html", "lang")) === locale) return;
  await page.locator("header.top .tools button").first().click();
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

/** Logs in through the console's form (the real UI path), then waits for the console to show. */
export async function loginUI(page: Page, baseUrl: string, user: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/login`);
  await page.locator('input[name="user"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form button[type="submit"]').click();
  await page.waitForFunction(() => !document.querySelector('input[name="password"]'), undefined, {
    timeout: 10_000,
  });
}

/** Closes a page's context (the page from newPage owns its context). */
export async function closePage(page: Page | undefined): Promise<void> {
  await page?.context().close();
}
