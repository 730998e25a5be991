// The device simulators as a manager sees them: Debian's snmpget/snmpwalk (async, so the in-process agent
// keeps answering), traps caught by a net-snmp receiver, and `opswatch simulate` driven over HTTP and stdin.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import snmp from "net-snmp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SnmpProber } from "../../agent/probers/snmp.js";
import { Check, type SnmpCheck } from "../../config/schema.js";
import type { SimDevice } from "../../sim/device.js";
import { startFirewallSimulator } from "../../sim/firewall-snmp.js";
import { startUpsSimulator } from "../../sim/ups-snmp.js";
import { CLI } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { requirePeer } from "../peers/require-peer.js";

const run = promisify(execFile);
const hasSnmpget = requirePeer("snmpget", "snmp");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const UPS = "1.3.6.1.2.1.33.1";
const ALARM = `.${UPS}.6.3`; // upsWellKnownAlarms, as snmpget prints OIDs
const APC = "1.3.6.1.4.1.318.1.1.1";

/**
 * OID → value as Debian's tools print them (-On numeric OIDs, -Oq value only, -Ot raw TimeTicks,
 * strings unquoted). A missing object reads as "No Such Object…" / "No Such Instance…".
 */
async function snmp_(tool: "snmpget" | "snmpwalk" | "snmpbulkwalk", port: number, ...oids: string[]) {
  const { stdout } = await run(tool, [
    "-v2c",
    "-c",
    "public",
    "-m",
    "",
    "-On",
    "-Oq",
    "-Ot",
    "-t",
    "1",
    "-r",
    "1",
    `127.0.0.1:${port}`,
    ...oids,
  ]);
  const out = new Map<string, string>();
  for (const line of stdout.split("\n").filter(Boolean)) {
    const sp = line.indexOf(" ");
    const value = line.slice(sp + 1).replace(/^"|"$/g, "");
    // A walk ends by repeating the last OID with this note: not a value.
    if (!value.startsWith("No more variables left")) out.set(line.slice(0, sp), value);
  }
  return out;
}
const get = async (port: number, oid: string) => (await snmp_("snmpget", port, oid)).get(`.${oid}`);
const num = async (port: number, oid: string) => Number(await get(port, oid));
const walk = (port: number, oid: string) => snmp_("snmpwalk", port, oid);

interface Received {
  oid: string;
  varbinds: Map<string, unknown>;
}

/** A trap receiver on loopback (net-snmp's): the notifications in arrival order. */
async function trapReceiver() {
  const port = await freePort("udp");
  const traps: Received[] = [];
  const receiver = snmp.createReceiver(
    { port, address: "127.0.0.1", disableAuthorization: true },
    (error: Error | null, n: { pdu: { varbinds: { oid: string; value: unknown }[] } } | null) => {
      if (error || !n) return;
      const varbinds = new Map(
        n.pdu.varbinds.map((v) => [v.oid, Buffer.isBuffer(v.value) ? String(v.value) : v.value]),
      );
      traps.push({ oid: String(varbinds.get("1.3.6.1.6.3.1.1.4.1.0")), varbinds });
    },
  );
  return {
    port,
    traps,
    /** Waits until `n` traps have arrived. */
    async expect(n: number) {
      for (let i = 0; i < 100 && traps.length < n; i++) await sleep(20);
      return traps;
    },
    close: () => new Promise<void>((r) => receiver.close(() => r())),
  };
}

