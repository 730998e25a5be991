import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnmpProber } from "../../agent/probers/snmp.js";
import { Check, type SnmpCheck } from "../../config/schema.js";
import { startUpsSimulator, UPS_DEMO_OIDS, type UpsSimulator } from "../../sim/ups-snmp.js";
import { requirePeer } from "../peers/require-peer.js";
import { type Snmpd, startSnmpd } from "../peers/snmpd.js";

const hasSnmpget = requirePeer("snmpget", "snmp");
const hasSnmpd = requirePeer("snmpd", "snmpd");

const check = (port: number, fields: Record<string, unknown>) =>
  Check.parse({
    id: "ups1",
    kind: "snmp",
    address: `127.0.0.1:${port}`,
    timeout: "2s",
    ...fields,
  }) as SnmpCheck;
const probe = (prober: SnmpProber, c: SnmpCheck) => prober.probe(c, AbortSignal.timeout(c.timeout));

describe("SnmpProber against the UPS simulator (net-snmp agent)", () => {
  let sim: UpsSimulator;
  const prober = new SnmpProber();
  beforeAll(async () => {
    sim = await startUpsSimulator({ port: 0 });
  });
  afterAll(async () => {
    prober.close();
    await sim.close();
  });

  it("reads every demo value of a healthy UPS on mains", async () => {
    const out = await probe(prober, check(sim.port, { oids: UPS_DEMO_OIDS }));
    expect(out.ok, out.error).toBe(true);
    const v = out.values;
    expect(v).toMatchObject({
      "battery.status": 2,
      "battery.seconds_on_battery": 0,
      "input.line_bads": 0,
      "ups.output_source": 3,
      "ups.alarms_present": 0,
    });
    expect(v["battery.charge"]).toBeGreaterThanOrEqual(95);
    expect(v["battery.charge"]).toBeLessThanOrEqual(100);
    expect(v["input.voltage"]).toBeGreaterThanOrEqual(217);
    expect(v["input.voltage"]).toBeLessThanOrEqual(223);
    expect(v["ups.load"]).toBeGreaterThanOrEqual(35);
    expect(v["ups.load"]).toBeLessThanOrEqual(45);
    expect(v["battery.runtime_minutes"]).toBeGreaterThan(0);
  });

  it("serves system scalars, with sysUpTime increasing", async () => {
    const c = check(sim.port, {
      version: "1",
      oids: {
        "sys.descr": ".1.3.6.1.2.1.1.1.0",
        "sys.object_id": "1.3.6.1.2.1.1.2.0",
        "sys.uptime": "1.3.6.1.2.1.1.3.0",
      },
    });
    const first = await probe(prober, c);
    expect(first.values).toMatchObject({
      "sys.descr": expect.stringContaining("UPS"),
      "sys.object_id": "1.3.6.1.2.1.33",
    });
    await new Promise((r) => setTimeout(r, 1100));
    const second = await probe(prober, c);
    expect(second.values["sys.uptime"]).toBeGreaterThan(Number(first.values["sys.uptime"]));
  });

  it.skipIf(!hasSnmpget)("answers Debian's snmpget", async () => {
    const { stdout } = await promisify(execFile)("snmpget", [
      "-v2c",
      "-c",
      "public",
      "-On",
      `127.0.0.1:${sim.port}`,
      UPS_DEMO_OIDS["battery.charge"],
    ]);
    expect(stdout).toMatch(/^\.1\.3\.6\.1\.2\.1\.33\.1\.2\.4\.0 = INTEGER: (9[5-9]|100)$/m);
  });
});

