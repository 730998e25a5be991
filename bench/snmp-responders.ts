// The devices both pollers poll: Debian snmpd processes serving a UPS on mains (bench/snmp-ups.ts) with
// `override` lines, each listening on up to 125 loopback UDP ports, one port per simulated device.
// snmpd (single-threaded C) opens at most 128 transports per process, hence several processes.
import { type ChildProcess, spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import snmp from "net-snmp";
import { UPS, UPS_OBJECTS } from "./snmp-ups.js";

export const PORTS_PER_SNMPD = 125;

export interface Device {
  host: string;
  port: number;
}

/** SNMPv2-MIB snmp group counters summed over all snmpd processes. */
export interface SnmpdCounters {
  inPkts: number; // snmpInPkts: every request datagram
  inGets: number; // snmpInGetRequests
  inGetNexts: number; // snmpInGetNexts (GETBULK is counted nowhere else)
}
const COUNTERS = {
  inPkts: "1.3.6.1.2.1.11.1.0",
  inGets: "1.3.6.1.2.1.11.15.0",
  inGetNexts: "1.3.6.1.2.1.11.16.0",
} as const;

export interface Responders {
  devices: Device[];
  pids: number[];
  counters(): Promise<SnmpdCounters>;
  stop(): Promise<void>;
}

/** Starts ceil(n / 125) snmpd processes serving n devices; resolves once every process answers. */
export async function startResponders(n: number, snmpdPath = "/usr/sbin/snmpd"): Promise<Responders> {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-bench-snmpd-"));
  const ports = await freeUdpPorts(n);
  const groups: number[][] = [];
  for (let i = 0; i < ports.length; i += PORTS_PER_SNMPD) groups.push(ports.slice(i, i + PORTS_PER_SNMPD));
  const overrides = UPS_OBJECTS.flatMap(({ oid, instance, type, value }) =>
    instance === undefined
      ? []
      : [`override .${oid}.${instance} ${type} ${type === "octet_str" ? JSON.stringify(value) : value}`],
  );
  const output: string[] = groups.map(() => "");
  const children: ChildProcess[] = groups.map((group, i) => {
    const conf = join(dir, `snmpd-${i}.conf`);
    writeFileSync(
      conf,
      [
        `agentAddress ${group.map((p) => `udp:127.0.0.1:${p}`).join(",")}`,
        "rocommunity public 127.0.0.1",
        ...overrides,
        "",
      ].join("\n"),
    );
    // Flags as in test/peers/snmpd.ts: no system config, no MIB files, warnings only, no TCP smux.
    const child = spawn(
      snmpdPath,
      ["-f", "-LOw", "-C", "-m", ":", "-I", "-smux", "-c", conf, "-p", join(dir, `snmpd-${i}.pid`)],
      {
        env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, `persist-${i}`) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    // Kept for the error message (e.g. a port taken since it was picked).
    const keep = (d: Buffer) => {
      output[i] = ((output[i] ?? "") + d).slice(-2000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    return child;
  });
  const get = (port: number, oids: string[]) =>
    new Promise<snmp.Varbind[]>((resolve, reject) => {
      // net-snmp takes the port per session; a throwaway session per call is fine at this rate.
      const s = snmp.createSession("127.0.0.1", "public", {
        port,
        version: snmp.Version2c,
        timeout: 500,
        retries: 2,
      });
      s.on("error", () => {});
      s.get(oids, (err, vbs) => {
        s.close();
        if (err) reject(err);
        else resolve(vbs ?? []);
      });
    });

  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Every process answers on its first and last port (all its transports are open by then).
    const deadline = Date.now() + 15_000;
    for (const [i, group] of groups.entries()) {
      for (const port of [group[0], group.at(-1)] as number[]) {
        for (;;) {
          try {
            await get(port, [`${UPS}.2.4.0`]);
            break;
          } catch (err) {
            if (Date.now() > deadline || children[i]?.exitCode !== null)
              throw new Error(
                `snmpd on 127.0.0.1:${port} did not answer (${err}); its output:\n${output[i]}`,
              );
            await sleep(50);
          }
        }
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    devices: ports.map((port) => ({ host: "127.0.0.1", port })),
    pids: children.map((c) => c.pid as number),
    async counters() {
      const sums: SnmpdCounters = { inPkts: 0, inGets: 0, inGetNexts: 0 };
      const keys = Object.keys(COUNTERS) as (keyof SnmpdCounters)[];
      for (const group of groups) {
        const vbs = await get(
          group[0] as number,
          keys.map((k) => COUNTERS[k]),
        );
        keys.forEach((k, i) => {
          sums[k] += Number(vbs[i]?.value);
        });
      }
      return sums;
    },
    stop,
  };
}

/** n distinct loopback UDP ports that were free a moment ago (all bound at once, then released). */
async function freeUdpPorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<dgram.Socket>((resolve, reject) => {
          const s = dgram.createSocket("udp4");
          s.once("error", reject);
          s.bind(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}
