import { describe, expect, it } from "vitest";
import { combineChecks, quorum, streamTimeline } from "../../engine/timeline.js";
import type { Segment } from "../../engine/types.js";
import { at, HOLD, HOUR, MIN, SEC, samplesEvery, streamOf } from "./engine.helpers.js";

const t0 = at("2026-11-10T09:00+08:00");
const seg = (start: number, end: number, state: Segment["state"]): Segment => ({ start, end, state });

describe("streamTimeline", () => {
  it("a failure shorter than the confirmation is a flap: no downtime, its time counts as UP", () => {
    // ok at 0, 1, fail at 2, ok at 3, 4 (minutes); confirm 2
    const verdicts = ["ok", "ok", "fail", "ok", "ok"] as const;
    const stream = streamOf(
      verdicts.map((verdict, i) => ({ ts: t0 + i * MIN, verdict })),
      { confirm: 2 },
    );
    const { segments, flaps } = streamTimeline(stream, { start: t0, end: t0 + 10 * MIN });
    // the last ok at 4 min holds 135 s: up to 4 min + 135 s = 6 min 15 s, then unknown
    const covered = t0 + 4 * MIN + HOLD;
    expect(segments).toEqual([seg(t0, covered, "up"), seg(covered, t0 + 10 * MIN, "unknown")]);
    expect(flaps).toEqual([
      { check: "http", agent: "a1", start: t0 + 2 * MIN, end: t0 + 3 * MIN, failures: 1 },
    ]);
  });

  it("a silence inside a failure run does not reset the count, but the silent time is UNKNOWN", () => {
    // ok at 0, fail at 1 min, silence of 1 h (> hold), fail at 61 min, ok at 62 min
    const samples = [
      { ts: t0, verdict: "ok" as const },
      { ts: t0 + MIN, verdict: "fail" as const },
      { ts: t0 + 61 * MIN, verdict: "fail" as const },
      { ts: t0 + 62 * MIN, verdict: "ok" as const },
    ];
    const range = { start: t0, end: t0 + 2 * HOUR };
    const { segments, flaps } = streamTimeline(streamOf(samples, { confirm: 2 }), range);
    expect(segments).toEqual([
      seg(t0, t0 + MIN, "up"),
      seg(t0 + MIN, t0 + MIN + HOLD, "down"), // first failure holds 135 s: 1 min → 3 min 15 s
      seg(t0 + MIN + HOLD, t0 + 61 * MIN, "unknown"), // the silence
      seg(t0 + 61 * MIN, t0 + 62 * MIN, "down"), // second failure, until the first success
      seg(t0 + 62 * MIN, t0 + 62 * MIN + HOLD, "up"),
      seg(t0 + 62 * MIN + HOLD, t0 + 2 * HOUR, "unknown"),
    ]);
    expect(flaps).toEqual([]);
    // with confirm 3 the same two failures are a flap, and their held time is UP
    const three = streamTimeline(streamOf(samples, { confirm: 3 }), range);
    expect(three.segments.filter((s) => s.state === "down")).toEqual([]);
    expect(three.flaps).toEqual([
      { check: "http", agent: "a1", start: t0 + MIN, end: t0 + 62 * MIN, failures: 2 },
    ]);
  });

  it("'none' results are UNKNOWN time and neither reset nor extend the failure count", () => {
    const verdicts = ["ok", "fail", "none", "fail", "ok"] as const;
    const samples = verdicts.map((verdict, i) => ({ ts: t0 + i * MIN, verdict }));
    const range = { start: t0, end: t0 + 5 * MIN };
    // confirm 2: two failures (the none does not count) → DOWN at 1–2 and 3–4 min, UNKNOWN at 2–3
    expect(streamTimeline(streamOf(samples, { confirm: 2 }), range).segments).toEqual([
      seg(t0, t0 + MIN, "up"),
      seg(t0 + MIN, t0 + 2 * MIN, "down"),
      seg(t0 + 2 * MIN, t0 + 3 * MIN, "unknown"),
      seg(t0 + 3 * MIN, t0 + 4 * MIN, "down"),
      seg(t0 + 4 * MIN, t0 + 5 * MIN, "up"),
    ]);
    // confirm 3: the none does not make it three → a flap of 2 failures
    const three = streamTimeline(streamOf(samples, { confirm: 3 }), range);
    expect(three.flaps.map((f) => f.failures)).toEqual([2]);
    expect(three.segments.map((s) => s.state)).toEqual(["up", "unknown", "up"]);
  });

  it("uses results before the range and confirms with results after it", () => {
    // failures every minute from 09:00 to 09:09, first success at 09:10; range 09:05–09:07
    const samples = samplesEvery(t0, t0 + 20 * MIN, MIN, (ts) => (ts < t0 + 10 * MIN ? "fail" : "ok"));
    const range = { start: t0 + 5 * MIN, end: t0 + 7 * MIN };
    expect(streamTimeline(streamOf(samples, { confirm: 3 }), range).segments).toEqual([
      seg(range.start, range.end, "down"),
    ]);
    // a run still short of confirm at the end of the data is a flap; it belongs to its first failure's range
    const short = samplesEvery(t0 + 5 * MIN, t0 + 7 * MIN, MIN, () => "fail"); // 2 failures, confirm 3
    const early = streamTimeline(streamOf(short, { confirm: 3 }), { start: t0, end: t0 + 6 * MIN });
    const late = streamTimeline(streamOf(short, { confirm: 3 }), { start: t0 + 6 * MIN, end: t0 + HOUR });
    expect(early.flaps).toEqual([
      { check: "http", agent: "a1", start: t0 + 5 * MIN, end: t0 + 6 * MIN + HOLD, failures: 2 },
    ]);
    expect(late.flaps).toEqual([]);
  });

  it("a result exactly at the range end belongs to the next range", () => {
    const end = t0 + 10 * MIN;
    const stream = streamOf([{ ts: end, verdict: "ok" }]);
    expect(streamTimeline(stream, { start: t0, end }).segments).toEqual([seg(t0, end, "unknown")]);
    expect(streamTimeline(stream, { start: end, end: end + SEC }).segments).toEqual([
      seg(end, end + SEC, "up"),
    ]);
  });
});

