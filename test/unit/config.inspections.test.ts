import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../config/load.js";
import { inspectionChecklist, inspectionKind } from "../../engine/mapping.js";

function issues(text: string): string[] {
  try {
    parseConfig(text, "c.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n");
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const targets = `targets:
  - id: ups-1
    name: UPS
    indicators: [{ id: room_power_stability }]
    checks: [{ id: snmp, kind: snmp, address: "10.0.0.2:161", oids: { battery.charge: 1.3.6.1.2.1.33.1.2.4.0 } }]
  - id: fw
    name: FW
    indicators: [{ id: firewall_stability }]
    checks:
      - { id: snmp, kind: snmp, address: "10.0.0.1:161", oids: { if.wan.oper_status: 1.3.6.1.2.1.2.2.1.8.1, if.lan.oper_status: 1.3.6.1.2.1.2.2.1.8.2 } }
      - { id: snmp-b, kind: snmp, address: "10.0.0.2:161", profile: if-mib, interfaces: [{ match: GigabitEthernet1/0/1, name: uplink }, Eth-Trunk1] }
  - id: portal
    name: Portal
    indicators: [{ id: response_time }]
    checks: [{ id: home, kind: http, url: "https://www.example.gov.cn/" }]
  - id: app
    name: Business system
    indicators: [{ id: response_time }]
    checks: [{ id: login, kind: operation, steps: [{ id: page, url: "https://oa.example.gov.cn/login" }] }]
  - id: mon
    name: Monitor host
    checks: [{ id: health, kind: host }]
  - id: db
    name: DB port
    checks: [{ id: port, kind: tcp, address: "10.0.0.3:5432" }]
  - id: box
    name: Declared
    inspection_kind: host
    checks: [{ id: port, kind: tcp, address: "10.0.0.4:22" }]
`;

describe("inspection config", () => {
  it("applies the defaults: 09:00 daily, ± 30 min, every target, P3, no manual items", () => {
    const cfg = parseConfig(`${targets}inspections: [{ id: daily, name: 每日巡检 }]`, "c.yaml");
    expect(cfg.inspections).toEqual([
      {
        id: "daily",
        name: "每日巡检",
        schedule: "0 9 * * *",
        tolerance: 30 * 60_000,
        severity: "P3",
        manual_items: [],
      },
    ]);
    expect(parseConfig(targets, "c.yaml").inspections).toEqual([]);
  });

  it("infers each target's checklist kind from its indicators and checks unless declared", () => {
    const cfg = parseConfig(targets, "c.yaml");
    expect(cfg.targets.map((t) => [t.id, inspectionKind(t)])).toEqual([
      ["ups-1", "ups"],
      ["fw", "firewall"],
      ["portal", "website"],
      ["app", "website"],
      ["mon", "host"],
      ["db", "other"],
      ["box", "host"],
    ]);
    const ids = (id: string) =>
      inspectionChecklist(cfg.targets.find((t) => t.id === id) as never).map((d) => d.id);
    // designated interfaces: the SNMP checks' `interfaces` (Eth-Trunk1 named eth_trunk1) and raw oper_status OIDs
    expect(ids("fw")).toEqual([
      "reachable",
      "fw_cpu",
      "fw_mem",
      "if_wan",
      "if_lan",
      "if_uplink",
      "if_eth_trunk1",
    ]);
    // https → the certificate item
    expect(ids("portal")).toEqual(["reachable", "tls_days", "response"]);
    // an operation with an https step → the certificate item too
    expect(ids("app")).toEqual(["reachable", "tls_days", "response"]);
    expect(ids("ups-1")).toEqual(["reachable", "battery_charge", "battery_status", "ups_load"]);
    expect(ids("db")).toEqual(["reachable"]);
  });

  it("names the key of every bad reference", () => {
    const lines = issues(`${targets}inspections:
  - id: daily
    name: A
    targets: [ups-1, nope, ups-1]
    manual_items:
      - { id: temp, text: 机房温度正常, targets: [fw] }
      - { id: temp, text: 柜门关闭 }
      - { id: reachable, text: 能连上 }
      - { id: door, text: 柜门关闭, targets: [ghost] }
  - id: daily
    name: B
    schedule: "0 9 1 * 1"
    tolerance: half an hour`);
    expect(lines).toEqual([
      expect.stringMatching(
        /^c\.yaml:\d+:\d+: inspections\[1\]\.schedule: a 5-field cron expression such as "0 9 \* \* \*": restrict day-of-month or day-of-week, not both/,
      ),
      expect.stringMatching(
        /^c\.yaml:\d+:\d+: inspections\[1\]\.tolerance: a duration such as 500ms, 30s, 5m, 1h/,
      ),
    ]);
    // the schema errors come first; the cross-references once the schema is satisfied
    const refs = issues(`${targets}inspections:
  - id: daily
    name: A
    targets: [ups-1, nope, ups-1]
    manual_items:
      - { id: temp, text: 机房温度正常, targets: [fw] }
      - { id: temp, text: 柜门关闭 }
      - { id: reachable, text: 能连上 }
      - { id: door, text: 柜门关闭, targets: [ghost] }
  - { id: daily, name: B }`);
    expect(refs.map((l) => l.replace(/^c\.yaml:\d+:\d+: /, ""))).toEqual([
      'inspections[0].targets[1]: no target "nope"',
      'inspections[0].targets[2]: target "ups-1" is listed twice',
      'inspections[0].manual_items[0].targets[0]: target "fw" is not inspected by this plan',
      'inspections[0].manual_items[1].id: duplicate manual item id "temp" in plan',
      'inspections[0].manual_items[2].id: "reachable" is an automatic item of target "ups-1": choose another id',
      'inspections[0].manual_items[3].targets[0]: no target "ghost"',
      'inspections[1].id: duplicate inspection plan id "daily"',
    ]);
  });

  it("refuses a plan over no targets at all", () => {
    expect(issues("inspections: [{ id: daily, name: A }]")).toEqual([
      "c.yaml:1:15: inspections[0]: the plan inspects nothing: the config has no targets",
    ]);
  });
});
