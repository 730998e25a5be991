// The browser test harness itself: a real stack, a real chromium, the page at / shows the site's name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeBrowser, closePage, consoleErrors, newPage, screenshot } from "../peers/browser.js";
import { requirePeer } from "../peers/require-peer.js";
import { startWebStack, type WebStack } from "../peers/web-stack.js";

const hasChromium = requirePeer("chromium", "chromium");

describe.skipIf(!hasChromium)("browser harness", () => {
  let stack: WebStack;
  beforeAll(async () => {
    stack = await startWebStack();
  });
  afterAll(async () => {
    await closeBrowser();
    await stack?.stop();
  });

  it("serves the UI at / with the site's name, without script errors", async () => {
    const page = await newPage();
    try {
      await page.goto(`${stack.url}/`);
      await page.getByText(stack.site.name).first().waitFor({ timeout: 10_000 });
      await screenshot(page, "smoke-home");
      expect(consoleErrors(page)).toEqual([]);
    } finally {
      await closePage(page);
    }
  });

  it("made the users and tokens with the CLI", async () => {
    for (const role of ["admin", "operator", "viewer"] as const) {
      const r = await stack.api(role, "/api/v1/targets");
      expect(r.status, role).toBe(200);
    }
    const anonymous = await fetch(`${stack.url}/api/v1/targets`);
    expect(anonymous.status).toBe(401);
  });
});
