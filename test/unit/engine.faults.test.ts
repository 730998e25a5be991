import { describe, expect, it } from "vitest";
import { Severities } from "../../config/indicators.js";
import { WorkCalendar } from "../../engine/calendar.js";
import {
  deadlines,
  type Fault,
  type FaultClock,
  type FaultEvent,
  faultRates,
  judge,
  mtta,
  mttr,
  openFaultFor,
  reduce,
  transitionError,
} from "../../engine/faults.js";

const TZ = "Asia/Shanghai";
const MIN = 60_000;
const H = 60 * MIN;
const t = (iso: string) => Date.parse(iso);
const severities = Severities.parse({}); // P1 15m/4h, P2 30m/8h, P3 2h/24h, P4 1wd/5wd
const calendar = new WorkCalendar();
const clock: FaultClock = { severities, tz: TZ, calendar };

let nextId = 0;
function fault(events: FaultEvent[], target = "portal"): Fault {
  return { id: `f${++nextId}`, target, events };
}
const opened = (
  at: number,
  severity: "P1" | "P2" | "P3" | "P4",
  source: "auto" | "manual" = "auto",
): FaultEvent => ({
  type: "opened",
  at,
  severity,
  source,
  cause: "down",
});
const ack = (at: number): Extract<FaultEvent, { type: "acknowledged" }> => ({
  type: "acknowledged",
  at,
  actor: "zhang",
  note: "looking",
});
const resolve = (at: number): Extract<FaultEvent, { type: "resolved" }> => ({
  type: "resolved",
  at,
  actor: "zhang",
  note: "restarted nginx",
});
const reopen = (at: number): FaultEvent => ({ type: "reopened", at, actor: "li", note: "back again" });

describe("deadlines", () => {
  it("natural clock: P1 = opening + 15 min / + 4 h", () => {
    const o = t("2026-03-02T10:00:00+08:00");
    expect(deadlines(o, "P1", severities, TZ, calendar)).toEqual({
      respondBy: o + 15 * MIN,
      resolveBy: o + 4 * H,
    });
  });

  it("P4 opened on Friday 2026-04-03 before 清明 (04-04 … 04-06)", () => {
    // Working days after Fri 04-03: Tue 04-07 (1st), 04-08 (2nd), 04-09 (3rd), Fri 04-10 (4th),
    // Sat 04-11 / Sun 04-12 are ordinary weekends, Mon 04-13 (5th).
    // respondBy = end (24:00) of 04-07, resolveBy = end of 04-13.
    const due = deadlines(t("2026-04-03T15:30:00+08:00"), "P4", severities, TZ, calendar);
    expect(due).toEqual({
      respondBy: t("2026-04-08T00:00:00+08:00"),
      resolveBy: t("2026-04-14T00:00:00+08:00"),
    });
  });

  it("P4 opened on Friday 2026-09-18: the makeup Sunday 09-20 is the 1st working day", () => {
    // Sat 09-19 no; Sun 09-20 makeup (1st); 09-21 (2nd), 09-22 (3rd), 09-23 (4th), Thu 09-24 (5th);
    // Fri 09-25 would be 中秋.
    const due = deadlines(t("2026-09-18T17:00:00+08:00"), "P4", severities, TZ, calendar);
    expect(due).toEqual({
      respondBy: t("2026-09-21T00:00:00+08:00"),
      resolveBy: t("2026-09-25T00:00:00+08:00"),
    });
  });

  it("P4 opened on 2026-09-30, the day before 国庆 (10-01 … 10-07, makeup Sat 10-10)", () => {
    // Thu 10-08 (1st), Fri 10-09 (2nd), Sat 10-10 makeup (3rd), Sun 10-11 no, Mon 10-12 (4th), Tue 10-13 (5th).
    const due = deadlines(t("2026-09-30T16:00:00+08:00"), "P4", severities, TZ, calendar);
    expect(due).toEqual({
      respondBy: t("2026-10-09T00:00:00+08:00"),
      resolveBy: t("2026-10-14T00:00:00+08:00"),
    });
  });

  it("the opening day counts by its local date in the site zone", () => {
    // 2026-04-02T16:30Z is Fri 04-03 00:30 in Shanghai: same deadlines as any time that Friday.
    const due = deadlines(t("2026-04-02T16:30:00Z"), "P4", severities, TZ, calendar);
    expect(due.respondBy).toBe(t("2026-04-08T00:00:00+08:00"));
  });
});

