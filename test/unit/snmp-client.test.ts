// The SNMP engine's pure parts: value conversion, OID order, the concurrency limiter, failure messages.
import snmp from "net-snmp";
import { describe, expect, it } from "vitest";
import type { SnmpDevice } from "../../agent/snmp/client.js";
import { abortFailure, describeError, SnmpFailure } from "../../agent/snmp/errors.js";
import { Limiter, type Waiter } from "../../agent/snmp/limit.js";
import { compareOids, octetString, toResult, unsignedBigEndian } from "../../agent/snmp/varbind.js";

const { ObjectType } = snmp;

describe("varbind conversion", () => {
  const oid = "1.3.6.1.2.1.1.1.0";
  it.each([
    [ObjectType.Integer, -5, -5],
    [ObjectType.Counter, 4294967295, 4294967295],
    [ObjectType.Gauge, 40, 40],
    [ObjectType.TimeTicks, 123456, 123456], // centiseconds, unscaled
    [ObjectType.OID, "1.3.6.1.2.1.33", "1.3.6.1.2.1.33"],
    [ObjectType.IpAddress, "10.1.1.20", "10.1.1.20"],
    [ObjectType.Boolean, true, true],
    // 2^32 + 1 = 4294967297
    [ObjectType.Counter64, Buffer.from([0x01, 0x00, 0x00, 0x00, 0x01]), 4294967297],
    [ObjectType.OctetString, Buffer.from("1号UPS"), "1号UPS"],
  ])("type %i → %o", (type, value, expected) => {
    expect(toResult({ oid, type, value } as snmp.Varbind)).toEqual({ oid, value: expected });
  });

  it.each([
    [ObjectType.NoSuchObject, "noSuchObject"],
    [ObjectType.NoSuchInstance, "noSuchInstance"],
    [ObjectType.EndOfMibView, "endOfMibView"],
    [ObjectType.Opaque, "unsupportedType"],
    [ObjectType.Null, "unsupportedType"],
  ])("type %i → error %s", (type, error) => {
    expect(toResult({ oid, type, value: null } as snmp.Varbind)).toEqual({ oid, error });
  });

  it("reads Counter64 with a leading zero byte (BER sign) and the 2^53 limit", () => {
    // 0x00 ff ff ff ff ff ff ff ff = 2^64 − 1 ≈ 1.8446744073709552e19 (doubles round it)
    expect(unsignedBigEndian(Buffer.from([0, 255, 255, 255, 255, 255, 255, 255, 255]))).toBe(2 ** 64);
    expect(unsignedBigEndian(Buffer.from([0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(2 ** 53 - 1);
    expect(unsignedBigEndian(Buffer.alloc(0))).toBe(0);
  });

  it.each([
    ["", ""],
    ["Smart-UPS 3000", "Smart-UPS 3000"],
    ["line1\r\n\tline2", "line1\r\n\tline2"],
    ["华为 UPS2000", "华为 UPS2000"],
    ["C string\0", "C string"], // trailing NULs dropped from text
  ])("octet string %j is text", (text, expected) => {
    expect(octetString(Buffer.from(text))).toBe(expected);
  });

  it.each([
    [[0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e], "0x001a2b3c4d5e"], // a MAC address
    [[0x00, 0x00], "0x0000"], // only NULs: not an empty string
    [[0x41, 0x07, 0x42], "0x410742"], // BEL is not printable
    [[0x41, 0x7f], "0x417f"], // nor DEL
    [[0xc3, 0x28], "0xc328"], // invalid UTF-8
    [[0x07, 0xea, 0x0b, 0x19, 0x0d, 0x2d, 0x00, 0x00], "0x07ea0b190d2d0000"], // DateAndTime 2026-11-25 13:45
  ])("octet string %j is hex", (bytes, expected) => {
    expect(octetString(Buffer.from(bytes))).toBe(expected);
  });
});

describe("compareOids", () => {
  it.each([
    ["1.3.6.1.9", "1.3.6.1.10", -1], // numeric, not string order
    ["1.3.6.1.10", "1.3.6.1.9", 1],
    ["1.3.6", "1.3.6", 0],
    ["1.3.6", "1.3.6.1", -1], // a prefix comes first
    ["1.3.6.1", "1.3.6", 1],
    ["1.3.6.1.2.1.2.2.1.2.4", "1.3.6.1.2.1.2.2.1.3.1", -1],
    ["1.3.6.1.4.1.2011", "1.3.6.1.4.1.534", 1],
  ])("%s vs %s → sign %i", (a, b, sign) => {
    expect(Math.sign(compareOids(a, b))).toBe(sign);
  });
});

describe("Limiter", () => {
  class Job implements Waiter {
    queued = false;
    started = false;
    onSlot() {
      this.started = true;
    }
  }
  const tick = () => new Promise((r) => process.nextTick(r));

  it("hands slots first come, first served, on a later tick", async () => {
    const limit = new Limiter<Job>(2);
    expect([limit.take(), limit.take(), limit.take()]).toEqual([true, true, false]);
    const [a, b] = [new Job(), new Job()];
    limit.enqueue(a);
    limit.enqueue(b);
    limit.release();
    expect(a.started).toBe(false);
    await tick();
    expect([a.started, b.started]).toEqual([true, false]);
    limit.release();
    await tick();
    expect(b.started).toBe(true);
    // a and b hold the 2 slots: still full
    expect(limit.take()).toBe(false);
    limit.release();
    expect(limit.take()).toBe(true);
  });

  it("skips a waiter that gave up", async () => {
    const limit = new Limiter<Job>(1);
    limit.take();
    const [gone, next] = [new Job(), new Job()];
    limit.enqueue(gone);
    limit.enqueue(next);
    gone.queued = false; // aborted while in line
    limit.release();
    await tick();
    expect([gone.started, next.started]).toEqual([false, true]);
  });

  it("drains the line on close, and frees slots once it is empty", () => {
    const limit = new Limiter<Job>(1);
    limit.take();
    const jobs = [new Job(), new Job(), new Job()];
    for (const j of jobs) limit.enqueue(j);
    (jobs[1] as Job).queued = false;
    expect(limit.drain()).toEqual([jobs[0], jobs[2]]);
    limit.release();
    expect(limit.take()).toBe(true);
  });

  it("keeps order through a long line (the queue compacts as it goes)", async () => {
    const limit = new Limiter<Job>(1);
    limit.take();
    const jobs = Array.from({ length: 3000 }, () => new Job());
    for (const j of jobs) limit.enqueue(j);
    for (let i = 0; i < 2500; i++) {
      limit.release();
      await tick();
      expect(jobs[i]?.started).toBe(true);
      expect(jobs[i + 1]?.started).toBe(false);
    }
  });

  it("refuses a bound below 1", () => {
    expect(() => new Limiter(0)).toThrow("maxConcurrent must be an integer ≥ 1, not 0");
  });
});

describe("failure messages", () => {
  const v2: SnmpDevice = {
    host: "10.1.1.20",
    port: 161,
    version: "2c",
    community: "public",
    timeout: 5000,
    retries: 1,
    maxRepetitions: 20,
  };
  const v3: SnmpDevice = {
    ...v2,
    version: "3",
    v3: { user: "ops", level: "authPriv", auth_key: "authpass123", priv_key: "privpass123" },
  };
  const fresh = { engineKnown: false, answered: false };
  const discovered = { engineKnown: true, answered: false };
  const timedOut = Object.assign(new Error("Request timed out"), { name: "RequestTimedOutError" });

  it("names wrong credentials as the likely cause of a timeout, as precisely as the session allows", () => {
    expect(describeError(timedOut, v2, fresh).message).toBe(
      "timeout: no answer from 10.1.1.20:161 in 5000 ms (device down, or wrong community: SNMP agents drop those silently)",
    );
    expect(describeError(timedOut, v3, fresh).message).toBe(
      "timeout: no answer from 10.1.1.20:161 in 5000 ms (device down, or wrong v3 privacy key or protocol (priv_key, priv_protocol): SNMP agents drop those silently)",
    );
    expect(describeError(timedOut, v3, discovered).message).toBe(
      "timeout: no answer from 10.1.1.20:161 in 5000 ms (the device answered SNMPv3 engine discovery but not the request: likely wrong v3 privacy key or protocol (priv_key, priv_protocol); SNMP agents drop those silently)",
    );
    const authNoPriv = { ...v3, v3: { user: "ops", level: "authNoPriv" as const, context: "ups" } };
    expect(describeError(timedOut, authNoPriv, fresh).message).toBe(
      'timeout: no answer from 10.1.1.20:161 in 5000 ms (device down, or an unknown context "ups": SNMP agents drop those silently)',
    );
    expect(
      describeError(timedOut, { ...v3, host: "fd00::20" }, { engineKnown: true, answered: true }).message,
    ).toMatch(/^timeout: no answer from \[fd00::20\]:161 in 5000 ms \(device down, or wrong v3 privacy key/);
  });

  it.each([
    ["Wrong Digest (incorrect password, community or key)", "auth_failure", /usmStatsWrongDigests/],
    ["Unknown User Name", "unknown_user", /^unknown user: 10\.1\.1\.20:161 has no SNMPv3 user "ops"/],
    ["Unknown Engine ID", "unknown_engine_id", /usmStatsUnknownEngineIDs/],
    ["Not In Time Window", "not_in_time_window", /usmStatsNotInTimeWindows/],
    ["Decryption Error", "decryption_error", /usmStatsDecryptionErrors: wrong priv_key/],
    ["Unsupported Security Level", "auth_failure", /does not allow user "ops" at level authPriv/],
    [
      "Authentication digest 00 received in message does not match",
      "auth_failure",
      /does not carry a valid digest/,
    ],
  ])("USM report %j → %s", (message, reason, text) => {
    const failure = describeError(new snmp.ResponseInvalidError(message, 5), v3, discovered);
    expect(failure.reason).toBe(reason);
    expect(failure.message).toMatch(text);
  });

  it("maps net-snmp's own response checks and error statuses", () => {
    const undecrypted = describeError(new snmp.ResponseInvalidError("Failed to decrypt PDU", 4), v3, fresh);
    expect(undecrypted.reason).toBe("decryption_error");
    expect(
      describeError(new snmp.ResponseInvalidError("outside the time window", 14), v3, fresh).reason,
    ).toBe("not_in_time_window");
    const denied = describeError(new snmp.RequestFailedError("AuthorizationError", 16), v3, fresh);
    expect([denied.reason, denied.message]).toEqual([
      "auth_failure",
      'authorization error: 10.1.1.20:161 refused access for user "ops" at level authPriv (its access rules need a higher security level or exclude these OIDs)',
    ]);
    const genErr = describeError(
      new snmp.RequestFailedError("GeneralError: 1.3.6.1.2.1.1.3.0", 5),
      v2,
      fresh,
    );
    expect([genErr.reason, genErr.message]).toEqual([
      "request_failed",
      "10.1.1.20:161 answered generalError: 1.3.6.1.2.1.1.3.0",
    ]);
    const unreachable = Object.assign(new Error("send EHOSTUNREACH 10.1.1.20:161"), { code: "EHOSTUNREACH" });
    expect(describeError(unreachable, v2, fresh).reason).toBe("transport");
    expect(describeError(new Error("Socket forcibly closed"), v2, fresh).reason).toBe("transport");
    const own = new SnmpFailure("aborted", "x");
    expect(describeError(own, v2, fresh)).toBe(own);
  });

  it("tells an abort from the poll's own timeout", () => {
    const timeout = new DOMException("signal timed out", "TimeoutError");
    expect(abortFailure(v2, new Error("agent stopping"), fresh, 10).message).toBe(
      "aborted: request to 10.1.1.20:161 cancelled (agent stopping)",
    );
    expect(abortFailure(v2, timeout, fresh, 4321).message).toBe(
      "timeout: no answer from 10.1.1.20:161 in 4321 ms (device down, or wrong community: SNMP agents drop those silently)",
    );
    expect(abortFailure(v2, timeout, "not started", 0).message).toBe(
      "timeout: the poll ran out of time before its request to 10.1.1.20:161",
    );
    expect(abortFailure(v2, timeout, { queuedFor: 250, slots: 64 }, 0).reason).toBe("timeout");
  });
});
