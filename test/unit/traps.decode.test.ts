// Trap decoding, rejection reasons and the events a trap becomes: pure functions on the shapes
// net-snmp's receiver hands over (checked against real snmptrap packets in test/integration/traps.test.ts).
import { describe, expect, it } from "vitest";
import {
  decodeTrap,
  type RawNotification,
  type RawVarbind,
  TrapDecodeError,
} from "../../agent/traps/decode.js";
import { TRAP_CHECK, trapEvents } from "../../agent/traps/events.js";
import { rejectReason } from "../../agent/traps/reject.js";
import { Result } from "../../protocol/messages.js";

const UPTIME: RawVarbind = { oid: "1.3.6.1.2.1.1.3.0", type: 67, value: 906133 };
const v2 = (trapOid: string, varbinds: RawVarbind[] = [], extra: object = {}): RawNotification => ({
  pdu: {
    type: 167,
    varbinds: [UPTIME, { oid: "1.3.6.1.6.3.1.1.4.1.0", type: 6, value: trapOid }, ...varbinds],
    ...extra,
  },
  rinfo: { address: "10.1.1.20", port: 50000 },
});
const v1 = (enterprise: string, generic: number, specific: number, varbinds: RawVarbind[] = []) => ({
  pdu: { type: 164, enterprise, generic, specific, varbinds },
  rinfo: { address: "10.1.1.20", port: 50000 },
});

describe("decodeTrap", () => {
  it("names an RFC 1628 onBattery trap and keeps its varbinds as text", () => {
    const t = decodeTrap(v2("1.3.6.1.2.1.33.2.1", [{ oid: "1.3.6.1.2.1.33.1.2.3.0", type: 2, value: 42 }]));
    expect(t).toMatchObject({ version: "2c", source: "10.1.1.20", name: "upsTrapOnBattery", detail: "" });
    // sysUpTime.0 and snmpTrapOID.0 are the envelope, not the payload
    expect(t.values).toEqual({
      "trap.name": "upsTrapOnBattery",
      "trap.oid": "1.3.6.1.2.1.33.2.1",
      "trap.source": "10.1.1.20",
      "trap.version": "2c",
      "trap.varbinds": "1.3.6.1.2.1.33.1.2.3.0=42",
    });
  });

  it("folds the v1-converted form upsTraps.0.N onto upsTraps.N, on v1 and on v2c", () => {
    const fromV1 = decodeTrap(v1("1.3.6.1.2.1.33.2", 6, 1));
    const fromV2 = decodeTrap(v2("1.3.6.1.2.1.33.2.0.1"));
    for (const t of [fromV1, fromV2]) {
      expect(t.oid).toBe("1.3.6.1.2.1.33.2.1");
      expect(t.name).toBe("upsTrapOnBattery");
    }
    expect(fromV1.version).toBe("1");
  });

  it("names the alarm of an alarm trap from upsAlarmDescr (OnBattery = well-known alarm 2)", () => {
    const added = decodeTrap(
      v2("1.3.6.1.2.1.33.2.3", [
        { oid: "1.3.6.1.2.1.33.1.6.2.1.1.7", type: 2, value: 7 },
        { oid: "1.3.6.1.2.1.33.1.6.2.1.2.7", type: 6, value: "1.3.6.1.2.1.33.1.6.3.2" },
      ]),
    );
    expect(added).toMatchObject({
      name: "upsTrapAlarmEntryAdded",
      subject: "alarm:OnBattery",
      detail: "OnBattery",
    });
    expect(added.values["trap.alarm"]).toBe("OnBattery");
    const removed = decodeTrap(
      v2("1.3.6.1.2.1.33.2.4", [
        { oid: "1.3.6.1.2.1.33.1.6.2.1.2.7", type: 6, value: "1.3.6.1.2.1.33.1.6.3.6" },
      ]),
    );
    // same alarm → same subject as "added", so added/removed/added is a flap, not a repeat
    expect(removed).toMatchObject({ name: "upsTrapAlarmEntryRemoved", subject: "alarm:InputBad" });
    const vendor = decodeTrap(
      v2("1.3.6.1.2.1.33.2.3", [
        { oid: "1.3.6.1.2.1.33.1.6.2.1.2.9", type: 6, value: "1.3.6.1.4.1.534.1.7.3" },
      ]),
    );
    expect(vendor.values["trap.alarm"]).toBe("1.3.6.1.4.1.534.1.7.3");
  });

  it("maps v1 generic traps to the SNMPv2 names, with ifIndex and ifName of a link trap", () => {
    const down = decodeTrap(
      v1("1.3.6.1.4.1.8072", 2, 0, [
        { oid: "1.3.6.1.2.1.2.2.1.1.3", type: 2, value: 3 },
        { oid: "1.3.6.1.2.1.31.1.1.1.1.3", type: 4, value: Buffer.from("GE1/0/3") },
      ]),
    );
    expect(down).toMatchObject({
      name: "linkDown",
      oid: "1.3.6.1.6.3.1.1.5.3",
      subject: "if:3",
      detail: "3",
    });
    expect(down.values).toMatchObject({ "trap.if_index": 3, "trap.if_name": "GE1/0/3" });
    expect(decodeTrap(v1("1.3.6.1.4.1.8072", 0, 0)).name).toBe("coldStart");
    expect(decodeTrap(v1("1.3.6.1.4.1.8072", 1, 0)).name).toBe("warmStart");
    // ifIndex from the row of ifOperStatus when no ifIndex varbind is sent
    const up = decodeTrap(v2("1.3.6.1.6.3.1.1.5.4", [{ oid: "1.3.6.1.2.1.2.2.1.8.12", type: 2, value: 1 }]));
    expect(up).toMatchObject({ name: "linkUp", subject: "if:12" });
    expect(up.values["trap.if_index"]).toBe(12);
  });

  it("keeps an unknown notification's OID as its name and all its varbinds as what distinguishes it", () => {
    const t = decodeTrap(
      v2("1.3.6.1.4.1.2011.5.25.219.2.2.1", [
        { oid: "1.3.6.1.4.1.2011.5.25.219.1.1", type: 4, value: Buffer.from([0xff, 0x00, 0x01]) },
      ]),
    );
    expect(t.name).toBe("1.3.6.1.4.1.2011.5.25.219.2.2.1");
    expect(t.values["trap.varbinds"]).toBe("1.3.6.1.4.1.2011.5.25.219.1.1=0xff0001"); // binary → hex
    expect(t.detail).toBe(t.values["trap.varbinds"]);
  });

  it("tells v3 by its user, unwraps IPv4-mapped senders, and truncates long text to 1024 characters", () => {
    const n = v2(
      "1.3.6.1.6.3.1.1.5.1",
      [{ oid: "1.3.6.1.4.1.1.1", type: 4, value: Buffer.from("x".repeat(2000)) }],
      {
        user: "trapuser",
      },
    );
    n.rinfo.address = "::ffff:10.1.1.21";
    const t = decodeTrap(n);
    expect(t.version).toBe("3");
    expect(t.source).toBe("10.1.1.21");
    expect(String(t.values["trap.varbinds"])).toHaveLength(1024);
  });

  it("refuses a notification without snmpTrapOID.0", () => {
    const n: RawNotification = {
      pdu: { type: 167, varbinds: [UPTIME] },
      rinfo: { address: "10.1.1.20", port: 1 },
    };
    expect(() => decodeTrap(n)).toThrow(TrapDecodeError);
  });
});

