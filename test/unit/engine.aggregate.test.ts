import { describe, expect, it } from "vitest";
import { aggregate } from "../../engine/aggregate.js";

describe("aggregate", () => {
  it("min by default, or the unweighted mean; n/a targets are left out", () => {
    expect(aggregate([0.99, 0.97, null], "min")).toBe(0.97);
    // (0.99 + 0.97) / 2 = 0.98, whatever each target's AST
    expect(aggregate([0.99, 0.97, null], "mean")).toBeCloseTo(0.98, 15);
    expect(aggregate([null, null], "min")).toBeNull();
    expect(aggregate([], "mean")).toBeNull();
  });
});
