// How the simulated UPS shows on the wire: the RFC 1628 UPS-MIB or APC's PowerNet MIB (as an APC
// Network Management Card serves it), built from one model, plus the traps each would send.
import { type ColumnDef, type MibShape, type Snapshot, T } from "./snmp-agent.js";
import type { TrapSpec } from "./traps.js";
import { UPS_ALARMS, type UpsEvent, type UpsReadings, type UpsState } from "./ups-model.js";

export type UpsVendor = "rfc1628" | "apc";

const mib2 = "1.3.6.1.2.1";
const ups = `${mib2}.33.1`;
const apc = "1.3.6.1.4.1.318.1.1.1";

const system = [
  { name: "sysDescr", oid: `${mib2}.1.1`, type: T.OctetString },
  { name: "sysObjectID", oid: `${mib2}.1.2`, type: T.OID },
  { name: "sysUpTime", oid: `${mib2}.1.3`, type: T.TimeTicks },
  { name: "sysName", oid: `${mib2}.1.5`, type: T.OctetString },
];

/** A per-line table of RFC 1628: a hidden line index (column 1) and integer value columns. */
const lineTable = (name: string, oid: string, columns: Record<string, number>) => ({
  name,
  oid,
  columns: [
    { name: `${name}LineIndex`, number: 1, type: T.Integer, index: "hidden" } as ColumnDef,
    ...Object.entries(columns).map(([n, number]) => ({ name: n, number, type: T.Integer })),
  ],
});

const rfc1628Shape: MibShape = {
  scalars: [
    ...system,
    ...(
      [
        ["upsIdentManufacturer", "1.1", T.OctetString],
        ["upsIdentModel", "1.2", T.OctetString],
        ["upsIdentUPSSoftwareVersion", "1.3", T.OctetString],
        ["upsIdentAgentSoftwareVersion", "1.4", T.OctetString],
        ["upsIdentName", "1.5", T.OctetString],
        ["upsBatteryStatus", "2.1", T.Integer],
        ["upsSecondsOnBattery", "2.2", T.Integer],
        ["upsEstimatedMinutesRemaining", "2.3", T.Integer],
        ["upsEstimatedChargeRemaining", "2.4", T.Integer],
        ["upsBatteryVoltage", "2.5", T.Integer],
        ["upsBatteryTemperature", "2.7", T.Integer],
        ["upsInputLineBads", "3.1", T.Counter],
        ["upsInputNumLines", "3.2", T.Integer],
        ["upsOutputSource", "4.1", T.Integer],
        ["upsOutputFrequency", "4.2", T.Integer],
        ["upsOutputNumLines", "4.3", T.Integer],
        ["upsBypassFrequency", "5.1", T.Integer],
        ["upsBypassNumLines", "5.2", T.Integer],
        ["upsAlarmsPresent", "6.1", T.Gauge],
        ["upsConfigInputVoltage", "9.1", T.Integer],
        ["upsConfigInputFreq", "9.2", T.Integer],
        ["upsConfigOutputVoltage", "9.3", T.Integer],
        ["upsConfigOutputFreq", "9.4", T.Integer],
        ["upsConfigOutputVA", "9.5", T.Integer],
        ["upsConfigOutputPower", "9.6", T.Integer],
        ["upsConfigLowBattTime", "9.7", T.Integer],
      ] as const
    ).map(([name, sub, type]) => ({ name, oid: `${ups}.${sub}`, type })),
  ],
  tables: [
    lineTable("upsInput", `${ups}.3.3.1`, {
      upsInputFrequency: 2,
      upsInputVoltage: 3,
      upsInputCurrent: 4,
      upsInputTruePower: 5,
    }),
    lineTable("upsOutput", `${ups}.4.4.1`, {
      upsOutputVoltage: 2,
      upsOutputCurrent: 3,
      upsOutputPower: 4,
      upsOutputPercentLoad: 5,
    }),
    lineTable("upsBypass", `${ups}.5.3.1`, { upsBypassVoltage: 2 }),
    {
      name: "upsAlarm",
      oid: `${ups}.6.2.1`,
      columns: [
        { name: "upsAlarmId", number: 1, type: T.Integer, index: "hidden" },
        { name: "upsAlarmDescr", number: 2, type: T.OID },
        { name: "upsAlarmTime", number: 3, type: T.TimeTicks },
      ],
    },
  ],
};