describe.skipIf(!hasSnmpget)("UPS simulator, RFC 1628", () => {
  let ups: SimDevice;
  let receiver: Awaited<ReturnType<typeof trapReceiver>>;
  beforeAll(async () => {
    receiver = await trapReceiver();
  });
  afterAll(() => receiver.close());
  // A fresh UPS per test: alarm ids start at 1.
  const start = async () => {
    receiver.traps.length = 0;
    ups = await startUpsSimulator({ trap: { host: "127.0.0.1", port: receiver.port } });
    return ups.port;
  };
  afterEach(() => ups?.close());

  it("serves ident, battery, input, output and an empty alarm table when healthy", async () => {
    const port = await start();
    const v = await walk(port, UPS);
    expect(
      Object.fromEntries([...v].filter(([oid]) => !/\.(3\.3\.1\.[345]|4\.4\.1\.[345])\.1$/.test(oid))),
    ).toMatchObject({
      [`.${UPS}.1.1.0`]: "opswatch",
      [`.${UPS}.1.2.0`]: "SIM-UPS 10kVA",
      [`.${UPS}.2.1.0`]: "2", // batteryNormal
      [`.${UPS}.2.2.0`]: "0",
      [`.${UPS}.2.4.0`]: "100",
      [`.${UPS}.2.5.0`]: "2160", // 216.0 V: 180.0 + 3.6 × 100
      [`.${UPS}.3.1.0`]: "0",
      [`.${UPS}.3.3.1.2.1`]: "500", // 50.0 Hz
      [`.${UPS}.4.1.0`]: "3", // normal
      [`.${UPS}.4.4.1.2.1`]: "220",
      [`.${UPS}.6.1.0`]: "0",
    });
    expect([...v.keys()].filter((oid) => oid.startsWith(`.${UPS}.6.2`))).toEqual([]);
    const volts = Number(v.get(`.${UPS}.3.3.1.3.1`));
    expect(volts).toBeGreaterThanOrEqual(217);
    expect(volts).toBeLessThanOrEqual(223);
  });

  it("mains failure: on battery, OnBattery + InputBad rows, input 0 V, seconds counting, traps", async () => {
    const port = await start();
    ups.command({ mains: "fail" });
    const v = await walk(port, UPS);
    expect(v.get(`.${UPS}.4.1.0`)).toBe("5");
    expect(v.get(`.${UPS}.3.3.1.3.1`)).toBe("0");
    expect(v.get(`.${UPS}.3.3.1.2.1`)).toBe("0");
    expect(v.get(`.${UPS}.3.1.0`)).toBe("1"); // upsInputLineBads
    expect(v.get(`.${UPS}.6.1.0`)).toBe("2");
    expect(v.get(`.${UPS}.6.2.1.2.1`)).toBe(`${ALARM}.2`);
    expect(v.get(`.${UPS}.6.2.1.2.2`)).toBe(`${ALARM}.6`);
    expect(Number(v.get(`.${UPS}.6.2.1.3.1`))).toBeLessThan(100); // upsAlarmTime: sysUpTime < 1 s
    const first = await num(port, `${UPS}.2.2.0`);
    await sleep(1100);
    expect(await num(port, `${UPS}.2.2.0`)).toBeGreaterThan(first);

    const traps = await receiver.expect(3);
    expect(traps.map((t) => t.oid)).toEqual([
      "1.3.6.1.2.1.33.2.1",
      "1.3.6.1.2.1.33.2.3",
      "1.3.6.1.2.1.33.2.3",
    ]);
    expect(traps[0]?.varbinds.get(`${UPS}.2.2.0`)).toBe(0); // upsSecondsOnBattery at once
    expect(traps[1]?.varbinds.get(`${UPS}.6.2.1.2.1`)).toBe(`${UPS}.6.3.2`);
    expect(traps[2]?.varbinds.get(`${UPS}.6.2.1.2.2`)).toBe(`${UPS}.6.3.6`);
  });

  it("low battery, output off, bypass and overload, then back to normal", async () => {
    const port = await start();
    ups.command({ battery: "low" });
    expect(await num(port, `${UPS}.2.1.0`)).toBe(3);
    expect(await num(port, `${UPS}.2.4.0`)).toBe(20);
    expect(await get(port, `${UPS}.6.2.1.2.1`)).toBe(`${ALARM}.3`);

    ups.command({ output: "off" });
    let v = await walk(port, `${UPS}.4`);
    expect(v.get(`.${UPS}.4.1.0`)).toBe("2"); // none
    expect(v.get(`.${UPS}.4.4.1.2.1`)).toBe("0");
    expect(v.get(`.${UPS}.4.4.1.5.1`)).toBe("0");
    expect(await get(port, `${UPS}.6.2.1.2.2`)).toBe(`${ALARM}.14`); // UpsOutputOff

    ups.command({ reset: true, bypass: "on", overload: "on" });
    v = await walk(port, UPS);
    expect(v.get(`.${UPS}.4.1.0`)).toBe("4"); // bypass
    expect(v.get(`.${UPS}.4.4.1.5.1`)).toBe("115");
    // rows 1 and 2 are gone; OutputOverload (8) and OnBypass (9) are rows 3 and 4
    expect([...v].filter(([oid]) => oid.startsWith(`.${UPS}.6.2.1.2.`))).toEqual([
      [`.${UPS}.6.2.1.2.3`, `${ALARM}.8`],
      [`.${UPS}.6.2.1.2.4`, `${ALARM}.9`],
    ]);

    ups.command({ reset: true });
    v = await walk(port, UPS);
    expect(v.get(`.${UPS}.4.1.0`)).toBe("3");
    expect(v.get(`.${UPS}.2.1.0`)).toBe("2");
    expect(v.get(`.${UPS}.6.1.0`)).toBe("0");
    expect([...v.keys()].filter((oid) => oid.startsWith(`.${UPS}.6.2`))).toEqual([]);
    // added LowBattery, UpsOutputOff, OutputOverload, OnBypass; removed all four
    const traps = await receiver.expect(8);
    expect(traps.filter((t) => t.oid === "1.3.6.1.2.1.33.2.3")).toHaveLength(4);
    expect(traps.filter((t) => t.oid === "1.3.6.1.2.1.33.2.4")).toHaveLength(4);
  });
});

