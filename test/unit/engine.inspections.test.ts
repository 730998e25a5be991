import { describe, expect, it } from "vitest";
import {
  defaultAutoItems,
  evaluateAutoItem,
  type InspectionItem,
  type InspectionRun,
  inspectionRate,
  judgeInspection,
} from "../../engine/inspections.js";

const TZ = "Asia/Shanghai";
const MIN = 60_000;
const t = (iso: string) => Date.parse(iso);
const faults = new Set(["F-1"]);
const exists = (id: string) => faults.has(id);

const scheduledAt = t("2026-03-10T09:00:00+08:00");
const dayOver = t("2026-03-11T00:00:00+08:00"); // the scheduled local day has ended
const items = (): InspectionItem[] => [
  { id: "ups-1/battery_charge", kind: "auto", result: "pass" },
  { id: "portal/reachable", kind: "auto", result: "pass" },
  {
    id: "room/temperature",
    kind: "manual",
    result: "pass",
    signedOffAt: t("2026-03-10T09:20:00+08:00"),
    signedOffBy: "zhang",
  },
];
const run = (over: Partial<InspectionRun> = {}): InspectionRun => ({
  plan: "daily",
  scheduledAt,
  startedAt: scheduledAt + 2 * MIN,
  items: items(),
  ...over,
});
const withItem = (i: number, over: Partial<InspectionItem>): InspectionRun => {
  const list = items();
  list[i] = { ...(list[i] as InspectionItem), ...over };
  return run({ items: list });
};

describe("judgeInspection (rule 17)", () => {
  it("on time and complete → compliant", () => {
    expect(judgeInspection(run(), dayOver, TZ, exists)).toEqual({ status: "compliant", reasons: [] });
  });

  it("is pending until the scheduled local day has ended", () => {
    expect(judgeInspection(run(), dayOver - 1, TZ, exists).status).toBe("pending");
    expect(judgeInspection(run({ startedAt: undefined }), dayOver - 1, TZ, exists).status).toBe("pending");
  });

  it("tolerance ± 30 min is inclusive", () => {
    const at = (d: number) => judgeInspection(run({ startedAt: scheduledAt + d * MIN }), dayOver, TZ, exists);
    expect(at(30).status).toBe("compliant");
    expect(at(-30).status).toBe("compliant");
    expect(at(31)).toEqual({
      status: "non_compliant",
      reasons: ["started 31 min late (tolerance ± 30 min)"],
    });
    expect(at(-31).status).toBe("non_compliant");
    // configurable
    expect(
      judgeInspection(run({ startedAt: scheduledAt + 31 * MIN }), dayOver, TZ, exists, 45 * MIN).status,
    ).toBe("compliant");
  });

  it("a manual item not signed off, or signed off another day, is non-compliant", () => {
    const none = withItem(2, { signedOffAt: undefined, signedOffBy: undefined });
    expect(judgeInspection(none, dayOver, TZ, exists)).toEqual({
      status: "non_compliant",
      reasons: ["item room/temperature: not signed off"],
    });
    const nextDay = withItem(2, { signedOffAt: t("2026-03-11T08:00:00+08:00") });
    expect(judgeInspection(nextDay, t("2026-03-12T00:00:00+08:00"), TZ, exists)).toEqual({
      status: "non_compliant",
      reasons: ["item room/temperature: signed off on 2026-03-11, not on 2026-03-10"],
    });
    // 16:30 UTC on 03-10 is already 00:30 on 03-11 in Shanghai: the local date decides
    const utcSameDay = withItem(2, { signedOffAt: t("2026-03-10T16:30:00Z") });
    expect(judgeInspection(utcSameDay, t("2026-03-12T00:00:00+08:00"), TZ, exists).status).toBe(
      "non_compliant",
    );
    const lastMinute = withItem(2, { signedOffAt: t("2026-03-10T23:59:00+08:00") });
    expect(judgeInspection(lastMinute, dayOver, TZ, exists).status).toBe("compliant");
  });

  it("every item needs a result", () => {
    const r = judgeInspection(withItem(0, { result: undefined }), dayOver, TZ, exists);
    expect(r).toEqual({ status: "non_compliant", reasons: ["item ups-1/battery_charge: no result"] });
    expect(judgeInspection(run({ items: [] }), dayOver, TZ, exists).status).toBe("non_compliant");
  });

  it("a failed item must link to an existing fault", () => {
    const none = judgeInspection(withItem(0, { result: "fail" }), dayOver, TZ, exists);
    expect(none).toEqual({
      status: "non_compliant",
      reasons: ["item ups-1/battery_charge: failed without a fault"],
    });
    const ghost = judgeInspection(withItem(0, { result: "fail", faultId: "F-9" }), dayOver, TZ, exists);
    expect(ghost.reasons).toEqual(["item ups-1/battery_charge: fault F-9 does not exist"]);
    const linked = judgeInspection(withItem(0, { result: "fail", faultId: "F-1" }), dayOver, TZ, exists);
    expect(linked.status).toBe("compliant");
  });

  it("a missed run (never started) is non-compliant", () => {
    expect(judgeInspection(run({ startedAt: undefined }), dayOver, TZ, exists)).toEqual({
      status: "non_compliant",
      reasons: ["never started (missed)"],
    });
  });
});