describe("rejectReason", () => {
  // The error classes and messages net-snmp 3.29 reports for each case, as seen with Debian snmptrap.
  const err = (name: string, message: string) => Object.assign(new Error(message), { name });
  it.each([
    ["RequestFailedError", "Local community not found for message with community wrong", "community"],
    ["RequestFailedError", "Local user not found for message with user nobody", "user"],
    ["RequestFailedError", "Local user u requires privacy but message does not provide it", "auth"],
    ["ResponseInvalidError", "Authentication digest 0a received in message does not match digest 0b", "auth"],
    ["ResponseInvalidError", "Failed to decrypt PDU: InvalidAsn1Error: Expected 0x30: got 0xf1", "auth"],
    ["RequestInvalidError", "Only SNMPv3 discovery GetRequests are supported", "unexpected"],
    ["ProcessingError", "Failure to process incoming message", "malformed"],
  ] as const)("%s: %s → %s", (name, message, reason) => {
    expect(rejectReason(err(name, message))).toBe(reason);
  });
});

describe("trapEvents", () => {
  it("makes one valid trap result per target, with the count, on the reserved check id", () => {
    const trap = decodeTrap(v2("1.3.6.1.2.1.33.2.1"));
    const events = trapEvents(trap, 3, ["ups-1", "room-power"], "agent-a", 1_700_000_000_000);
    expect(events.map((e) => e.target)).toEqual(["ups-1", "room-power"]);
    for (const [i, e] of events.entries()) {
      const r = Result.parse({ ...e, seq: i + 1 }); // what the server validates
      expect(r).toMatchObject({ kind: "trap", check: TRAP_CHECK, ok: true, agent: "agent-a" });
      expect(r.values["trap.count"]).toBe(3);
    }
  });
});