describe.skipIf(!hasSnmpget)("UPS simulator, APC PowerNet", () => {
  let ups: SimDevice;
  let receiver: Awaited<ReturnType<typeof trapReceiver>>;
  beforeAll(async () => {
    receiver = await trapReceiver();
    ups = await startUpsSimulator({ vendor: "apc", trap: { host: "127.0.0.1", port: receiver.port } });
  });
  afterAll(async () => {
    await ups.close();
    await receiver.close();
  });

  it("serves PowerNet, not UPS-MIB, and follows the state", async () => {
    const v = await snmp_(
      "snmpget",
      ups.port,
      "1.3.6.1.2.1.1.2.0",
      `${APC}.1.1.1.0`,
      `${APC}.4.1.1.0`,
      `${APC}.2.2.1.0`,
      `${UPS}.4.1.0`,
    );
    expect([...v.values()]).toEqual([
      ".1.3.6.1.4.1.318.1.3.27",
      "Smart-UPS SRT 10000",
      "2", // onLine
      "100",
      "No Such Object available on this agent at this OID",
    ]);
    ups.command({ mains: "fail" });
    expect(await num(ups.port, `${APC}.4.1.1.0`)).toBe(3); // onBattery
    expect(await num(ups.port, `${APC}.3.2.1.0`)).toBe(0);
    expect((await receiver.expect(1)).map((t) => t.oid)).toEqual(["1.3.6.1.4.1.318.0.5"]);
    ups.command({ output: "off" });
    expect(await num(ups.port, `${APC}.4.1.1.0`)).toBe(7); // off
    expect(await num(ups.port, `${APC}.4.2.3.0`)).toBe(0);
    // no load: runtime capped at 120 min = 720 000 TimeTicks
    expect(await num(ups.port, `${APC}.2.2.3.0`)).toBe(720_000);
  });
});

const IF = "1.3.6.1.2.1.2.2.1";
const IFX = "1.3.6.1.2.1.31.1.1.1";
const VRRP_STATE = "1.3.6.1.2.1.68.1.3.1.3";

