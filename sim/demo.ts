import type { Config } from "../config/schema.js";
import type { Logger } from "../lib/log.js";
import { startControlServer } from "./control.js";
import type { SimDevice } from "./device.js";
import { startFirewallSimulator } from "./firewall-snmp.js";
import { startHttpSite } from "./http-site.js";
import { startUpsSimulator } from "./ups-snmp.js";

/** Starts the simulators the demo config asks for; returns a function that stops them all. */
export async function startDemoSimulators(
  demo: NonNullable<Config["demo"]>,
  log: Logger,
): Promise<() => Promise<void>> {
  const stops: (() => Promise<void> | void)[] = [];
  const devices: Record<string, SimDevice> = {};
  if (demo.ups_snmp) {
    const ups = await startUpsSimulator({ ...demo.ups_snmp, log });
    stops.push(() => ups.close());
    devices.ups = ups;
    log.info(
      { address: `${demo.ups_snmp.host}:${ups.port}` },
      "UPS simulator (SNMP v2c, community public) started",
    );
  }
  if (demo.firewall_snmp) {
    const fw = await startFirewallSimulator({ ...demo.firewall_snmp, log });
    stops.push(() => fw.close());
    devices.firewall = fw;
    log.info(
      { address: `${demo.firewall_snmp.host}:${fw.port}` },
      "firewall simulator (SNMP v2c, community public) started",
    );
  }
  if (demo.sim_control) {
    const control = await startControlServer(devices, demo.sim_control, log);
    stops.push(() => control.close());
  }
  if (demo.http_site) {
    const site = await startHttpSite({ port: demo.http_site.port, httpsPort: demo.https_site?.port });
    stops.push(() => site.close());
    log.info({ url: site.url, https: site.httpsUrl }, "portal simulator started");
  }
  return async () => {
    for (const s of stops.reverse()) await s();
  };
}
