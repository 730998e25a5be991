// How the simulated firewall shows on the wire: MIB-II system, IF-MIB ifTable/ifXTable, VRRP-MIB and the
// vendor's entity CPU/memory table (Huawei HUAWEI-ENTITY-EXTENT or H3C HH3C-ENTITY-EXT), plus its traps.
import {
  cpuAt,
  type FirewallEvent,
  type FirewallState,
  memAt,
  octetsAt,
  uptimeCs,
} from "./firewall-model.js";
import { type MibShape, type Snapshot, T, type TableDef } from "./snmp-agent.js";
import type { TrapSpec } from "./traps.js";

export type FirewallVendor = "huawei" | "h3c";

const mib2 = "1.3.6.1.2.1";
const ifEntry = `${mib2}.2.2.1`;

interface VendorFacts {
  sysDescr: string;
  sysObjectID: string;
  /**
   * The entity CPU/memory table: entry OID, CPU and memory columns, and the entPhysicalIndex of the
   * chassis (reports 0, as entities without a CPU do) and of the main board (the real figures).
   */
  entity: { oid: string; cpu: number; mem: number; chassis: number; board: number };
  ifDescr: (ifName: string) => string;
}

const VENDORS: Record<FirewallVendor, VendorFacts> = {
  huawei: {
    sysDescr:
      "Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.170 (USG6650E V600R007C20SPC500)\r\nCopyright (C) 2014-2022 Huawei Technologies Co., Ltd.\r\nHUAWEI USG6650E (opswatch simulator)",
    // Under Huawei's product branch 1.3.6.1.4.1.2011.2.
    sysObjectID: "1.3.6.1.4.1.2011.2.239.12",
    // hwEntityStateEntry: hwEntityCpuUsage .5, hwEntityMemUsage .7, indexed by entPhysicalIndex.
    entity: { oid: "1.3.6.1.4.1.2011.5.25.31.1.1.1.1", cpu: 5, mem: 7, chassis: 16777216, board: 16842753 },
    ifDescr: (n) => n,
  },
  h3c: {
    sysDescr:
      "H3C Comware Platform Software, Software Version 7.1.064, Release 9333P30\r\nH3C SecPath F1000-AI-55\r\nCopyright (c) 2004-2022 New H3C Technologies Co., Ltd. All rights reserved. (opswatch simulator)",
    // Under H3C's product branch 1.3.6.1.4.1.25506.1.
    sysObjectID: "1.3.6.1.4.1.25506.1.2103",
    // hh3cEntityExtStateEntry: hh3cEntityExtCpuUsage .6, hh3cEntityExtMemUsage .8.
    entity: { oid: "1.3.6.1.4.1.25506.2.6.1.1.1.1", cpu: 6, mem: 8, chassis: 1, board: 2 },
    ifDescr: (n) => `${n} Interface`,
  },
};

/** VRRP groups: one per protected interface (ifIndex, VRID). */
const VRRP_GROUPS = [
  { ifIndex: 2, vrid: 1 },
  { ifIndex: 3, vrid: 2 },
];

const hiddenIfIndex = { name: "ifIndex", number: 0, type: T.Integer, index: "hidden" } as const;

