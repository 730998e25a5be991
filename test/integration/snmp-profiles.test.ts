// The SNMP prober through its profiles, against real Debian snmpd processes: a UPS-MIB UPS whose state
// the test flips at runtime (a pass_persist helper re-reading a state file), an APC and a Huawei UPS
// found by `profile: auto`, a Huawei firewall with VRRP and a designated interface (snmpd's own `lo`).
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnmpProber } from "../../agent/probers/snmp.js";
import { Check, type SnmpCheck } from "../../config/schema.js";
import { freePort } from "../peers/ports.js";
import { requirePeer } from "../peers/require-peer.js";
import { type Snmpd, startSnmpd } from "../peers/snmpd.js";

const hasSnmpd = requirePeer("snmpd", "snmpd");

const check = (port: number, fields: Record<string, unknown>) =>
  Check.parse({
    id: "snmp",
    kind: "snmp",
    address: `127.0.0.1:${port}`,
    timeout: "2s",
    ...fields,
  }) as SnmpCheck;

/**
 * pass_persist helper (shell builtins only: it runs per request): answers get/getnext from a file of
 * "OID TYPE VALUE" lines in OID order, re-read at each request so the test can change the device.
 * getnext of an OID in the file gives the next line; of a subtree root, its first line.
 */
const HELPER = `
state=$1
while read -r cmd; do
  case "$cmd" in
    PING) echo PONG ;;
    get|getnext)
      read -r req
      out=NONE; hit=
      while read -r o t v; do
        if [ "$cmd" = get ]; then
          if [ "$o" = "$req" ]; then out="$o
$t
$v"; break; fi
        elif [ -n "$hit" ]; then out="$o
$t
$v"; break
        else
          case "$o" in
            "$req") hit=1 ;;
            "$req".*) out="$o
$t
$v"; break ;;
          esac
        fi
      done < "$state"
      echo "$out" ;;
    set) read -r req; read -r val; echo not-writable ;;
  esac
done
`;

const ups = ".1.3.6.1.2.1.33.1";
type Entry = [oid: string, type: string, value: string | number];
/** UPS-MIB objects of one state, in OID order; alarm ids are upsWellKnownAlarms numbers. */
function upsState(s: {
  battery: number;
  secondsOnBattery: number;
  charge: number;
  lineBads: number;
  inputVoltage: number;
  source: number;
  alarms: number[];
}): Entry[] {
  return [
    [`${ups}.1.1.0`, "string", "ACME Power"],
    [`${ups}.1.2.0`, "string", "PX 3000 RT"],
    [`${ups}.2.1.0`, "integer", s.battery],
    [`${ups}.2.2.0`, "integer", s.secondsOnBattery],
    [`${ups}.2.3.0`, "integer", 25],
    [`${ups}.2.4.0`, "integer", s.charge],
    [`${ups}.2.5.0`, "integer", 1092],
    [`${ups}.3.1.0`, "counter", s.lineBads],
    [`${ups}.3.3.1.2.1`, "integer", 500],
    [`${ups}.3.3.1.3.1`, "integer", s.inputVoltage],
    [`${ups}.4.1.0`, "integer", s.source],
    [`${ups}.4.4.1.2.1`, "integer", 230],
    [`${ups}.4.4.1.5.1`, "integer", 46],
    [`${ups}.6.1.0`, "gauge", s.alarms.length],
    ...s.alarms.map((id, i): Entry => [`${ups}.6.2.1.2.${i + 1}`, "objectid", `${ups}.6.3.${id}`]),
  ];
}

const normal = upsState({
  battery: 2,
  secondsOnBattery: 0,
  charge: 100,
  lineBads: 0,
  inputVoltage: 229,
  source: 3,
  alarms: [],
});