describe.skipIf(!hasSnmpd)("SnmpProber against Debian snmpd", () => {
  let snmpd: Snmpd;
  const prober = new SnmpProber();
  const oids = {
    "battery.status": "1.3.6.1.2.1.33.1.2.1.0",
    "battery.charge": ".1.3.6.1.2.1.33.1.2.4.0",
    "input.line_bads": "1.3.6.1.2.1.33.1.3.1.0",
    "ups.output_source": "1.3.6.1.2.1.33.1.4.1.0",
    "ups.alarms_present": "1.3.6.1.2.1.33.1.6.1.0",
    "ups.alarm1": "1.3.6.1.2.1.33.1.6.2.1.2.1",
    "ups.name": "1.3.6.1.2.1.33.1.1.5.0",
  };
  beforeAll(async () => {
    snmpd = await startSnmpd({
      overrides: [
        { oid: ".1.3.6.1.2.1.33.1.2.1.0", type: "integer", value: 2 },
        { oid: ".1.3.6.1.2.1.33.1.2.4.0", type: "integer", value: 87 },
        { oid: ".1.3.6.1.2.1.33.1.3.1.0", type: "counter", value: 4 },
        { oid: ".1.3.6.1.2.1.33.1.4.1.0", type: "integer", value: 5 },
        { oid: ".1.3.6.1.2.1.33.1.6.1.0", type: "uinteger", value: 1 },
        { oid: ".1.3.6.1.2.1.33.1.6.2.1.2.1", type: "object_id", value: ".1.3.6.1.2.1.33.1.6.3.2" },
        { oid: ".1.3.6.1.2.1.33.1.1.5.0", type: "octet_str", value: "1号UPS 机房A" },
      ],
    });
  });
  afterAll(async () => {
    prober.close();
    await snmpd?.stop();
  });

  const expected = {
    "battery.status": 2,
    "battery.charge": 87,
    "input.line_bads": 4,
    "ups.output_source": 5,
    "ups.alarms_present": 1,
    "ups.alarm1": "1.3.6.1.2.1.33.1.6.3.2",
    "ups.name": "1号UPS 机房A",
  };

  it.each(["1", "2c"])("reads exact values over SNMP v%s", async (version) => {
    expect(await probe(prober, check(snmpd.port, { version, oids }))).toEqual({ ok: true, values: expected });
  });

  it("reads sysUpTime as a number of centiseconds", async () => {
    const out = await probe(prober, check(snmpd.port, { oids: { "sys.uptime": "1.3.6.1.2.1.1.3.0" } }));
    expect(out.values["sys.uptime"]).toBeTypeOf("number");
  });

  it("fails with a timeout on a wrong community", async () => {
    const started = Date.now();
    const out = await probe(prober, check(snmpd.port, { community: "wrong", timeout: "600ms", oids }));
    expect(out).toEqual({
      ok: false,
      error: `timeout (no SNMP answer from 127.0.0.1:${snmpd.port}; wrong community also looks like this)`,
      values: {},
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("fails naming a missing value, still reporting those that arrived (v2c)", async () => {
    const c = check(snmpd.port, {
      oids: { "battery.charge": oids["battery.charge"], "ups.temp": "1.3.6.1.2.1.33.1.2.7.0" },
    });
    expect(await probe(prober, c)).toEqual({
      ok: false,
      error: "ups.temp (1.3.6.1.2.1.33.1.2.7.0): noSuchObject",
      values: { "battery.charge": 87 },
    });
  });

  it("fails naming a missing value over SNMP v1 (the whole request fails)", async () => {
    const c = check(snmpd.port, {
      version: "1",
      oids: { "battery.charge": oids["battery.charge"], "ups.temp": "1.3.6.1.2.1.33.1.2.7.0" },
    });
    expect(await probe(prober, c)).toEqual({
      ok: false,
      error: "ups.temp (1.3.6.1.2.1.33.1.2.7.0): noSuchName",
      values: {},
    });
  });

  it("stops waiting when the signal aborts", async () => {
    const c = check(snmpd.port, { community: "wrong", timeout: "10s", oids });
    const started = Date.now();
    const out = await prober.probe(c, AbortSignal.timeout(200));
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^timeout/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("opens a fresh session after close()", async () => {
    prober.close();
    expect((await probe(prober, check(snmpd.port, { oids }))).ok).toBe(true);
  });
});