export function firewallShape(vendor: FirewallVendor): MibShape {
  const entity = VENDORS[vendor].entity;
  const tables: TableDef[] = [
    {
      name: "ifTable",
      oid: ifEntry,
      columns: [
        { name: "ifIndex", number: 1, type: T.Integer, index: "served" },
        { name: "ifDescr", number: 2, type: T.OctetString },
        { name: "ifType", number: 3, type: T.Integer },
        { name: "ifMtu", number: 4, type: T.Integer },
        { name: "ifSpeed", number: 5, type: T.Gauge },
        { name: "ifAdminStatus", number: 7, type: T.Integer },
        { name: "ifOperStatus", number: 8, type: T.Integer },
        { name: "ifLastChange", number: 9, type: T.TimeTicks },
        { name: "ifInOctets", number: 10, type: T.Counter },
        { name: "ifOutOctets", number: 16, type: T.Counter },
      ],
    },
    {
      name: "ifXTable",
      oid: `${mib2}.31.1.1.1`,
      columns: [
        hiddenIfIndex,
        { name: "ifName", number: 1, type: T.OctetString },
        { name: "ifHCInOctets", number: 6, type: T.Counter64 },
        { name: "ifHCOutOctets", number: 10, type: T.Counter64 },
        { name: "ifHighSpeed", number: 15, type: T.Gauge },
        { name: "ifAlias", number: 18, type: T.OctetString },
      ],
    },
    {
      name: "vrrpOperTable",
      oid: `${mib2}.68.1.3.1`,
      columns: [
        hiddenIfIndex,
        { name: "vrrpOperVrId", number: 1, type: T.Integer, index: "hidden" },
        { name: "vrrpOperState", number: 3, type: T.Integer },
        { name: "vrrpOperAdminState", number: 4, type: T.Integer },
        { name: "vrrpOperPriority", number: 5, type: T.Integer },
      ],
    },
    {
      name: "entityState",
      oid: entity.oid,
      columns: [
        { name: "entPhysicalIndex", number: 0, type: T.Integer, index: "hidden" },
        { name: "cpuUsage", number: entity.cpu, type: T.Integer },
        { name: "memUsage", number: entity.mem, type: T.Integer },
      ],
    },
  ];
  return {
    scalars: [
      { name: "sysDescr", oid: `${mib2}.1.1`, type: T.OctetString },
      { name: "sysObjectID", oid: `${mib2}.1.2`, type: T.OID },
      { name: "sysUpTime", oid: `${mib2}.1.3`, type: T.TimeTicks },
      { name: "sysName", oid: `${mib2}.1.5`, type: T.OctetString },
      { name: "ifNumber", oid: `${mib2}.2.1`, type: T.Integer },
      { name: "vrrpNodeVersion", oid: `${mib2}.68.1.1`, type: T.Integer },
    ],
    tables,
  };
}

const SPEED_MBPS = 1000;
const TWO_32 = 2 ** 32;

export function firewallSnapshot(
  vendor: FirewallVendor,
  s: FirewallState,
  now: number,
  name: string,
): Snapshot {
  const v = VENDORS[vendor];
  const sinceBoot = (t: number) => Math.max(0, Math.floor((t - s.bootAt) / 10));
  const counters = s.interfaces.map((i) => octetsAt(s, i, now));
  return {
    scalars: {
      sysDescr: v.sysDescr,
      sysObjectID: v.sysObjectID,
      sysUpTime: uptimeCs(s, now),
      sysName: name,
      ifNumber: s.interfaces.length,
      vrrpNodeVersion: 2,
    },
    tables: {
      ifTable: s.interfaces.map((i, n) => ({
        ifIndex: i.index,
        ifDescr: v.ifDescr(i.name),
        ifType: 6, // ethernetCsmacd
        ifMtu: 1500,
        ifSpeed: SPEED_MBPS * 1e6,
        ifAdminStatus: 1,
        ifOperStatus: i.up ? 1 : 2,
        ifLastChange: sinceBoot(i.lastChange),
        ifInOctets: (counters[n]?.in ?? 0) % TWO_32,
        ifOutOctets: (counters[n]?.out ?? 0) % TWO_32,
      })),
      ifXTable: s.interfaces.map((i, n) => ({
        ifIndex: i.index,
        ifName: i.name,
        ifHCInOctets: BigInt(counters[n]?.in ?? 0),
        ifHCOutOctets: BigInt(counters[n]?.out ?? 0),
        ifHighSpeed: SPEED_MBPS,
        ifAlias: i.alias,
      })),
      vrrpOperTable: VRRP_GROUPS.map((g) => ({
        ifIndex: g.ifIndex,
        vrrpOperVrId: g.vrid,
        vrrpOperState: s.role === "master" ? 3 : 2,
        vrrpOperAdminState: 1, // up
        vrrpOperPriority: s.role === "master" ? 120 : 100,
      })),
      entityState: [
        { entPhysicalIndex: v.entity.chassis, cpuUsage: 0, memUsage: 0 },
        { entPhysicalIndex: v.entity.board, cpuUsage: cpuAt(s, now), memUsage: memAt(s, now) },
      ],
    },
  };
}

/** coldStart after a reboot; linkDown / linkUp (with ifIndex, ifAdminStatus, ifOperStatus). */
export function firewallTraps(events: FirewallEvent[]): TrapSpec[] {
  return events.map((e) =>
    e.kind === "cold-start"
      ? { oid: "1.3.6.1.6.3.1.1.5.1", varbinds: [] }
      : {
          oid: `1.3.6.1.6.3.1.1.5.${e.up ? 4 : 3}`,
          varbinds: [
            { oid: `${ifEntry}.1.${e.index}`, type: T.Integer, value: e.index },
            { oid: `${ifEntry}.7.${e.index}`, type: T.Integer, value: 1 },
            { oid: `${ifEntry}.8.${e.index}`, type: T.Integer, value: e.up ? 1 : 2 },
          ],
        },
  );
}