const apcShape: MibShape = {
  scalars: [
    ...system,
    ...(
      [
        ["upsBasicIdentModel", "1.1.1", T.OctetString],
        ["upsBasicIdentName", "1.1.2", T.OctetString],
        ["upsAdvIdentFirmwareRevision", "1.2.1", T.OctetString],
        ["upsAdvIdentSerialNumber", "1.2.3", T.OctetString],
        ["upsBasicBatteryStatus", "2.1.1", T.Integer],
        ["upsBasicBatteryTimeOnBattery", "2.1.2", T.TimeTicks],
        ["upsAdvBatteryCapacity", "2.2.1", T.Gauge],
        ["upsAdvBatteryTemperature", "2.2.2", T.Gauge],
        ["upsAdvBatteryRunTimeRemaining", "2.2.3", T.TimeTicks],
        ["upsAdvBatteryActualVoltage", "2.2.8", T.Integer],
        ["upsAdvInputLineVoltage", "3.2.1", T.Gauge],
        ["upsAdvInputFrequency", "3.2.4", T.Gauge],
        ["upsAdvInputLineFailCause", "3.2.5", T.Integer],
        ["upsBasicOutputStatus", "4.1.1", T.Integer],
        ["upsAdvOutputVoltage", "4.2.1", T.Gauge],
        ["upsAdvOutputFrequency", "4.2.2", T.Gauge],
        ["upsAdvOutputLoad", "4.2.3", T.Gauge],
        ["upsAdvOutputCurrent", "4.2.4", T.Gauge],
      ] as const
    ).map(([name, sub, type]) => ({ name, oid: `${apc}.${sub}`, type })),
  ],
  tables: [],
};

export const upsShape = (vendor: UpsVendor): MibShape => (vendor === "apc" ? apcShape : rfc1628Shape);

/** PowerNet upsBasicOutputStatus for an RFC 1628 output source: 2 onLine, 3 onBattery, 7 off, 9 switchedBypass. */
const apcOutputStatus = { 2: 7, 3: 2, 4: 9, 5: 3 } as const;

