// Parent side of bench/http-site-child.ts: the HTTP benchmark's web site in its own process (its CPU is
// reported, not counted against either prober).
import type { FromSite, SiteCounts, SiteInput, ToSite } from "./http-site-child.js";
import { forkChild, siblingPath } from "./ipc.js";

export { PAGE_BYTES } from "./http-site-child.js";

export interface Site {
  pid: number;
  /** Page N's URL. */
  url(n: number): string;
  counts(): Promise<SiteCounts>;
  stop(): Promise<void>;
}

export async function startSite(input: SiteInput): Promise<Site> {
  const c = forkChild<ToSite, FromSite>(
    siblingPath(import.meta.url, "http-site-child"),
    process.execArgv,
    "site",
  );
  const ready = c.next("ready");
  c.send({ type: "start", input });
  const { port } = await ready;
  const origin = `http://${input.host.includes(":") ? `[${input.host}]` : input.host}:${port}`;
  return {
    pid: c.pid,
    url: (n) => `${origin}/page/${n}`,
    async counts() {
      const reply = c.next("counts");
      c.send({ type: "count" });
      return (await reply).counts;
    },
    async stop() {
      const stopped = c.next("stopped");
      c.send({ type: "stop" });
      await stopped;
      await c.exited();
    },
  };
}