describe("quorum", () => {
  const range = { start: 0, end: 100 };
  const all = (state: Segment["state"]) => [seg(0, 100, state)];

  it("3 agents, 2 see it down: DOWN", () => {
    expect(quorum([all("down"), all("down"), all("up")], range)).toEqual([seg(0, 100, "down")]);
  });
  it("2 agents, 1 down and 1 up: a tie is not DOWN", () => {
    expect(quorum([all("down"), all("up")], range)).toEqual([seg(0, 100, "up")]);
  });
  it("1 agent unknown and 1 down: a strict majority of the known ones → DOWN", () => {
    expect(quorum([all("unknown"), all("down")], range)).toEqual([seg(0, 100, "down")]);
    // time an agent's timeline does not cover is unknown too
    expect(quorum([[], all("down")], range)).toEqual([seg(0, 100, "down")]);
  });
  it("all agents unknown: UNKNOWN", () => {
    expect(quorum([all("unknown"), all("unknown")], range)).toEqual([seg(0, 100, "unknown")]);
  });
  it("changes state where the agents' states change", () => {
    const a = all("up");
    const b = [seg(0, 20, "up"), seg(20, 60, "down"), seg(60, 100, "up")];
    const c = [seg(0, 40, "unknown"), seg(40, 80, "down"), seg(80, 100, "up")];
    // 0–20 up,up,? → up; 20–40 up,down,? → tie → up; 40–60 up,down,down → down; 60–80 up,up,down → up
    expect(quorum([a, b, c], range)).toEqual([seg(0, 40, "up"), seg(40, 60, "down"), seg(60, 100, "up")]);
  });
});

describe("combineChecks", () => {
  const range = { start: 0, end: 100 };
  const http = [seg(0, 30, "up"), seg(30, 50, "down"), seg(50, 100, "up")];
  const tcp = [seg(0, 40, "up"), seg(40, 70, "unknown"), seg(70, 100, "up")];

  it("worst: DOWN > UNKNOWN > UP", () => {
    expect(combineChecks([http, tcp], "worst", range)).toEqual([
      seg(0, 30, "up"),
      seg(30, 50, "down"),
      seg(50, 70, "unknown"),
      seg(70, 100, "up"),
    ]);
  });

  it("best: UP > UNKNOWN > DOWN (down only when no check answers)", () => {
    const icmp = [seg(0, 35, "down"), seg(35, 45, "unknown"), seg(45, 100, "down")];
    expect(combineChecks([http, icmp], "best", range)).toEqual([
      seg(0, 30, "up"),
      seg(30, 35, "down"),
      seg(35, 45, "unknown"),
      seg(45, 50, "down"),
      seg(50, 100, "up"),
    ]);
    expect(combineChecks([], "best", range)).toEqual([seg(0, 100, "unknown")]);
  });
});
