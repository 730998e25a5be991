// A real Debian snmpd as a test device: its own config in a temp dir, on a free loopback UDP port.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import snmp from "net-snmp";
import { freePort } from "./ports.js";
import { peerPath } from "./require-peer.js";

/** One `override OID TYPE VALUE` line: a fixed value at any OID (snmpd has no Counter64 here). */
export interface SnmpdOverride {
  oid: string;
  type: "integer" | "uinteger" | "octet_str" | "object_id" | "counter" | "null";
  value: string | number;
}

export interface Snmpd {
  /** UDP port on 127.0.0.1; community "public" (read-only). */
  port: number;
  /** Stops snmpd and removes its temp dir; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts snmpd and resolves once it answers a GET. `extraConfig` is appended to snmpd.conf verbatim
 * (e.g. `pass_persist` lines, `rwcommunity`). Use with `requirePeer("snmpd", "snmpd")`.
 */
export async function startSnmpd({
  overrides,
  extraConfig = "",
}: {
  overrides: SnmpdOverride[];
  extraConfig?: string;
}): Promise<Snmpd> {
  const bin = peerPath("snmpd");
  if (bin === undefined) throw new Error('snmpd not found: install the Debian package "snmpd"');
  const dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-snmpd-"));
  const port = await freePort("udp");
  const conf = path.join(dir, "snmpd.conf");
  const lines = overrides.map(({ oid, type, value }) => {
    const text = type === "octet_str" ? JSON.stringify(String(value)) : String(value);
    return `override ${oid} ${type} ${text}`;
  });
  await writeFile(
    conf,
    [`agentAddress udp:127.0.0.1:${port}`, "rocommunity public 127.0.0.1", ...lines, extraConfig, ""].join(
      "\n",
    ),
  );
  // -C: no system config; -m ":": load no MIB files (none are installed: only noise); -LOw: warnings
  // to stdout; -I -smux: no TCP listener on 0.0.0.0:199; -p: pid file. The persistent dir must be writable.
  const child = spawn(
    bin,
    ["-f", "-LOw", "-C", "-m", ":", "-I", "-smux", "-c", conf, "-p", path.join(dir, "pid")],
    {
      env: { ...process.env, SNMP_PERSISTENT_DIR: path.join(dir, "persist") },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let running = true;
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (err) => {
      output += err.message;
      resolve();
    });
  }).finally(() => {
    running = false;
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (running) child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    await waitUntilAnswering(port, () => running);
  } catch (err) {
    await stop();
    throw new Error(`snmpd did not start on 127.0.0.1:${port}: ${(err as Error).message}\n${output}`);
  }
  return { port, stop };
}

/** Polls sysUpTime.0 (snmpd is usually ready in ~0.2 s) until it answers, snmpd exits, or 10 s pass. */
async function waitUntilAnswering(port: number, running: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  const session = snmp.createSession("127.0.0.1", "public", {
    port,
    version: snmp.Version2c,
    timeout: 100,
    retries: 0,
  });
  session.on("error", () => {});
  try {
    while (Date.now() < deadline) {
      if (!running()) throw new Error("snmpd exited");
      const ok = await new Promise<boolean>((resolve) =>
        session.get(["1.3.6.1.2.1.1.3.0"], (err) => resolve(!err)),
      );
      if (ok) return;
    }
    throw new Error("no answer within 10 s");
  } finally {
    session.close();
  }
}