export function upsSnapshot(vendor: UpsVendor, s: UpsState, r: UpsReadings, name: string): Snapshot {
  const sysName = { sysName: name, sysUpTime: r.uptimeCs };
  if (vendor === "apc") {
    return {
      scalars: {
        ...sysName,
        sysDescr:
          "APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.8.2 PN:apc_hw05_aos_682.bin AF1:v6.8.2 AN1:apc_hw05_sumx_682.bin MN:AP9631 HR:05) (opswatch simulator)",
        sysObjectID: "1.3.6.1.4.1.318.1.3.27",
        upsBasicIdentModel: "Smart-UPS SRT 10000",
        upsBasicIdentName: name,
        upsAdvIdentFirmwareRevision: "UPS 16.5 (ID1003)",
        upsAdvIdentSerialNumber: "AS0000000001",
        upsBasicBatteryStatus: r.batteryStatus,
        upsBasicBatteryTimeOnBattery: r.secondsOnBattery * 100,
        upsAdvBatteryCapacity: r.charge,
        upsAdvBatteryTemperature: 25,
        upsAdvBatteryRunTimeRemaining: r.minutesRemaining * 60 * 100,
        upsAdvBatteryActualVoltage: Math.round(r.batteryDecivolts / 10),
        upsAdvInputLineVoltage: r.inputVolts,
        upsAdvInputFrequency: r.inputDecihertz / 10,
        // 1 noTransfer, 4 blackout
        upsAdvInputLineFailCause: s.mains === "fail" ? 4 : 1,
        upsBasicOutputStatus: apcOutputStatus[r.outputSource],
        upsAdvOutputVoltage: r.outputVolts,
        upsAdvOutputFrequency: r.outputDecihertz / 10,
        upsAdvOutputLoad: r.load,
        upsAdvOutputCurrent: Math.round(r.outputDeciamps / 10),
      },
      tables: {},
    };
  }
  return {
    scalars: {
      ...sysName,
      sysDescr: "opswatch UPS simulator (RFC 1628 UPS-MIB)",
      sysObjectID: "1.3.6.1.2.1.33",
      upsIdentManufacturer: "opswatch",
      upsIdentModel: "SIM-UPS 10kVA",
      upsIdentUPSSoftwareVersion: "1.0",
      upsIdentAgentSoftwareVersion: "opswatch simulate",
      upsIdentName: name,
      upsBatteryStatus: r.batteryStatus,
      upsSecondsOnBattery: r.secondsOnBattery,
      upsEstimatedMinutesRemaining: r.minutesRemaining,
      upsEstimatedChargeRemaining: r.charge,
      upsBatteryVoltage: r.batteryDecivolts,
      upsBatteryTemperature: 25,
      upsInputLineBads: r.lineBads,
      upsInputNumLines: 1,
      upsOutputSource: r.outputSource,
      upsOutputFrequency: r.outputDecihertz,
      upsOutputNumLines: 1,
      upsBypassFrequency: r.inputDecihertz,
      upsBypassNumLines: 1,
      upsAlarmsPresent: s.alarms.length,
      upsConfigInputVoltage: 220,
      upsConfigInputFreq: 500,
      upsConfigOutputVoltage: 220,
      upsConfigOutputFreq: 500,
      upsConfigOutputVA: 10000,
      upsConfigOutputPower: 9000,
      upsConfigLowBattTime: 2,
    },
    tables: {
      upsInput: [
        {
          upsInputLineIndex: 1,
          upsInputFrequency: r.inputDecihertz,
          upsInputVoltage: r.inputVolts,
          upsInputCurrent: r.inputDeciamps,
          upsInputTruePower: r.inputWatts,
        },
      ],
      upsOutput: [
        {
          upsOutputLineIndex: 1,
          upsOutputVoltage: r.outputVolts,
          upsOutputCurrent: r.outputDeciamps,
          upsOutputPower: r.outputWatts,
          upsOutputPercentLoad: r.load,
        },
      ],
      upsBypass: [{ upsBypassLineIndex: 1, upsBypassVoltage: r.bypassVolts }],
      upsAlarm: s.alarms.map((a) => ({
        upsAlarmId: a.id,
        upsAlarmDescr: `${ups}.6.3.${UPS_ALARMS[a.name]}`,
        // TimeStamp: sysUpTime when the alarm appeared.
        upsAlarmTime: Math.max(0, Math.floor((a.since - s.bootAt) / 10)),
      })),
    },
  };
}

/** The traps a UPS of this vendor sends for these events (PowerNet has no alarm-table traps). */
export function upsTraps(vendor: UpsVendor, events: UpsEvent[], r: UpsReadings): TrapSpec[] {
  return events.flatMap((e): TrapSpec[] => {
    if (vendor === "apc")
      return e.kind === "on-battery" ? [{ oid: "1.3.6.1.4.1.318.0.5", varbinds: [] }] : [];
    if (e.kind === "on-battery") {
      return [
        {
          oid: `${mib2}.33.2.1`, // upsTrapOnBattery
          varbinds: [
            { oid: `${ups}.2.3.0`, type: T.Integer, value: r.minutesRemaining },
            { oid: `${ups}.2.2.0`, type: T.Integer, value: r.secondsOnBattery },
            { oid: `${ups}.9.7.0`, type: T.Integer, value: 2 },
          ],
        },
      ];
    }
    const { id, name } = e.alarm;
    return [
      {
        oid: `${mib2}.33.2.${e.kind === "alarm-added" ? 3 : 4}`, // upsTrapAlarmEntryAdded / Removed
        varbinds: [
          { oid: `${ups}.6.2.1.1.${id}`, type: T.Integer, value: id },
          { oid: `${ups}.6.2.1.2.${id}`, type: T.OID, value: `${ups}.6.3.${UPS_ALARMS[name]}` },
        ],
      },
    ];
  });
}
