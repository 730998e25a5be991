import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { VarbindResult } from "../../agent/snmp/client.js";
import { detectionOids, detectProfiles } from "../../agent/snmp/detect.js";
import { resolveInterfaces } from "../../agent/snmp/profile-interfaces.js";
import { loadProfiles, ProfileLoadError } from "../../agent/snmp/profile-registry.js";
import { ConfigError, parseConfig } from "../../config/load.js";
import type { SnmpCheck } from "../../config/schema.js";

const registry = loadProfiles();

describe("built-in profiles", () => {
  it("ship the profiles the issue asks for, each valid on its own", () => {
    expect(registry.names()).toEqual([
      "firewall-h3c",
      "firewall-huawei",
      "host-resources",
      "if-mib",
      "system",
      "ups-apc",
      "ups-eaton",
      "ups-huawei",
      "ups-rfc1628",
      "ups-status",
      "vrrp",
    ]);
    for (const ups of ["ups-rfc1628", "ups-apc", "ups-eaton", "ups-huawei"]) {
      const p = registry.compile([ups]);
      expect(p.status.map((r) => r.token)).toEqual([
        "OL",
        "OB",
        "LB",
        "BYPASS",
        "OFF",
        "OVER",
        "TRIM",
        "BOOST",
        "RB",
      ]);
      expect(Object.keys(p.values)).toContain("ups.output_source");
    }
  });

  it("merge includes once each: a later profile's value replaces an earlier one", () => {
    const p = registry.compile(["host-resources", "firewall-huawei", "vrrp"]);
    expect(p.names).toEqual(["host-resources", "firewall-huawei", "vrrp"]);
    expect(p.values["fw.cpu_percent"]).toMatchObject({
      kind: "walk",
      oid: "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5",
    });
    expect(Object.keys(p.values)).toEqual([
      "sys.uptime_seconds",
      "sys.descr",
      "sys.object_id",
      "fw.cpu_percent",
      "fw.mem_percent",
      "vrrp.state",
    ]);
    expect(() => registry.compile(["ups-foo"])).toThrow('unknown profile "ups-foo"');
  });
});

describe("a site's profiles_dir", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "opswatch-profiles-"));

  it("adds a vendor written in YAML, and may replace a built-in", () => {
    const d = dir();
    writeFileSync(
      join(d, "ups-acme.yaml"),
      [
        "name: ups-acme",
        "description: ACME UPS",
        "include: [ups-status]",
        "values:",
        "  ups.output_source: { get: 1.3.6.1.4.1.99999.1.1.0, map: { 1: 3, 2: 5 } }",
      ].join("\n"),
    );
    writeFileSync(join(d, "vrrp.yaml"), "name: vrrp\ndescription: replaced\n");
    const r = loadProfiles(d);
    expect(r.names()).toContain("ups-acme");
    expect(r.compile(["ups-acme"]).status).toHaveLength(9);
    expect(r.compile(["vrrp"]).values).toEqual({});
    expect(loadProfiles().compile(["vrrp"]).values).toHaveProperty("vrrp.state"); // built-ins untouched
  });

  it("reports every problem with file, line, column and key", () => {
    const d = dir();
    writeFileSync(
      join(d, "ups-bad.yaml"),
      [
        "name: ups-bad",
        "description: broken",
        "values:",
        "  ups.load: { walk: 1.3.6.1.4.1.1.1 }",
        "  ups.model: { get: not-an-oid }",
        "colour: red",
      ].join("\n"),
    );
    writeFileSync(join(d, "other.yaml"), "name: ups-other\ndescription: x\ninclude: [nothing]\n");
    writeFileSync(join(d, "loop-a.yaml"), "name: loop-a\ndescription: x\ninclude: [loop-b]\n");
    writeFileSync(join(d, "loop-b.yaml"), "name: loop-b\ndescription: x\ninclude: [loop-a]\n");
    let error: ProfileLoadError | undefined;
    try {
      loadProfiles(d);
    } catch (e) {
      error = e as ProfileLoadError;
    }
    expect(error).toBeInstanceOf(ProfileLoadError);
    const f = join(d, "ups-bad.yaml");
    expect(error?.message.split("\n")).toEqual([
      `${join(d, "other.yaml")}:1:1: name: must be "other" (the file name)`,
      `${f}:4:3: values.ups.load.reduce: a walk needs reduce: avg | max | min | sum | count`,
      `${f}:5:16: values.ups.model.get: a numeric OID such as 1.3.6.1.2.1.1.3.0`,
      `${f}:6:1: colour: unknown key(s) colour`,
      // includes are checked once every file is read
      `${join(d, "loop-a.yaml")}: (file): include cycle: loop-a → loop-b → loop-a`,
      `${join(d, "loop-b.yaml")}: (file): include cycle: loop-b → loop-a → loop-b`,
    ]);
  });
});