describe("inspectionRate", () => {
  const march = { start: t("2026-03-01T00:00:00+08:00"), end: t("2026-04-01T00:00:00+08:00") };
  const on = (date: string, over: Partial<InspectionRun> = {}) => {
    const at = t(`${date}T09:00:00+08:00`);
    const signed = items().map((i) => (i.kind === "manual" ? { ...i, signedOffAt: at + 20 * MIN } : i));
    return run({ scheduledAt: at, startedAt: at, ...over, items: over.items ?? signed });
  };
  const now = t("2026-03-12T15:00:00+08:00");

  it("counts scheduled runs including missed ones; today's is pending and excluded from the ratio", () => {
    const runs = [
      on("2026-02-28"), // other period
      on("2026-03-10"), // compliant: 3 items, 3 pass
      on("2026-03-11", { startedAt: undefined, items: [] }), // missed: non-compliant, no items
      on("2026-03-12"), // day not over at 15:00: pending
    ];
    const r = inspectionRate(runs, march, now, TZ, exists);
    // decided = 1 compliant + 1 non-compliant → 1 / 2
    expect(r).toEqual({
      scheduled: 3,
      compliant: 1,
      nonCompliant: 1,
      pending: 1,
      ratio: 0.5,
      items: { passed: 3, withResult: 3, share: 1 },
    });
  });

  it("item pass share over judged runs' items with a result", () => {
    // run 03-09: items pass, pass, pass; run 03-10: fail (linked to F-1), pass, no result → 4 pass of 5
    const list = items();
    list[0] = { ...(list[0] as InspectionItem), result: "fail", faultId: "F-1" };
    list[1] = { ...(list[1] as InspectionItem), result: undefined };
    const r = inspectionRate([on("2026-03-09"), on("2026-03-10", { items: list })], march, now, TZ, exists);
    expect(r.items).toEqual({ passed: 4, withResult: 5, share: 0.8 });
    expect(r.ratio).toBe(0.5); // 03-10 lacks a result
  });

  it("nothing judged → n/a", () => {
    expect(inspectionRate([on("2026-03-12")], march, now, TZ, exists).ratio).toBeNull();
    expect(inspectionRate([], march, now, TZ, exists)).toMatchObject({
      scheduled: 0,
      ratio: null,
      items: { share: null },
    });
  });
});

describe("automatic checklist items", () => {
  const pick = (kind: Parameters<typeof defaultAutoItems>[0], id: string, opts = {}) => {
    const def = defaultAutoItems(kind, opts).find((d) => d.id === id);
    if (!def) throw new Error(`no item ${id}`);
    return def;
  };

  it("lists the indicators.md defaults per kind of target", () => {
    expect(defaultAutoItems("ups").map((d) => d.id)).toEqual([
      "reachable",
      "battery_charge",
      "battery_status",
      "ups_load",
    ]);
    expect(defaultAutoItems("firewall", { interfaces: ["wan", "lan"] }).map((d) => d.value)).toEqual([
      "probe.ok",
      "fw.cpu_percent",
      "fw.mem_percent",
      "if.wan.oper_status",
      "if.lan.oper_status",
    ]);
    expect(defaultAutoItems("website", { https: true }).map((d) => d.id)).toEqual([
      "reachable",
      "tls_days",
      "response",
    ]);
    expect(defaultAutoItems("website").map((d) => d.id)).toEqual(["reachable", "response"]);
    expect(defaultAutoItems("host").map((d) => d.id)).toEqual(["reachable", "disk"]);
  });

  it("applies thresholds at their edges", () => {
    const v = (def: ReturnType<typeof pick>, value: number | boolean | string | undefined) =>
      evaluateAutoItem(def, { [def.value]: value });
    expect(v(pick("ups", "battery_charge"), 90)).toBe("pass"); // ≥ 90 %
    expect(v(pick("ups", "battery_charge"), 89.9)).toBe("fail");
    expect(v(pick("ups", "battery_status"), 2)).toBe("pass"); // normal(2)
    expect(v(pick("ups", "battery_status"), 3)).toBe("fail"); // low(3)
    expect(v(pick("ups", "ups_load"), 79)).toBe("pass"); // < 80 %
    expect(v(pick("ups", "ups_load"), 80)).toBe("fail");
    expect(v(pick("firewall", "fw_cpu"), 80)).toBe("fail");
    expect(v(pick("firewall", "if_wan", { interfaces: ["wan"] }), 1)).toBe("pass"); // up(1)
    expect(v(pick("firewall", "if_wan", { interfaces: ["wan"] }), 2)).toBe("fail"); // down(2)
    expect(v(pick("website", "tls_days", { https: true }), 31)).toBe("pass"); // > 30 days
    expect(v(pick("website", "tls_days", { https: true }), 30)).toBe("fail");
    expect(v(pick("website", "response"), 2999)).toBe("pass"); // < 3 s
    expect(v(pick("website", "response"), 3000)).toBe("fail");
    expect(v(pick("host", "disk"), 84.9)).toBe("pass"); // < 85 %
    expect(v(pick("host", "disk"), 85)).toBe("fail");
    expect(v(pick("host", "reachable"), true)).toBe("pass");
    expect(v(pick("host", "reachable"), false)).toBe("fail");
  });

  it("a missing or mistyped value is no result", () => {
    expect(evaluateAutoItem(pick("ups", "battery_charge"), {})).toBe("none");
    expect(evaluateAutoItem(pick("ups", "battery_charge"), { "battery.charge": "95" })).toBe("none");
    expect(evaluateAutoItem(pick("ups", "battery_charge"), { "battery.charge": Number.NaN })).toBe("none");
  });
});
