import type { Config } from "../config/schema.js";
import type { Logger } from "../lib/log.js";
import { startHttpSite } from "./http-site.js";
import { startUpsSimulator } from "./ups-snmp.js";

/** Starts the simulators the demo config asks for; returns a function that stops them all. */
export async function startDemoSimulators(
  demo: NonNullable<Config["demo"]>,
  log: Logger,
): Promise<() => Promise<void>> {
  const stops: (() => Promise<void> | void)[] = [];
  if (demo.ups_snmp) {
    const ups = await startUpsSimulator({ port: demo.ups_snmp.port });
    stops.push(() => ups.close());
    log.info({ address: `127.0.0.1:${ups.port}` }, "UPS simulator (SNMP v2c, community public) started");
  }
  if (demo.http_site) {
    const site = await startHttpSite({ port: demo.http_site.port });
    stops.push(() => site.close());
    log.info({ url: site.url }, "portal simulator started");
  }
  return async () => {
    for (const s of stops) await s();
  };
}