describe.skipIf(!hasSnmpget)("firewall simulator", () => {
  let fw: SimDevice;
  let receiver: Awaited<ReturnType<typeof trapReceiver>>;
  beforeAll(async () => {
    receiver = await trapReceiver();
  });
  afterAll(() => receiver.close());
  afterEach(() => fw?.close());
  const start = async (vendor: "huawei" | "h3c") => {
    receiver.traps.length = 0;
    fw = await startFirewallSimulator({ vendor, trap: { host: "127.0.0.1", port: receiver.port } });
    return fw.port;
  };

  it("Huawei: IF-MIB, VRRP, entity CPU/memory; counters grow as Counter64", async () => {
    const port = await start("huawei");
    const v = await snmp_("snmpbulkwalk", port, "1.3.6.1");
    expect(v.get(".1.3.6.1.2.1.1.2.0")).toMatch(/^\.1\.3\.6\.1\.4\.1\.2011\.2\./);
    expect(v.get(".1.3.6.1.2.1.2.1.0")).toBe("4");
    expect(
      [1, 2, 3, 4].map((i) => [v.get(`.${IFX}.1.${i}`), v.get(`.${IFX}.18.${i}`), v.get(`.${IF}.8.${i}`)]),
    ).toEqual([
      ["GigabitEthernet0/0/0", "mgmt", "1"],
      ["GigabitEthernet1/0/1", "uplink-internet", "1"],
      ["GigabitEthernet1/0/2", "downlink-core", "1"],
      ["GigabitEthernet1/0/3", "ha-heartbeat", "1"],
    ]);
    expect(v.get(".1.3.6.1.2.1.68.1.1.0")).toBe("2"); // vrrpNodeVersion
    expect([v.get(`.${VRRP_STATE}.2.1`), v.get(`.${VRRP_STATE}.3.2`)]).toEqual(["3", "3"]);
    const cpu = Number(v.get(".1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.16842753"));
    expect(cpu).toBeGreaterThanOrEqual(14); // 20 ± 6
    expect(cpu).toBeLessThanOrEqual(26);
    expect(v.get(".1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.16777216")).toBe("0"); // the chassis has no CPU

    const { stdout } = await run("snmpget", [
      "-v2c",
      "-c",
      "public",
      "-On",
      `127.0.0.1:${port}`,
      `${IFX}.6.2`,
    ]);
    expect(stdout).toMatch(/= Counter64: \d+/);
    const before = await num(port, `${IFX}.6.2`);
    await sleep(1100);
    // uplink: 300 ± 120 Mbit/s, so at least 22.5 MB/s × (1.1 s − 0.5 s refresh) ≈ 13.5 MB more
    expect((await num(port, `${IFX}.6.2`)) - before).toBeGreaterThan(13_000_000);
  });

  it("interface down/up (linkDown/linkUp), reboot (coldStart), HA role, CPU and memory", async () => {
    const port = await start("huawei");
    fw.command({ "if.GigabitEthernet1/0/1": "down" });
    expect(await num(port, `${IF}.8.2`)).toBe(2);
    const frozen = await num(port, `${IFX}.6.2`);
    await sleep(1100);
    expect(await num(port, `${IFX}.6.2`)).toBe(frozen);
    fw.command({ "if.uplink-internet": "up" });
    expect(await num(port, `${IF}.8.2`)).toBe(1);

    const uptime = await num(port, "1.3.6.1.2.1.1.3.0");
    expect(uptime).toBeGreaterThanOrEqual(100);
    fw.command({ reboot: true });
    expect(await num(port, "1.3.6.1.2.1.1.3.0")).toBeLessThan(Math.min(uptime, 100));
    expect(await num(port, `${IFX}.6.2`)).toBeLessThan(frozen);

    fw.command({ ha: "backup", cpu: "high", mem: "high" });
    const v = await walk(port, "1.3.6.1");
    expect([v.get(`.${VRRP_STATE}.2.1`), v.get(`.${VRRP_STATE}.3.2`)]).toEqual(["2", "2"]);
    expect(v.get(".1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.16842753")).toBe("95");
    expect(v.get(".1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.16842753")).toBe("93");

    const traps = await receiver.expect(3);
    expect(traps.map((t) => t.oid)).toEqual([
      "1.3.6.1.6.3.1.1.5.3",
      "1.3.6.1.6.3.1.1.5.4",
      "1.3.6.1.6.3.1.1.5.1",
    ]);
    expect(traps[0]?.varbinds.get(`${IF}.1.2`)).toBe(2); // ifIndex of the link that went down
    expect(traps[0]?.varbinds.get(`${IF}.8.2`)).toBe(2); // ifOperStatus down
  });

  it("H3C: Comware identity and HH3C-ENTITY-EXT", async () => {
    const port = await start("h3c");
    fw.command({ cpu: 91 });
    const v = await snmp_(
      "snmpget",
      port,
      "1.3.6.1.2.1.1.2.0",
      `${IF}.2.2`,
      "1.3.6.1.4.1.25506.2.6.1.1.1.1.6.2",
    );
    expect([...v.values()]).toEqual([".1.3.6.1.4.1.25506.1.2103", "GigabitEthernet1/0/1 Interface", "91"]);
  });
});

