// Folding repeated traps (agent/traps/dedup.ts) with a 5-minute window and hand-set clocks.
import { describe, expect, it } from "vitest";
import type { Trap } from "../../agent/traps/decode.js";
import { TrapDedup } from "../../agent/traps/dedup.js";

const MIN = 60_000;
const WINDOW = 5 * MIN;

const trap = (name: string, subject = name, detail = "", source = "10.1.1.20"): Trap => ({
  version: "2c",
  source,
  oid: `oid.${name}`,
  name,
  subject,
  detail,
  values: {},
});
const onBattery = trap("upsTrapOnBattery");
const linkDown = (ifIndex: number) => trap("linkDown", `if:${ifIndex}`, String(ifIndex));
const linkUp = (ifIndex: number) => trap("linkUp", `if:${ifIndex}`, String(ifIndex));

describe("TrapDedup", () => {
  it("turns a burst of 20 identical traps into one event and 19 folded repeats", () => {
    const d = new TrapDedup(WINDOW);
    const decisions = Array.from({ length: 20 }, (_, i) => d.observe(onBattery, i * 10));
    expect(decisions[0]).toEqual({ emit: true, count: 1 });
    expect(decisions.filter((x) => x.emit)).toHaveLength(1);
    expect(decisions.at(-1)).toEqual({ emit: false, folded: 19 });
  });

  it("reminds once per window while a trap keeps repeating, counting the repeats it folded", () => {
    const d = new TrapDedup(WINDOW);
    // onBattery every minute for 11 minutes: t = 0, 1, …, 10 min.
    const emitted = Array.from({ length: 11 }, (_, m) => [m, d.observe(onBattery, m * MIN)] as const)
      .filter(([, x]) => x.emit)
      .map(([m, x]) => [m, x.emit && x.count]);
    // t=0 first event (count 1); t=1…4 folded (4); t=5 is a full window after the event: itself + 4 = 5;
    // t=6…9 folded (4); t=10: 5 again.
    expect(emitted).toEqual([
      [0, 1],
      [5, 5],
      [10, 5],
    ]);
  });

  it("never hides a flap: linkDown, linkUp, linkDown on one interface are three events", () => {
    const d = new TrapDedup(WINDOW);
    expect(d.observe(linkDown(3), 0).emit).toBe(true);
    expect(d.observe(linkUp(3), 1000).emit).toBe(true);
    expect(d.observe(linkDown(3), 2000).emit).toBe(true);
    expect(d.observe(linkDown(3), 3000).emit).toBe(false); // a true repeat
  });

  it("keeps interfaces, sources and unrelated traps apart", () => {
    const d = new TrapDedup(WINDOW);
    expect(d.observe(linkDown(3), 0).emit).toBe(true);
    expect(d.observe(linkDown(4), 1).emit).toBe(true);
    expect(d.observe(onBattery, 2).emit).toBe(true);
    expect(d.observe(trap("upsTrapOnBattery", "upsTrapOnBattery", "", "10.1.1.21"), 3).emit).toBe(true);
    // coldStart between two onBattery traps does not end the onBattery run (another subject)
    expect(d.observe(trap("coldStart"), 4).emit).toBe(true);
    expect(d.observe(onBattery, 5).emit).toBe(false);
    expect(d.size).toBe(5);
  });

  it("starts a new run after a quiet window and reports the repeats the old run folded", () => {
    const d = new TrapDedup(WINDOW);
    d.observe(onBattery, 0);
    d.observe(onBattery, 1 * MIN);
    d.observe(onBattery, 2 * MIN);
    // last repeat at 2 min; quiet until 7 min = a full window: a new run, count 1
    expect(d.observe(onBattery, 7 * MIN)).toEqual({
      emit: true,
      count: 1,
      ended: { source: "10.1.1.20", name: "upsTrapOnBattery", folded: 2 },
    });
  });

  it("prunes runs quiet for a window, returning those with unreported repeats", () => {
    const d = new TrapDedup(WINDOW);
    d.observe(onBattery, 0);
    d.observe(onBattery, MIN);
    d.observe(linkDown(1), 0);
    expect(d.prune(MIN + WINDOW - 1)).toEqual([]); // onBattery still within its window; linkDown pruned
    expect(d.size).toBe(1);
    expect(d.prune(MIN + WINDOW)).toEqual([{ source: "10.1.1.20", name: "upsTrapOnBattery", folded: 1 }]);
    expect(d.size).toBe(0);
  });
});