describe("judge: response", () => {
  const o = t("2026-03-02T10:00:00+08:00");
  const later = o + 24 * H;

  it("P1 acknowledged at 14 min is met, at 16 min missed, at exactly 15 min met", () => {
    expect(judge(fault([opened(o, "P1"), ack(o + 14 * MIN)]), later, clock).response).toBe("met");
    expect(judge(fault([opened(o, "P1"), ack(o + 16 * MIN)]), later, clock).response).toBe("missed");
    expect(judge(fault([opened(o, "P1"), ack(o + 15 * MIN)]), later, clock).response).toBe("met");
  });

  it("P4: acknowledging at 24:00 of the 1st working day is met, one ms later missed", () => {
    const fri = t("2026-04-03T15:30:00+08:00");
    const end = t("2026-04-08T00:00:00+08:00");
    expect(judge(fault([opened(fri, "P4"), ack(end)]), end + 30 * 24 * H, clock).response).toBe("met");
    expect(judge(fault([opened(fri, "P4"), ack(end + 1)]), end + 30 * 24 * H, clock).response).toBe("missed");
  });

  it("an open fault is pending while report time ≤ deadline, missed after", () => {
    const f = fault([opened(o, "P2")]); // respond by 10:30, resolve by 18:00
    expect(judge(f, o + 20 * MIN, clock)).toMatchObject({ response: "pending", completion: "pending" });
    expect(judge(f, o + 30 * MIN, clock)).toMatchObject({ response: "pending", completion: "pending" });
    expect(judge(f, o + 30 * MIN + 1, clock)).toMatchObject({ response: "missed", completion: "pending" });
    expect(judge(f, o + 8 * H + 1, clock)).toMatchObject({ response: "missed", completion: "missed" });
  });

  it("a fault that recovered by itself still needs a person's acknowledgement", () => {
    const f = fault([opened(o, "P2"), { type: "recovered", at: o + 5 * MIN }]);
    expect(judge(f, o + 31 * MIN, clock).response).toBe("missed");
  });

  it("a fault closed without an acknowledgement counts as responded at its closing time", () => {
    const quick = judge(fault([opened(o, "P2"), resolve(o + 25 * MIN)]), later, clock);
    expect(quick).toMatchObject({ respondedAt: o + 25 * MIN, response: "met", completion: "met" });
    const slow = judge(fault([opened(o, "P2"), resolve(o + 45 * MIN)]), later, clock);
    expect(slow).toMatchObject({ respondedAt: o + 45 * MIN, response: "missed", completion: "met" });
  });

  it("escalation does not move the deadlines", () => {
    // Opened P3 (respond within 2 h), escalated to P1 at 10:05; acknowledged at 11:00:
    // met against the opening P3 deadline 12:00 (P1's 10:15 would not apply).
    const f = fault([
      opened(o, "P3"),
      { type: "escalated", at: o + 5 * MIN, actor: "li", severity: "P1" },
      ack(o + H),
    ]);
    const j = judge(f, later, clock);
    expect(j.fault.severity).toBe("P1");
    expect(j.due).toEqual({ respondBy: o + 2 * H, resolveBy: o + 24 * H });
    expect(j.response).toBe("met");
  });

  it("ignores events after the report time", () => {
    const f = fault([opened(o, "P1"), ack(o + 10 * MIN)]);
    expect(judge(f, o + 5 * MIN, clock).response).toBe("pending");
    expect(() => judge(f, o - 1, clock)).toThrow(/not opened/);
  });
});

describe("judge: completion and reopening", () => {
  const o = t("2026-03-02T10:00:00+08:00");

  it("a reopened fault is completed by its last resolution", () => {
    // P1: resolve by 14:00. Resolved 12:00 (in time), reopened 13:00, resolved again 15:00 (late).
    const f = fault([
      opened(o, "P1"),
      ack(o + 5 * MIN),
      resolve(o + 2 * H),
      reopen(o + 3 * H),
      resolve(o + 5 * H),
    ]);
    expect(judge(f, o + 2.5 * H, clock).completion).toBe("met"); // as of 12:30 it was done at 12:00
    expect(judge(f, o + 3.5 * H, clock).completion).toBe("pending"); // reopened, 13:30 ≤ 14:00
    expect(judge(f, o + 4.5 * H, clock).completion).toBe("missed"); // reopened, past 14:00
    expect(judge(f, o + 6 * H, clock)).toMatchObject({ completedAt: o + 5 * H, completion: "missed" });
    // the response stays the first acknowledgement
    expect(judge(f, o + 6 * H, clock)).toMatchObject({ respondedAt: o + 5 * MIN, response: "met" });
  });

  it("reopened and resolved again before the deadline is met", () => {
    const f = fault([
      opened(o, "P1"),
      ack(o + 5 * MIN),
      resolve(o + H),
      reopen(o + 2 * H),
      resolve(o + 3 * H),
    ]);
    expect(judge(f, o + 5 * H, clock)).toMatchObject({ completedAt: o + 3 * H, completion: "met" });
  });
});