describe("the agent's SNMP prober reads the simulators (profile: auto)", () => {
  const prober = new SnmpProber();
  afterAll(() => prober.close());
  const probe = (port: number, fields: Record<string, unknown> = {}) => {
    const check = Check.parse({
      id: `snmp-${port}`,
      kind: "snmp",
      address: `127.0.0.1:${port}`,
      timeout: "2s",
      profile: "auto",
      ...fields,
    }) as SnmpCheck;
    return prober.probe(check, AbortSignal.timeout(check.timeout));
  };

  it("UPS-MIB and PowerNet normalize alike", async () => {
    for (const vendor of ["rfc1628", "apc"] as const) {
      const ups = await startUpsSimulator({ vendor });
      try {
        ups.command({ mains: "fail" });
        expect((await probe(ups.port)).values, vendor).toMatchObject({
          "ups.status": "OB",
          "ups.output_source": 5,
          "input.voltage": 0,
          "ups.load_powered": true,
          "ups.mains_normal": false,
          "snmp.profile": `system, ups-${vendor}`,
        });
        ups.command({ reset: true, output: "off" });
        expect((await probe(ups.port)).values, vendor).toMatchObject({
          "ups.status": "OFF",
          "ups.load_powered": false,
          "ups.mains_normal": true,
        });
      } finally {
        await ups.close();
      }
    }
  });

  it("a Huawei firewall: CPU, VRRP role, a designated interface", async () => {
    const fw = await startFirewallSimulator({ role: "backup" });
    try {
      fw.command({ cpu: 91, "if.GigabitEthernet1/0/1": "down" });
      const out = await probe(fw.port, { interfaces: [{ match: "uplink-internet", name: "uplink" }] });
      expect(out.values).toMatchObject({
        "fw.cpu_percent": 91, // the chassis row's 0 is left out of the average
        "vrrp.state": 2,
        "if.uplink.oper_status": 2,
        "snmp.profile": "firewall-huawei, system, vrrp, if-mib",
      });
    } finally {
      await fw.close();
    }
  });
});

describe.skipIf(!hasSnmpget)("opswatch simulate (the CLI)", () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  /** Starts the CLI; resolves once its control endpoint answers. */
  async function simulate(args: string[]) {
    const [snmpPort, controlPort] = [await freePort("udp"), await freePort("tcp")];
    const proc = spawn(process.execPath, [
      CLI,
      "simulate",
      ...args,
      "--listen",
      `127.0.0.1:${snmpPort}`,
      "--control",
      `127.0.0.1:${controlPort}`,
      "--log-level",
      "warn",
    ]);
    child = proc;
    let stdout = "";
    proc.stdout.on("data", (d) => {
      stdout += d;
    });
    const control = `http://127.0.0.1:${controlPort}`;
    for (let i = 0; ; i++) {
      if (
        await fetch(`${control}/state`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 100 || proc.exitCode !== null) throw new Error(`simulate did not start: ${stdout}`);
      await sleep(50);
    }
    /** The next line the process prints after `n` lines. */
    const line = async (n: number) => {
      for (let i = 0; i < 100 && stdout.split("\n").length <= n + 1; i++) await sleep(20);
      return stdout.split("\n")[n] ?? "";
    };
    return { snmpPort, control, proc, line };
  }

  it("firewall: POST /state flips it, a bad command is a 400 naming the key, stdin works too", async () => {
    const { snmpPort, control, proc, line } = await simulate([
      "firewall",
      "--vendor",
      "huawei",
      "--role",
      "backup",
    ]);
    expect(await num(snmpPort, `${VRRP_STATE}.2.1`)).toBe(2);
    const res = await fetch(`${control}/state`, {
      method: "POST",
      body: JSON.stringify({ ha: "master", reboot: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ device: "firewall", ha: "master", uptime_s: 0 });
    expect(await num(snmpPort, `${VRRP_STATE}.2.1`)).toBe(3);
    expect(await num(snmpPort, "1.3.6.1.2.1.1.3.0")).toBeLessThan(100);

    const bad = await fetch(`${control}/firewall/state?ha=primary`, { method: "POST" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^ha: /);

    proc.stdin.write("if.2=down\n");
    expect(JSON.parse(await line(0)).interfaces[1]).toMatchObject({
      name: "GigabitEthernet1/0/1",
      status: "down",
    });
    expect(await num(snmpPort, `${IF}.8.2`)).toBe(2);
    proc.stdin.write("nonsense=1\n");
    expect(await line(1)).toMatch(/^error: Unrecognized key: "nonsense" \(known: /);
  });

  it("ups --vendor apc: stdin mains=fail serves onBattery; SIGTERM exits 0", async () => {
    const { snmpPort, proc, line } = await simulate(["ups", "--vendor", "apc"]);
    proc.stdin.write("mains=fail\n");
    expect(JSON.parse(await line(0))).toMatchObject({
      vendor: "apc",
      mains: "fail",
      alarms: ["OnBattery", "InputBad"],
    });
    expect(await num(snmpPort, `${APC}.4.1.1.0`)).toBe(3);
    proc.kill("SIGTERM");
    const [code] = await once(proc, "exit");
    expect(code).toBe(0);
  });
});
