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

/** An SNMPv3 user: `createUser` + `rouser` lines (snmpd accepts keys of 8 characters or more). */
export interface SnmpdUser {
  name: string;
  level: "noAuthNoPriv" | "authNoPriv" | "authPriv";
  auth?: { protocol: "MD5" | "SHA" | "SHA-224" | "SHA-256" | "SHA-384" | "SHA-512"; key: string };
  priv?: { protocol: "DES" | "AES" | "AES-192" | "AES-256"; key: string };
}

export interface Snmpd {
  /** UDP port on 127.0.0.1; community "public" (read-only). */
  port: number;
  /** Stops and starts snmpd again on the same port and persistent dir (so snmpEngineBoots goes up by 1). */
  restart(): Promise<void>;
  /** Stops snmpd and removes its temp dir; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts snmpd and resolves once it answers a GET. `extraConfig` is appended to snmpd.conf verbatim
 * (e.g. `pass_persist` lines, `rwcommunity`). `users` adds SNMPv3 users; `excludeModules` stops
 * built-in MIB modules (e.g. the host's big TCP/UDP tables); `port` reuses a port (e.g. to replace a
 * device); `engineId` fixes snmpEngineID (text). Use with `requirePeer("snmpd", "snmpd")`.
 */
export async function startSnmpd({
  overrides = [],
  extraConfig = "",
  users = [],
  excludeModules = [],
  port: fixedPort,
  engineId,
}: {
  overrides?: SnmpdOverride[];
  extraConfig?: string;
  users?: SnmpdUser[];
  excludeModules?: string[];
  port?: number;
  engineId?: string;
}): Promise<Snmpd> {
  const bin = peerPath("snmpd");
  if (bin === undefined) throw new Error('snmpd not found: install the Debian package "snmpd"');
  const dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-snmpd-"));
  const port = fixedPort ?? (await freePort("udp"));
  const conf = path.join(dir, "snmpd.conf");
  const lines = overrides.map(({ oid, type, value }) => {
    const text = type === "octet_str" ? JSON.stringify(String(value)) : String(value);
    return `override ${oid} ${type} ${text}`;
  });
  await writeFile(
    conf,
    [
      `agentAddress udp:127.0.0.1:${port}`,
      "rocommunity public 127.0.0.1",
      ...(engineId === undefined ? [] : [`engineID ${engineId}`]),
      ...users.flatMap(userLines),
      ...lines,
      extraConfig,
      "",
    ].join("\n"),
  );
  // One leading "-" excludes the whole list ("-I -a,-b" would silently exclude only a).
  const exclude = ["smux", ...excludeModules].join(",");
  // -C: no system config; -m ":": load no MIB files (none are installed: only noise); -LOw: warnings
  // to stdout; -I -smux: no TCP listener on 0.0.0.0:199; -p: pid file. The persistent dir must be writable.
  const args = ["-f", "-LOw", "-C", "-m", ":", "-I", `-${exclude}`, "-c", conf, "-p", path.join(dir, "pid")];
  const env = { ...process.env, SNMP_PERSISTENT_DIR: path.join(dir, "persist") };
  let current = launch(bin, args, env);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await current.stop();
      await rm(dir, { recursive: true, force: true });
    })());
  const started = async () => {
    try {
      await waitUntilAnswering(port, current.running);
    } catch (err) {
      await stop();
      throw new Error(
        `snmpd did not start on 127.0.0.1:${port}: ${(err as Error).message}\n${current.output()}`,
      );
    }
  };
  await started();
  const restart = async () => {
    await current.stop();
    current = launch(bin, args, env);
    await started();
  };
  return { port, restart, stop };
}

function userLines({ name, level, auth, priv }: SnmpdUser): string[] {
  const create = [
    name,
    auth?.protocol,
    auth && JSON.stringify(auth.key),
    priv?.protocol,
    priv && JSON.stringify(priv.key),
  ];
  const minimum = { noAuthNoPriv: "noauth", authNoPriv: "auth", authPriv: "priv" }[level];
  return [`createUser ${create.filter(Boolean).join(" ")}`, `rouser ${name} ${minimum}`];
}

/** One snmpd process: its output (for start errors) and a stop that waits for the exit. */
function launch(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
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
  return {
    running: () => running,
    output: () => output,
    stop: async () => {
      if (running) child.kill("SIGTERM");
      await exited;
    },
  };
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