describe("reduce and transitions", () => {
  const o = t("2026-03-02T10:00:00+08:00");

  it("auto open, recover, attach, recover, acknowledge, resolve, reopen, resolve", () => {
    const f = fault([
      opened(o, "P2"),
      { type: "recovered", at: o + 5 * MIN },
      { type: "attached", at: o + 7 * MIN }, // down again: same fault
      { type: "recovered", at: o + 12 * MIN },
      ack(o + 20 * MIN),
      resolve(o + 40 * MIN),
      reopen(o + 60 * MIN),
      resolve(o + 120 * MIN),
    ]);
    expect(reduce(f, o + 8 * MIN)).toMatchObject({
      status: "open",
      recoveredAt: undefined,
      awaitingAck: true,
    });
    expect(reduce(f, o + 13 * MIN)).toMatchObject({ status: "open", recoveredAt: o + 12 * MIN });
    expect(reduce(f, o + 61 * MIN)).toMatchObject({
      status: "open",
      resolvedAt: undefined,
      awaitingAck: true,
    });
    const s = reduce(f);
    expect(s).toMatchObject({
      status: "resolved",
      source: "auto",
      openedAt: o,
      acknowledged: { at: o + 20 * MIN, actor: "zhang", note: "looking" },
      firstResolvedAt: o + 40 * MIN,
      resolvedAt: o + 120 * MIN,
    });
    expect(s.history.map((e) => e.type)).toEqual([
      "opened",
      "recovered",
      "attached",
      "recovered",
      "acknowledged",
      "resolved",
      "reopened",
      "resolved",
    ]);
  });

  it("replays events in time order, equal times in log order", () => {
    const f = fault([opened(o, "P2"), resolve(o + 10 * MIN), ack(o + 5 * MIN)]);
    expect(reduce(f).history.map((e) => e.type)).toEqual(["opened", "acknowledged", "resolved"]);
    const same = fault([opened(o, "P2"), ack(o + MIN), resolve(o + 2 * MIN), reopen(o + 2 * MIN)]);
    expect(reduce(same).status).toBe("open");
  });

  it("finds the open fault a new detection attaches to", () => {
    const a = reduce(fault([opened(o, "P2"), resolve(o + H)], "portal"));
    const b = reduce(fault([opened(o + 2 * H, "P2")], "portal"));
    const c = reduce(fault([opened(o, "P2")], "ups-1"));
    expect(openFaultFor([a, b, c], "portal", "down")).toBe(b);
    expect(openFaultFor([a, c], "portal", "down")).toBeUndefined();
  });

  it("refuses to resolve while the target is down", () => {
    const s = reduce(fault([opened(o, "P2"), ack(o + MIN)]));
    expect(transitionError(s, resolve(o + H), false)).toMatch(/not healthy/);
    expect(transitionError(s, resolve(o + H), true)).toBeUndefined();
  });

  it("refuses transitions that do not fit the state", () => {
    const open = reduce(fault([opened(o, "P2")]));
    const acked = reduce(fault([opened(o, "P2"), ack(o + MIN)]));
    const resolved = reduce(fault([opened(o, "P2"), resolve(o + MIN)]));
    const manual = reduce(fault([opened(o, "P2", "manual")]));
    const at = o + H;
    expect(transitionError(undefined, ack(at), true)).toMatch(/not been opened/);
    expect(transitionError(open, opened(at, "P1"), true)).toMatch(/already opened/);
    expect(transitionError(resolved, ack(at), true)).toMatch(/resolved: reopen it first/);
    expect(transitionError(acked, ack(at), true)).toMatch(/already acknowledged/);
    expect(transitionError(open, reopen(at), true)).toMatch(/is open/);
    expect(transitionError(resolved, resolve(at), true)).toMatch(/already resolved/);
    expect(transitionError(resolved, { type: "attached", at }, true)).toMatch(/new fault/);
    expect(transitionError(open, { ...resolve(at), note: " " }, true)).toMatch(/resolution note/);
    expect(transitionError(open, { ...ack(at), actor: "" }, true)).toMatch(/person/);
    expect(transitionError(open, { type: "escalated", at, actor: "li", severity: "P3" }, true)).toMatch(
      /not more severe/,
    );
    expect(transitionError(manual, { type: "recovered", at }, true)).toMatch(/automatic/);
    expect(transitionError(open, ack(o - 1), true)).toMatch(/earlier than the opening/);
    // and the allowed ones
    expect(transitionError(resolved, reopen(at), true)).toBeUndefined();
    expect(
      transitionError(open, { type: "escalated", at, actor: "li", severity: "P1" }, true),
    ).toBeUndefined();
  });

  it("a reopened fault can be acknowledged again; the response stays the first one", () => {
    const f = fault([opened(o, "P2"), ack(o + MIN), resolve(o + 2 * MIN), reopen(o + 3 * MIN)]);
    expect(transitionError(reduce(f), ack(o + 4 * MIN), true)).toBeUndefined();
    const s = reduce({ ...f, events: [...f.events, ack(o + 4 * MIN)] });
    expect(s.acknowledged?.at).toBe(o + MIN);
  });

  it("rejects a log that breaks the rules", () => {
    expect(() => reduce(fault([opened(o, "P2"), reopen(o + MIN)]))).toThrow(
      /reopened at .*: the fault is open/,
    );
    expect(() => reduce(fault([ack(o - MIN), opened(o, "P2")]))).toThrow(/not been opened/);
  });
});