describe("profile: auto", () => {
  const answers = (a: Record<string, string | number>) =>
    new Map<string, VarbindResult>(Object.entries(a).map(([oid, value]) => [oid, { oid, value }]));
  const candidates = registry.candidates();
  const sysObjectID = "1.3.6.1.2.1.1.2.0";

  it("asks every candidate's detection OIDs in one GET", () => {
    const oids = detectionOids(candidates);
    expect(new Set(oids).size).toBe(oids.length);
    expect(oids).toEqual(
      expect.arrayContaining([
        "1.3.6.1.4.1.318.1.1.1.1.1.1.0",
        "1.3.6.1.4.1.2011.6.174.1.2.100.1.2.1",
        "1.3.6.1.2.1.33.1.4.1.0",
        sysObjectID,
      ]),
    );
  });

  it("vendor beats RFC 1628: an APC card serving both is ups-apc", () => {
    const found = detectProfiles(
      candidates,
      answers({
        "1.3.6.1.4.1.318.1.1.1.1.1.1.0": "Smart-UPS 3000",
        "1.3.6.1.2.1.33.1.4.1.0": 3,
        "1.3.6.1.2.1.1.3.0": 100,
        [sysObjectID]: "1.3.6.1.4.1.318.1.3.27",
      }),
    );
    expect(found.sort()).toEqual(["system", "ups-apc"]);
  });

  it("a Huawei UPS card with net-snmp's generic sysObjectID is found by its model OID", () => {
    const found = detectProfiles(
      candidates,
      answers({
        "1.3.6.1.4.1.2011.6.174.1.2.100.1.2.1": "UPS5000-E",
        "1.3.6.1.2.1.25.1.1.0": 5000, // the card's own net-snmp also serves HOST-RESOURCES
        "1.3.6.1.2.1.1.3.0": 100,
        [sysObjectID]: "1.3.6.1.4.1.8072.3.2.10",
      }),
    );
    expect(found.sort()).toEqual(["system", "ups-huawei"]);
  });

  it("a Huawei firewall by sysObjectID, with its VRRP role; an empty answer is not an answer", () => {
    const found = detectProfiles(
      candidates,
      answers({
        "1.3.6.1.2.1.1.3.0": 100,
        [sysObjectID]: "1.3.6.1.4.1.2011.2.239.1",
        "1.3.6.1.2.1.68.1.1.0": 2,
        "1.3.6.1.4.1.318.1.1.1.1.1.1.0": "",
      }),
    );
    expect(found.sort()).toEqual(["firewall-huawei", "system", "vrrp"]);
  });
});

describe("designated interfaces", () => {
  const spec = registry.compile(["if-mib"]).interfaces;
  if (spec === undefined) throw new Error("if-mib has no interfaces section");
  const [ifName, ifAlias] = spec.match_by as [string, string];
  const column = (oid: string, rows: Record<number, string>) =>
    Object.entries(rows).map(([i, value]) => ({ oid: `${oid}.${i}`, value }));

  it("are found by ifName first, then by ifAlias", () => {
    const walks = new Map([
      [ifName, column(ifName, { 1: "lo", 2: "GE1/0/1", 3: "GE1/0/2" })],
      [ifAlias, column(ifAlias, { 1: "", 2: "uplink to ISP", 3: "GE1/0/1" })],
    ]);
    const found = resolveInterfaces(
      [
        { match: "GE1/0/1", name: "a" },
        { match: "uplink to ISP", name: "b" },
        { match: "nowhere", name: "c" },
      ],
      spec,
      walks,
    );
    expect([...found]).toEqual([
      ["a", "2"],
      ["b", "2"],
    ]);
  });
});

describe("config", () => {
  const base = (check: string) =>
    [
      "targets:",
      "  - id: fw",
      "    name: FW",
      "    checks:",
      "      - id: snmp",
      "        kind: snmp",
      check,
    ].join("\n");

  it("takes a profile name or list, and interfaces as names or { match, name }", () => {
    const cfg = parseConfig(
      base(
        [
          "        address: 10.0.0.1:161",
          "        profile: auto",
          "        interfaces: [GigabitEthernet1/0/1, { match: eth1, name: ha }]",
        ].join("\n"),
      ),
      "x.yaml",
    );
    const check = cfg.targets[0]?.checks[0] as SnmpCheck;
    expect(check.profile).toEqual(["auto"]);
    expect(check.oids).toEqual({});
    expect(check.interfaces).toEqual([
      { match: "GigabitEthernet1/0/1", name: "gigabitethernet1_0_1" },
      { match: "eth1", name: "ha" },
    ]);
  });

  it("an unknown profile names the key and lists the known ones; a check must read something", () => {
    const problems = (check: string) => {
      try {
        parseConfig(base(check), "x.yaml");
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
      }
      throw new Error("expected a ConfigError");
    };
    expect(problems("        address: 10.0.0.1:161\n        profile: [system, ups-nope]")).toBe(
      `x.yaml:8:27: targets[0].checks[0].profile[1]: unknown profile "ups-nope" (known: ${registry
        .names()
        .join(", ")}, auto)`,
    );
    expect(problems("        address: 10.0.0.1:161")).toMatch(
      /^x\.yaml:5:9: targets\[0\]\.checks\[0\]\.profile: a profile \(or "auto"\), or at least one OID in oids/,
    );
    expect(
      problems(
        "        address: 10.0.0.1:161\n        profile: auto\n        interfaces: [a, { match: b, name: a }]",
      ),
    ).toMatch(/interfaces: interface names must be unique/);
  });

  it("resolves profiles_dir against the config file and validates its profiles", () => {
    const root = mkdtempSync(join(tmpdir(), "opswatch-cfg-"));
    mkdirSync(join(root, "profiles"));
    writeFileSync(join(root, "profiles", "ups-acme.yaml"), "name: ups-acme\ndescription: ACME\n");
    const cfg = parseConfig(
      base("        address: 10.0.0.1:161\n        profile: ups-acme\n        profiles_dir: profiles"),
      join(root, "opswatch.yaml"),
    );
    const c = cfg.targets[0]?.checks[0] as SnmpCheck;
    expect(c.profiles_dir).toBe(join(root, "profiles"));
  });
});