describe.skipIf(!hasSnmpd)("SNMP profiles against Debian snmpd", () => {
  let dir: string;
  let stateFile: string;
  let upsd: Snmpd;
  let apc: Snmpd;
  let huawei: Snmpd;
  let firewall: Snmpd;
  const prober = new SnmpProber();
  const poll = (c: SnmpCheck) => prober.probe(c, AbortSignal.timeout(c.timeout));

  const setState = async (entries: Entry[]) => {
    const tmp = `${stateFile}.tmp`;
    await writeFile(tmp, entries.map((e) => `${e.join(" ")}\n`).join(""));
    await rename(tmp, stateFile); // atomic: the helper never reads half a file
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-ups-"));
    stateFile = path.join(dir, "state");
    const helper = path.join(dir, "helper.sh");
    await writeFile(helper, HELPER);
    await setState(normal);
    const apcBase = ".1.3.6.1.4.1.318.1.1.1";
    const hw = ".1.3.6.1.4.1.2011.6.174.1";
    const entity = ".1.3.6.1.4.1.2011.5.25.31.1.1.1.1";
    [upsd, apc, huawei, firewall] = await Promise.all([
      startSnmpd({ extraConfig: `pass_persist .1.3.6.1.2.1.33 /bin/sh ${helper} ${stateFile}` }),
      // APC PowerNet values (override has no TimeTicks: integers carry the same centiseconds)
      startSnmpd({
        overrides: [
          { oid: `${apcBase}.1.1.1.0`, type: "octet_str", value: "Smart-UPS 3000" },
          { oid: `${apcBase}.2.1.1.0`, type: "integer", value: 2 },
          { oid: `${apcBase}.2.1.2.0`, type: "integer", value: 12_000 },
          { oid: `${apcBase}.2.2.1.0`, type: "integer", value: 97 },
          { oid: `${apcBase}.2.2.3.0`, type: "integer", value: 372_000 },
          { oid: `${apcBase}.2.2.8.0`, type: "integer", value: 54 },
          { oid: `${apcBase}.3.2.1.0`, type: "integer", value: 0 },
          { oid: `${apcBase}.3.2.4.0`, type: "integer", value: 0 },
          { oid: `${apcBase}.4.1.1.0`, type: "integer", value: 3 },
          { oid: `${apcBase}.4.2.1.0`, type: "integer", value: 230 },
          { oid: `${apcBase}.4.2.3.0`, type: "integer", value: 41 },
        ],
      }),
      // a Huawei UPS card: net-snmp's own sysObjectID (snmpd's default), Huawei's UPS MIB
      startSnmpd({
        overrides: [
          { oid: `${hw}.2.100.1.2.1`, type: "octet_str", value: "UPS5000-E" },
          { oid: `${hw}.2.101.1.1.1`, type: "integer", value: 3 },
          { oid: `${hw}.3.100.1.1.1`, type: "integer", value: 2301 },
          { oid: `${hw}.3.100.1.4.1`, type: "integer", value: 5000 },
          { oid: `${hw}.4.100.1.1.1`, type: "integer", value: 2300 },
          { oid: `${hw}.4.100.1.14.1`, type: "integer", value: 253 },
          { oid: `${hw}.6.100.1.1.1`, type: "integer", value: 4080 },
          { oid: `${hw}.6.100.1.3.1`, type: "integer", value: 100 },
          { oid: `${hw}.6.100.1.4.1`, type: "integer", value: 5400 },
        ],
      }),
      // a Huawei USG firewall, VRRP master of one of its two virtual routers
      startSnmpd({
        extraConfig: "sysObjectID .1.3.6.1.4.1.2011.2.239.1",
        overrides: [
          { oid: `${entity}.5.16777216`, type: "integer", value: 0 },
          { oid: `${entity}.5.16842753`, type: "integer", value: 12 },
          { oid: `${entity}.5.16842754`, type: "integer", value: 19 },
          { oid: `${entity}.7.16777216`, type: "integer", value: 0 },
          { oid: `${entity}.7.16842753`, type: "integer", value: 40 },
          { oid: `${entity}.7.16842754`, type: "integer", value: 45 },
          { oid: ".1.3.6.1.2.1.68.1.1.0", type: "integer", value: 2 },
          { oid: ".1.3.6.1.2.1.68.1.3.1.3.1.1", type: "integer", value: 2 },
          { oid: ".1.3.6.1.2.1.68.1.3.1.3.1.2", type: "integer", value: 3 },
        ],
      }),
    ]);
  });
  afterAll(async () => {
    prober.close();
    await Promise.all([upsd, apc, huawei, firewall].map((d) => d?.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("UPS-MIB: normal → on battery → output off → normal, flags following", async () => {
    const c = check(upsd.port, { profile: "ups-rfc1628" });

    const n1 = await poll(c);
    expect(n1).toEqual({
      ok: true,
      values: {
        "ups.mfr": "ACME Power",
        "ups.model": "PX 3000 RT",
        "battery.status": 2,
        "battery.seconds_on_battery": 0,
        "battery.runtime": 1500, // 25 min × 60
        "battery.charge": 100,
        "battery.voltage": 109.2, // 1092 × 0.1 V
        "input.line_bads": 0,
        "input.frequency": 50, // 500 × 0.1 Hz
        "input.voltage": 229,
        "ups.output_source": 3,
        "output.voltage": 230,
        "ups.load": 46,
        "ups.alarms_present": 0,
        "ups.alarms": "",
        "ups.status": "OL",
        "ups.load_powered": true,
        "ups.mains_normal": true, // 229 V within 187–253 V
        "snmp.profile": "ups-rfc1628",
      },
    });

    // mains fails: on battery for 35 s, the input line reads 0 V, alarms OnBattery and InputBad
    await setState(
      upsState({
        battery: 2,
        secondsOnBattery: 35,
        charge: 96,
        lineBads: 1,
        inputVoltage: 0,
        source: 5,
        alarms: [2, 6],
      }),
    );
    const ob = await poll(c);
    expect(ob.ok, ob.error).toBe(true);
    expect(ob.values).toMatchObject({
      "battery.seconds_on_battery": 35,
      "battery.charge": 96,
      "input.line_bads": 1,
      "input.voltage": 0,
      "ups.output_source": 5,
      "ups.alarms": "OnBattery, InputBad",
      "ups.alarms_present": 2,
      "ups.status": "OB",
      "ups.load_powered": true, // on battery the UPS is doing its job
      "ups.mains_normal": false,
    });

    // the battery ran out: output off (source none), battery depleted
    await setState(
      upsState({
        battery: 4,
        secondsOnBattery: 1500,
        charge: 0,
        lineBads: 1,
        inputVoltage: 0,
        source: 2,
        alarms: [4, 14, 6],
      }),
    );
    const off = await poll(c);
    expect(off.values).toMatchObject({
      "battery.status": 4,
      "ups.output_source": 2,
      "ups.alarms": "DepletedBattery, UpsOutputOff, InputBad",
      "ups.alarms_present": 3,
      "ups.status": "LB OFF",
      "ups.load_powered": false,
      "ups.mains_normal": false,
    });

    // mains back; the line-bads counter keeps its count
    await setState(normal.map(([oid, t, v]): Entry => [oid, t, oid === `${ups}.3.1.0` ? 1 : v]));
    const back = await poll(c);
    expect(back.values).toMatchObject({
      "input.line_bads": 1,
      "ups.alarms": "",
      "ups.status": "OL",
      "ups.load_powered": true,
      "ups.mains_normal": true,
    });
  });

  it("profile auto finds the APC PowerNet profile (vendor values mapped to RFC 1628 numbering)", async () => {
    const out = await poll(check(apc.port, { profile: "auto" }));
    expect(out.ok, out.error).toBe(true);
    // ups-apc reads every object it names here: no "not read" list
    expect(out.error).toBeUndefined();
    expect(out.values).toMatchObject({
      "snmp.profile": "ups-apc, system",
      "ups.model": "Smart-UPS 3000",
      "ups.output_source": 5, // onBattery(3) → battery(5)
      "battery.status": 2,
      "battery.seconds_on_battery": 120, // 12,000 cs
      "battery.runtime": 3720, // 372,000 cs
      "battery.charge": 97,
      "ups.load": 41,
      "ups.alarms": "OnBattery",
      "ups.status": "OB",
      "ups.load_powered": true,
      "ups.mains_normal": false,
      "sys.object_id": "1.3.6.1.4.1.8072.3.2.10",
    });
    expect(out.values["sys.uptime_seconds"]).toBeGreaterThan(0);
  });

  it("profile auto finds a Huawei UPS card although its sysObjectID is net-snmp's generic one", async () => {
    const out = await poll(check(huawei.port, { profile: "auto" }));
    expect(out.ok, out.error).toBe(true);
    expect(out.values).toMatchObject({
      "snmp.profile": "ups-huawei, system",
      "sys.object_id": "1.3.6.1.4.1.8072.3.2.10",
      "ups.model": "UPS5000-E",
      "ups.output_source": 3, // supply method normal(3)
      "input.voltage": 230.1, // 2301 × 0.1 V
      "input.frequency": 50, // 5000 × 0.01 Hz
      "output.voltage": 230,
      "ups.load": 25.3,
      "battery.voltage": 408,
      "battery.runtime": 5400,
      "ups.alarms": "",
      "ups.status": "OL",
      "ups.load_powered": true,
      "ups.mains_normal": true,
    });
  });

  it("firewall: Huawei CPU/memory, VRRP role and the designated interface lo with its traffic rate", async () => {
    const c = check(firewall.port, { profile: "auto", interfaces: [{ match: "lo", name: "lo" }] });
    const first = await poll(c);
    expect(first.ok, first.error).toBe(true);
    expect(first.values).toMatchObject({
      "snmp.profile": "firewall-huawei, system, vrrp, if-mib",
      "sys.object_id": "1.3.6.1.4.1.2011.2.239.1",
      "fw.cpu_percent": 15.5, // (12 + 19) / 2: the board without a CPU (0) is left out
      "fw.mem_percent": 42.5, // (40 + 45) / 2
      "vrrp.state": 3,
      "if.lo.oper_status": 1,
    });
    expect(first.values["if.lo.in_bps"]).toBeUndefined(); // a rate needs two polls
    await new Promise((r) => setTimeout(r, 1100));
    const second = await poll(c);
    expect(second.values["if.lo.in_bps"]).toBeGreaterThanOrEqual(0);
    expect(second.values["if.lo.out_bps"]).toBeGreaterThanOrEqual(0);
  });

  it("a designated interface that does not exist is listed, the rest of the poll stands", async () => {
    const out = await poll(
      check(firewall.port, { profile: "if-mib", interfaces: ["lo", "GigabitEthernet9/9/9"] }),
    );
    expect(out).toMatchObject({
      ok: true,
      error: 'not read: if.gigabitethernet9_9_9: no interface named "GigabitEthernet9/9/9"',
      values: { "if.lo.oper_status": 1, "snmp.profile": "if-mib" },
    });
  });

  it("objects the device lacks are listed; a poll where nothing answers fails", async () => {
    const partial = await poll(
      check(huawei.port, {
        profile: "system",
        oids: { "ups.serial": "1.3.6.1.4.1.2011.6.174.1.2.100.1.5.1" },
      }),
    );
    expect(partial.ok).toBe(true);
    expect(partial.error).toBe("not read: ups.serial (1.3.6.1.4.1.2011.6.174.1.2.100.1.5.1): noSuchObject");
    expect(partial.values["sys.uptime_seconds"]).toBeGreaterThan(0);

    const none = await poll(check(huawei.port, { profile: "ups-eaton" }));
    expect(none.ok).toBe(false);
    expect(none.error).toMatch(
      /^nothing answered: ups\.mfr \(1\.3\.6\.1\.4\.1\.534\.1\.1\.1\.0\): noSuchObject; /,
    );
  });

  it("raw oids over SNMP v1, without a profile", async () => {
    const out = await poll(
      check(upsd.port, {
        version: "1",
        oids: {
          "ups.output_source": `${ups}.4.1.0`,
          "battery.charge": `${ups}.2.4.0`,
          "x.missing": "1.3.6.1.2.1.33.1.99.0",
        },
      }),
    );
    expect(out).toEqual({
      ok: true,
      error: "not read: x.missing (1.3.6.1.2.1.33.1.99.0): noSuchObject",
      values: {
        "ups.output_source": 3,
        "battery.charge": 100,
        "ups.load_powered": true,
        "ups.mains_normal": true,
      },
    });
  });

  it("a device that never answers: a failed poll within the timeout, naming the likely causes", async () => {
    const silent = await freePort("udp");
    const c = check(silent, { profile: "ups-rfc1628", timeout: "300ms", retries: 0 });
    const started = Date.now();
    const out = await poll(c);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(
      /^timeout: no answer from 127\.0\.0\.1:\d+ in 3\d\d ms \(device down, or wrong community/,
    );
  });
});

describe.skipIf(!hasSnmpd)("designated interfaces of a device that renumbers them", () => {
  let dir: string;
  let snmpd: Snmpd;
  const prober = new SnmpProber();
  const ifTable = ".1.3.6.1.2.1.2.2.1";
  const ifXTable = ".1.3.6.1.2.1.31.1.1.1";
  /** The device's interface rows: GE1/0/1 at ifIndex `index` with these octet counters (Counter64). */
  const setRows = async (index: number, inOctets: number, outOctets: number) => {
    const write = async (file: string, entries: Entry[]) => {
      await writeFile(`${file}.tmp`, entries.map((e) => `${e.join(" ")}\n`).join(""));
      await rename(`${file}.tmp`, file);
    };
    await write(path.join(dir, "if"), [
      [`${ifTable}.2.1`, "string", "lo"],
      [`${ifTable}.2.${index}`, "string", "GigabitEthernet1/0/1"],
      [`${ifTable}.8.1`, "integer", 1],
      [`${ifTable}.8.${index}`, "integer", 1],
    ]);
    await write(path.join(dir, "ifx"), [
      [`${ifXTable}.1.1`, "string", "lo"],
      [`${ifXTable}.1.${index}`, "string", "GE1/0/1"],
      [`${ifXTable}.6.1`, "counter64", 0],
      [`${ifXTable}.6.${index}`, "counter64", inOctets],
      [`${ifXTable}.10.1`, "counter64", 0],
      [`${ifXTable}.10.${index}`, "counter64", outOctets],
      [`${ifXTable}.18.1`, "string", ""],
      [`${ifXTable}.18.${index}`, "string", "uplink to ISP"],
    ]);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-if-"));
    const helper = path.join(dir, "helper.sh");
    await writeFile(helper, HELPER);
    await setRows(3, 5_000_000_000, 1_000);
    // the device's interface tables come from the helper, not from snmpd's own IF-MIB modules
    snmpd = await startSnmpd({
      excludeModules: ["ifTable", "ifXTable"],
      extraConfig: [
        `pass_persist ${ifTable} /bin/sh ${helper} ${path.join(dir, "if")}`,
        `pass_persist ${ifXTable} /bin/sh ${helper} ${path.join(dir, "ifx")}`,
      ].join("\n"),
    });
  });
  afterAll(async () => {
    prober.close();
    await snmpd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("finds the interface by ifAlias, follows it to its new ifIndex, and rates its Counter64 octets", async () => {
    const c = check(snmpd.port, {
      profile: "if-mib",
      interfaces: [{ match: "uplink to ISP", name: "uplink" }],
    });
    const t0 = Date.now();
    const first = await prober.probe(c, AbortSignal.timeout(c.timeout));
    const t1 = Date.now();
    expect(first).toEqual({ ok: true, values: { "if.uplink.oper_status": 1, "snmp.profile": "if-mib" } });

    // the device renumbered its interfaces (ifIndex 3 → 7) and 1,000,000 octets came in meanwhile
    await setRows(7, 5_001_000_000, 1_000);
    await new Promise((r) => setTimeout(r, 300));
    const t2 = Date.now();
    const second = await prober.probe(c, AbortSignal.timeout(c.timeout));
    const t3 = Date.now();
    expect(second.ok, second.error).toBe(true);
    expect(second.error).toBeUndefined(); // the vanished row was found again within the same poll
    expect(second.values["if.uplink.oper_status"]).toBe(1);
    expect(second.values["if.uplink.out_bps"]).toBe(0);
    // 1,000,000 octets × 8 bits over the time between the two reads, which lies in [t2 − t1, t3 − t0]
    const bps = second.values["if.uplink.in_bps"] as number;
    expect(bps).toBeGreaterThanOrEqual((8_000_000 * 1000) / (t3 - t0));
    expect(bps).toBeLessThanOrEqual((8_000_000 * 1000) / (t2 - t1));

    // the counter went down (counters cleared): no rate this poll, one again the next
    await setRows(7, 500, 1_000);
    expect(
      (await prober.probe(c, AbortSignal.timeout(c.timeout))).values["if.uplink.in_bps"],
    ).toBeUndefined();
    await setRows(7, 1_500, 1_000);
    expect(
      (await prober.probe(c, AbortSignal.timeout(c.timeout))).values["if.uplink.in_bps"],
    ).toBeGreaterThan(0);
  });
});