describe("faultRates over March 2026 (Asia/Shanghai)", () => {
  const period = { start: t("2026-03-01T00:00:00+08:00"), end: t("2026-04-01T00:00:00+08:00") };
  const reportTime = t("2026-04-01T00:10:00+08:00");
  const a0 = t("2026-03-02T10:00:00+08:00");
  const b0 = t("2026-03-03T10:00:00+08:00");
  const c0 = t("2026-03-31T23:50:00+08:00");
  // A: P1, ack after 10 min (met), resolved after 1 h (met)
  const A = fault([opened(a0, "P1"), ack(a0 + 10 * MIN), resolve(a0 + H)]);
  // B: P1, ack after 20 min (missed, limit 15), resolved after 5 h (missed, limit 4 h)
  const B = fault([opened(b0, "P1"), ack(b0 + 20 * MIN), resolve(b0 + 5 * H)]);
  // C: P2 opened 23:50 on 03-31, nothing yet; at 00:10 the 00:20 / 07:50 deadlines have not passed → pending
  const C = fault([opened(c0, "P2")]);
  // D: opened in February, E: opened exactly at the April boundary — neither belongs to March
  const D = fault([opened(t("2026-02-28T23:59:59+08:00"), "P1")]);
  const E = fault([opened(period.end, "P1")]);

  it("counts faults opened in the period; pending ones are listed but excluded from the ratio", () => {
    const r = faultRates([E, D, C, B, A], period, reportTime, clock);
    // response: met A, missed B, pending C → 1 / (1 + 1) = 0.5
    expect(r.response).toEqual({ met: 1, missed: 1, pending: 1, ratio: 0.5 });
    // completion: met A, missed B, pending C → 0.5
    expect(r.completion).toEqual({ met: 1, missed: 1, pending: 1, ratio: 0.5 });
    expect(r.judgements.map((j) => j.fault.id)).toEqual([A.id, B.id, C.id]);
    // MTTA = (10 + 20) / 2 = 15 min; MTTR = (1 h + 5 h) / 2 = 3 h (C is neither responded nor resolved)
    expect(mtta(r.judgements)).toBe(15 * MIN);
    expect(mttr(r.judgements)).toBe(3 * H);
  });

  it("all pending → n/a", () => {
    const r = faultRates([C], period, reportTime, clock);
    expect(r.response).toEqual({ met: 0, missed: 0, pending: 1, ratio: null });
    expect(r.completion.ratio).toBeNull();
    expect(mtta(r.judgements)).toBeNull();
    expect(faultRates([], period, reportTime, clock).response.ratio).toBeNull();
  });

  it("a later report decides the pending fault", () => {
    // at 00:21 C's response deadline (00:20) has passed without an acknowledgement
    const r = faultRates([A, B, C], period, t("2026-04-01T00:21:00+08:00"), clock);
    expect(r.response).toEqual({ met: 1, missed: 2, pending: 0, ratio: 1 / 3 });
  });
});
