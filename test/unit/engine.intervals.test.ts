import { describe, expect, it } from "vitest";
import { clip, intersect, measure, normalize, subtract, union } from "../../engine/intervals.js";

const iv = (start: number, end: number) => ({ start, end });

describe("interval sets", () => {
  it("normalize sorts, drops empty intervals and merges overlapping or touching ones", () => {
    expect(normalize([iv(10, 20), iv(5, 5), iv(0, 3), iv(3, 4), iv(15, 25), iv(30, 31)])).toEqual([
      iv(0, 4),
      iv(10, 25),
      iv(30, 31),
    ]);
  });

  it("does not modify its inputs", () => {
    const xs = [iv(10, 20), iv(0, 12)];
    normalize(xs);
    expect(xs).toEqual([iv(10, 20), iv(0, 12)]);
  });

  it("union, intersect, subtract", () => {
    const a = [iv(0, 10), iv(20, 30)];
    const b = [iv(5, 22), iv(30, 40)];
    expect(union(a, b)).toEqual([iv(0, 40)]); // 0–10 ∪ 5–22 ∪ 20–30 ∪ 30–40 (touching at 30)
    expect(intersect(a, b)).toEqual([iv(5, 10), iv(20, 22)]);
    expect(subtract(a, b)).toEqual([iv(0, 5), iv(22, 30)]);
    expect(subtract(b, a)).toEqual([iv(10, 20), iv(30, 40)]);
    expect(subtract(a, [])).toEqual(a);
    expect(intersect(a, [])).toEqual([]);
  });

  it("measure and clip", () => {
    expect(measure([iv(0, 10), iv(20, 25)])).toBe(15);
    expect(clip([iv(0, 10), iv(20, 30)], iv(5, 25))).toEqual([iv(5, 10), iv(20, 25)]);
  });
});
