// Pure parts of firewall_stability: reboot detection with the sysUpTime wrap, the "members" combine
// and the reboot overlay.
import { describe, expect, it } from "vitest";
import { findReboots, rebootBetween, UPTIME_WRAP_SECONDS } from "../../engine/reboots.js";
import { combineNow, combineTarget, overlayDown } from "../../engine/timeline.js";
import type { Segment } from "../../engine/types.js";

describe("rebootBetween", () => {
  it("finds a reboot: DOWN from the previous poll to the boot time", () => {
    // Poll at 0 s: uptime 1000 s; poll at 30 s: uptime 5 s → boot at 25 s → DOWN [0, 25 s).
    expect(rebootBetween({ ts: 0, uptime: 1000 }, { ts: 30_000, uptime: 5 })).toEqual({
      start: 0,
      end: 25_000,
    });
  });

  it("counts at least 1 s when the boot lies before the previous poll (clock skew)", () => {
    // Boot = 30 s − 40 s = −10 s, before the previous poll: DOWN [0, 1 s).
    expect(rebootBetween({ ts: 0, uptime: 1000 }, { ts: 30_000, uptime: 40 })).toEqual({
      start: 0,
      end: 1000,
    });
  });

  it("is not a reboot when the 32-bit TimeTicks counter wrapped (≈ 497.1 days)", () => {
    // 2^32 cs = 42,949,672.96 s. Previous 42,949,670 s, 10 s later the counter reads
    // 42,949,680 − 42,949,672.96 = 7.04 s: a wrap.
    expect(UPTIME_WRAP_SECONDS).toBe(42_949_672.96);
    expect(rebootBetween({ ts: 0, uptime: 42_949_670 }, { ts: 10_000, uptime: 7.04 })).toBeUndefined();
    // 300 s later a wrapped counter reads 42,949,970 − 42,949,672.96 = 297.04 s; 2 s is 295 s off (more
    // than the 10 s + 1 % tolerance): a reboot at 300 − 2 = 298 s, DOWN [0, 298 s).
    expect(rebootBetween({ ts: 0, uptime: 42_949_670 }, { ts: 300_000, uptime: 2 })).toEqual({
      start: 0,
      end: 298_000,
    });
  });

  it("ignores uptime that went forward; findReboots sorts by time", () => {
    expect(rebootBetween({ ts: 0, uptime: 10 }, { ts: 30_000, uptime: 40 })).toBeUndefined();
    const s = [
      { ts: 60_000, uptime: 3 },
      { ts: 0, uptime: 500 },
      { ts: 30_000, uptime: 530 },
    ];
    // 530 s at 30 s, then 3 s at 60 s → boot at 57 s: DOWN [30 s, 57 s).
    expect(findReboots(s)).toEqual([{ start: 30_000, end: 57_000 }]);
  });
});

const R = { start: 0, end: 100 };
const seg = (start: number, end: number, state: Segment["state"]): Segment => ({ start, end, state });

describe("combineTarget members", () => {
  const oneDevice = [
    { role: "reach" as const, member: "" },
    { role: "reach" as const, member: "" },
    { role: "state" as const, member: "" },
  ];
  it("a state stream vetoes a reachable device; its unknown does not", () => {
    const snmpReach = [seg(0, 40, "up"), seg(40, 60, "down"), seg(60, 100, "up")];
    const tcpReach = [seg(0, 100, "up")];
    const state = [seg(0, 20, "down"), seg(20, 40, "up"), seg(40, 60, "unknown"), seg(60, 100, "up")];
    expect(combineTarget([snmpReach, tcpReach, state], oneDevice, "members", R)).toEqual([
      seg(0, 20, "down"),
      seg(20, 100, "up"),
    ]);
  });

  it("an HA pair is down only when no member is up", () => {
    const pair = [
      { role: "reach" as const, member: "a" },
      { role: "reach" as const, member: "b" },
    ];
    const a = [seg(0, 50, "up"), seg(50, 100, "down")];
    const b = [seg(0, 30, "down"), seg(30, 60, "unknown"), seg(60, 100, "down")];
    expect(combineTarget([a, b], pair, "members", R)).toEqual([
      seg(0, 50, "up"),
      seg(50, 60, "unknown"),
      seg(60, 100, "down"),
    ]);
    expect(combineNow(["down", "up"], pair, "members")).toBe("up");
    expect(combineNow(["down", "down"], pair, "members")).toBe("down");
  });

  it("worst and best keep their meaning", () => {
    expect(combineNow(["up", "down"], [{}, {}], "worst")).toBe("down");
    expect(combineNow(["up", "down"], [{}, {}], "best")).toBe("up");
  });
});

describe("overlayDown", () => {
  it("forces DOWN over the intervals and keeps the rest", () => {
    const line = [seg(0, 50, "up"), seg(50, 100, "unknown")];
    expect(
      overlayDown(
        line,
        [
          { start: 40, end: 55 },
          { start: 90, end: 200 },
        ],
        R,
      ),
    ).toEqual([seg(0, 40, "up"), seg(40, 55, "down"), seg(55, 90, "unknown"), seg(90, 100, "down")]);
  });
});
