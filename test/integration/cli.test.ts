// The opswatch command as an operator meets it: help, config errors, and the one-command demo.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CLI, eventually, runOpswatch } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";

const run = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};
const root = resolve(import.meta.dirname, "../..");

describe("opswatch CLI", () => {
  it("has --help on every command", async () => {
    for (const cmd of ["server", "agent", "start", "check-config", "schema"]) {
      const r = await run(cmd, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: opswatch ${cmd}`);
    }
    const top = await run("--help");
    expect(top.stdout).toMatch(/check-config/);
  });

  it("check-config exits 1 naming file, line, key and expectation, without a stack trace", async () => {
    const file = join(root, "test/fixtures/config/bad-types.yaml");
    const r = await run("check-config", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:13:9: targets[0].checks[0].interval: a duration such as 500ms`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const malformed = await run("check-config", join(root, "test/fixtures/config/malformed.yaml"));
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/malformed\.yaml:\d+:\d+: \(file\): YAML: /);
    const missing = await run("server", "-c", "/nonexistent.yaml");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("/nonexistent.yaml: (file): cannot read: ENOENT");
  });

  it("check-config accepts the demo config", async () => {
    const r = await run("check-config", join(root, "config/demo.yaml"));
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining("ok: ") });
  });

  it("start runs the demo: live UPS and HTTP data on /metrics, and Ctrl-C stops it cleanly", async () => {
    // The shipped demo config, moved to free ports and a temp data dir.
    const dir = mkdtempSync(join(tmpdir(), "opswatch-demo-"));
    const [http, ups, site] = [await freePort("tcp"), await freePort("udp"), await freePort("tcp")];
    const config = readFileSync(join(root, "config/demo.yaml"), "utf8")
      .replaceAll("127.0.0.1:8080", `127.0.0.1:${http}`)
      .replaceAll("127.0.0.1:16161", `127.0.0.1:${ups}`)
      .replaceAll("127.0.0.1:18081", `127.0.0.1:${site}`)
      .replaceAll("127.0.0.1:16163", `127.0.0.1:${await freePort("udp")}`)
      .replaceAll("127.0.0.1:18082", `127.0.0.1:${await freePort("tcp")}`)
      .replaceAll("127.0.0.1:18443", `127.0.0.1:${await freePort("tcp")}`)
      .replaceAll("data/", `${dir}/`);
    writeFileSync(join(dir, "demo.yaml"), config);
    const p = runOpswatch(["start", "-c", join(dir, "demo.yaml")]);
    try {
      const metrics = await eventually(
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
          return (
            /probe_success\{target="ups-1".*\} 1/.test(text) &&
            /probe_success\{target="portal".*\} 1/.test(text) &&
            text
          );
        },
        60_000,
        "demo UPS and portal up on /metrics",
      );
      const charge =
        /opswatch_probe_value\{target="ups-1",check="snmp",agent="demo-agent",name="battery.charge"\} (\d+)/.exec(
          metrics,
        );
      expect(Number(charge?.[1])).toBeGreaterThanOrEqual(90);
      expect(p.output()).toContain(`http://127.0.0.1:${http}/metrics`);

      // A simulated portal outage moves the indicator metrics and opens a fault.
      await fetch(`http://127.0.0.1:${site}/sim/outage?seconds=60`, { method: "POST" });
      const moved = await eventually(
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
          const down =
            /opswatch_indicator_downtime_seconds\{indicator="website_uptime",target="portal",window="month"\} ([\d.]+)/.exec(
              text,
            );
          return Number(down?.[1]) > 0 && text;
        },
        60_000,
        "portal downtime in the indicator metrics",
      );
      expect(moved).toMatch(/opswatch_indicator_met\{indicator="website_uptime",window="month"\} 0/);
      expect(moved).toMatch(/opswatch_faults_open\{severity="P2"\} 1/);
    } finally {
      expect(await p.stop()).toBe(0);
    }
    expect(p.output()).toContain("server stopped");
  }, 90_000);
});
