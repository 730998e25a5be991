import { describe, expect, it } from "vitest";
import { HostProber } from "../../agent/probers/host.js";
import { Check, type HostCheck } from "../../config/schema.js";

const prober = new HostProber();
const check = (disks: string[] = []) => Check.parse({ id: "self", kind: "host", disks }) as HostCheck;

describe("HostProber", () => {
  it("reports CPU, memory and the fullest disk as percentages, rounded to 0.1", async () => {
    const out = await prober.probe(check(), AbortSignal.timeout(10_000));
    expect(out.ok).toBe(true);
    for (const name of ["host.cpu_percent", "host.mem_percent", "host.disk_percent"]) {
      const value = out.values[name];
      expect(value, name).toBeTypeOf("number");
      expect(value, name).toBeGreaterThanOrEqual(0);
      expect(value, name).toBeLessThanOrEqual(100);
      expect(Math.round(Number(value) * 10) / 10, name).toBe(value);
    }
    expect(out.values["host.load1"]).toBeGreaterThanOrEqual(0);
  });

  it("fails naming a configured disk that is not mounted, still reporting the rest", async () => {
    const out = await prober.probe(check(["/", "/no/such/mount"]), AbortSignal.timeout(10_000));
    expect(out.ok).toBe(false);
    expect(out.error).toBe("disk not mounted: /no/such/mount");
    expect(out.values["host.disk_percent"]).toBeTypeOf("number");
  });
});
