// The UPS both pollers read: UPS-MIB (RFC 1628) objects of a healthy UPS on mains. The responders serve
// the values; the snmp_exporter module gets its metric definitions from the same list.
export const UPS = "1.3.6.1.2.1.33.1";

export interface UpsObject {
  name: string; // the MIB's object name (snmp_exporter metric name)
  oid: string; // the object, without instance
  /** "0" for scalars, the row index for table columns; absent for a column with no rows */
  instance?: string;
  /** table columns: the index label snmp_exporter puts on the metric */
  index?: string;
  type: "integer" | "uinteger" | "counter" | "octet_str" | "object_id";
  value?: string | number;
}

const scalar = (name: string, arc: string, type: UpsObject["type"], value: string | number): UpsObject => ({
  name,
  oid: `${UPS}.${arc}`,
  instance: "0",
  type,
  value,
});
const cell = (name: string, arc: string, index: string, value: number): UpsObject => ({
  name,
  oid: `${UPS}.${arc}`,
  instance: "1",
  index,
  type: "integer",
  value,
});

export const UPS_OBJECTS: readonly UpsObject[] = [
  scalar("upsIdentManufacturer", "1.1", "octet_str", "opswatch bench"),
  scalar("upsIdentModel", "1.2", "octet_str", "RFC1628 responder"),
  scalar("upsIdentUPSSoftwareVersion", "1.3", "octet_str", "1.0"),
  scalar("upsIdentAgentSoftwareVersion", "1.4", "octet_str", "snmpd"),
  scalar("upsIdentName", "1.5", "octet_str", "UPS-1"),
  scalar("upsBatteryStatus", "2.1", "integer", 2), // normal
  scalar("upsSecondsOnBattery", "2.2", "integer", 0),
  scalar("upsEstimatedMinutesRemaining", "2.3", "integer", 42),
  scalar("upsEstimatedChargeRemaining", "2.4", "integer", 95),
  scalar("upsBatteryVoltage", "2.5", "integer", 2720), // 0.1 V
  scalar("upsBatteryCurrent", "2.6", "integer", 0), // 0.1 A
  scalar("upsBatteryTemperature", "2.7", "integer", 25),
  scalar("upsInputLineBads", "3.1", "counter", 3),
  scalar("upsInputNumLines", "3.2", "integer", 1),
  cell("upsInputFrequency", "3.3.1.2", "upsInputLineIndex", 500), // 0.1 Hz
  cell("upsInputVoltage", "3.3.1.3", "upsInputLineIndex", 230),
  cell("upsInputCurrent", "3.3.1.4", "upsInputLineIndex", 120), // 0.1 A
  cell("upsInputTruePower", "3.3.1.5", "upsInputLineIndex", 2600),
  scalar("upsOutputSource", "4.1", "integer", 3), // normal
  scalar("upsOutputFrequency", "4.2", "integer", 500),
  scalar("upsOutputNumLines", "4.3", "integer", 1),
  cell("upsOutputVoltage", "4.4.1.2", "upsOutputLineIndex", 230),
  cell("upsOutputCurrent", "4.4.1.3", "upsOutputLineIndex", 110),
  cell("upsOutputPower", "4.4.1.4", "upsOutputLineIndex", 2500),
  cell("upsOutputPercentLoad", "4.4.1.5", "upsOutputLineIndex", 37),
  scalar("upsBypassFrequency", "5.1", "integer", 500),
  scalar("upsBypassNumLines", "5.2", "integer", 1),
  cell("upsBypassVoltage", "5.3.1.2", "upsBypassLineIndex", 230),
  scalar("upsAlarmsPresent", "6.1", "uinteger", 0), // no alarm: the alarm table has no rows
  { name: "upsAlarmDescr", oid: `${UPS}.6.2.1.2`, index: "upsAlarmId", type: "object_id" },
  { name: "upsAlarmTime", oid: `${UPS}.6.2.1.3`, index: "upsAlarmId", type: "integer" },
  scalar("upsConfigInputVoltage", "9.1", "integer", 220), // nominal
  scalar("upsConfigInputFreq", "9.2", "integer", 500),
  scalar("upsConfigOutputVoltage", "9.3", "integer", 220),
];
