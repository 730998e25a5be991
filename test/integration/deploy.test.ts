// The deployment files in deploy/: the systemd units (systemd-analyze, and — as root — started unchanged
// under a real systemd booted in private namespaces), the Dockerfile (parsed and validated by
// dockerfile-utils; no Docker engine here), docker-compose.yml (the official compose-spec JSON Schema, as
// vendored by dclint, plus cross-references compose itself checks at `config` time) and the container
// config (opswatch check-config).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Ajv } from "ajv";
import Database from "better-sqlite3";
import { DCLinter } from "dclint";
import { type Copy, DockerfileParser, type Instruction } from "dockerfile-ast";
import { validate as validateDockerfile } from "dockerfile-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CLI, eventually, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { peerAvailable, peerPath, requirePeer } from "../peers/require-peer.js";

const root = resolve(import.meta.dirname, "../..");
const systemdDir = join(root, "deploy/systemd");
const dockerDir = join(root, "deploy/docker");
const UNITS = ["opswatch-server.service", "opswatch-agent.service"] as const;

/** A temporary directory, removed after the file's tests. */
const scratchDirs: string[] = [];
function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs a program without a shell; never throws for a non-zero exit. */
function run(file: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Run>((done) => {
    const child = execFile(
      file,
      args,
      { env: { ...process.env, ...opts.env }, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** `KEY=value` lines of a unit file (comments dropped), in order; a key may repeat. */
function unitEntries(text: string): [string, string][] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#") && !l.startsWith(";") && !l.startsWith("["))
    .map((l) => {
      const i = l.indexOf("=");
      return [l.slice(0, i), l.slice(i + 1)] as [string, string];
    });
}
const unitValues = (text: string, key: string) =>
  unitEntries(text)
    .filter(([k]) => k === key)
    .map(([, v]) => v);

// ---------------------------------------------------------------------------------------------------
// systemd units, statically
// ---------------------------------------------------------------------------------------------------

const hasSystemd = requirePeer("systemd-analyze", "systemd");

/**
 * `systemd-analyze verify` exits 0 even for unknown keys and unparsable values (it only warns), so a
 * unit counts as clean only with exit 0 AND nothing printed. --man=no: the units' Documentation= is a
 * file:, and no man pages are installed here. No PID-1 systemd is needed for this.
 */
async function verifyUnit(file: string): Promise<Run & { clean: boolean }> {
  const r = await run("systemd-analyze", ["verify", "--man=no", file], {
    env: { SYSTEMD_LOG_COLOR: "0", PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
  });
  return { ...r, clean: r.code === 0 && r.stdout.trim() === "" && r.stderr.trim() === "" };
}

describe.skipIf(!hasSystemd)("systemd units (static)", () => {
  it("pass systemd-analyze verify without a single warning", async () => {
    for (const unit of UNITS) {
      const r = await verifyUnit(join(systemdDir, unit));
      expect({ unit, ...r }).toMatchObject({ unit, code: 0, stdout: "", stderr: "", clean: true });
    }
  });

  it("verify catches broken copies (so the check above can fail)", async () => {
    const dir = scratch("opswatch-units-");
    const good = readFileSync(join(systemdDir, "opswatch-server.service"), "utf8");
    const broken = {
      "typo-key.service": good.replace(/^NoNewPrivileges=yes$/m, "NoNewPrivilege=yes"),
      "bad-value.service": good.replace(/^ProtectSystem=strict$/m, "ProtectSystem=very"),
      "no-binary.service": good.replace(/^ExecStart=\/usr\/bin\/node /m, "ExecStart=/usr/bin/no-such-node "),
    };
    for (const [name, text] of Object.entries(broken)) {
      expect(text).not.toBe(good);
      writeFileSync(join(dir, name), text);
      const r = await verifyUnit(join(dir, name));
      expect({ name, clean: r.clean }).toEqual({ name, clean: false });
    }
    // The missing binary is an error (exit 1), the others are warnings only (exit 0, text on stderr).
    expect((await verifyUnit(join(dir, "no-binary.service"))).code).not.toBe(0);
    expect((await verifyUnit(join(dir, "typo-key.service"))).stderr).toContain("Unknown key");
  });

  it("systemd-analyze security rates both sandboxes OK (exposure ≤ 2.0 of 10)", async () => {
    for (const unit of UNITS) {
      const r = await run("systemd-analyze", [
        "security",
        "--offline=yes",
        "--no-pager",
        join(systemdDir, unit),
      ]);
      const m = /Overall exposure level for \S+: ([\d.]+) (\w+)/.exec(r.stdout);
      expect(m, r.stdout + r.stderr).not.toBeNull();
      expect(Number(m?.[1])).toBeLessThanOrEqual(2.0);
      expect(m?.[2]).toBe("OK");
    }
  });

  it("carry the documented user, paths, secrets, restart policy and sandbox", () => {
    for (const unit of UNITS) {
      const text = readFileSync(join(systemdDir, unit), "utf8");
      const one = (key: string) => unitValues(text, key).at(-1);
      const mode = unit.includes("server") ? "server" : "agent";
      expect(one("ExecStart")).toBe(
        `/usr/bin/node /opt/opswatch/dist/cli/opswatch.js ${mode} -c /etc/opswatch/opswatch.yaml`,
      );
      expect([one("User"), one("Group"), one("StateDirectory"), one("ConfigurationDirectory")]).toEqual([
        "opswatch",
        "opswatch",
        "opswatch",
        "opswatch",
      ]);
      expect(one("EnvironmentFile")).toBe("-/etc/opswatch/opswatch.env");
      expect([one("Restart"), one("KillSignal"), one("UMask")]).toEqual(["on-failure", "SIGTERM", "0077"]);
      for (const key of ["RestartSec", "TimeoutStopSec", "StartLimitIntervalSec", "StartLimitBurst"])
        expect(one(key), key).toBeTruthy();
      for (const key of [
        "NoNewPrivileges",
        "ProtectHome",
        "PrivateTmp",
        "PrivateDevices",
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectKernelLogs",
        "ProtectControlGroups",
        "LockPersonality",
        "RestrictRealtime",
        "RestrictSUIDSGID",
      ])
        expect(one(key), key).toBe("yes");
      expect(one("ProtectSystem")).toBe("strict");
      expect(one("CapabilityBoundingSet")).toBe("");
      expect(unitValues(text, "SystemCallFilter")[0]).toBe("@system-service");
      expect(one("RestrictAddressFamilies")?.split(" ")).toEqual(
        expect.arrayContaining(["AF_INET", "AF_INET6", "AF_UNIX"]),
      );
      // V8's JIT needs W+X memory: the option must stay out (and the file must say why).
      expect(unitValues(text, "MemoryDenyWriteExecute")).toEqual([]);
      expect(text).toMatch(/MemoryDenyWriteExecute=yes must NOT be set/);
    }
  });

  it("the sysusers.d file creates the opswatch system user", async () => {
    const sysusers = peerPath("systemd-sysusers");
    expect(sysusers).toBeDefined();
    const dir = scratch("opswatch-sysusers-");
    mkdirSync(join(dir, "etc"));
    const conf = readFileSync(join(systemdDir, "opswatch.sysusers.conf"), "utf8");
    const r = await run(sysusers as string, [`--root=${dir}`, "-"], { input: conf });
    expect(r.code, r.stderr).toBe(0);
    const passwd = readFileSync(join(dir, "etc/passwd"), "utf8");
    expect(passwd).toMatch(
      /^opswatch:x:(\d+):(\d+):opswatch monitoring:\/var\/lib\/opswatch:\/usr\/sbin\/nologin$/m,
    );
    const uid = Number(/^opswatch:x:(\d+):/m.exec(passwd)?.[1]);
    expect(uid).toBeGreaterThan(0);
    expect(uid).toBeLessThan(1000); // a system user
    expect(readFileSync(join(dir, "etc/group"), "utf8")).toMatch(/^opswatch:x:\d+:$/m);
  });
});

// ---------------------------------------------------------------------------------------------------
// systemd units, running: a real systemd 252 as PID 1 of private PID, mount, UTS, IPC and cgroup
// namespaces (root only). Everything it touches is private to those namespaces: its own /run, /tmp,
// /var/tmp, /var/lib, /opt (the repository bind-mounted read-only at /opt/opswatch), an overlay on /etc
// (the opswatch user and /etc/opswatch exist only there), a fresh cgroup2 mount rooted in a child cgroup
// of ours, /sys and /proc/sys read-only, /dev/console a file. It shares the network with the test, so
// the server's port is reachable from here. The two units are copied unchanged; a drop-in only sends
// their output to files (there is no journald) and, per test, adds what that test is about.
// ---------------------------------------------------------------------------------------------------

/** The cgroup2 mount point and our cgroup in it, if the unified hierarchy is mounted. */
function ourCgroup2(): string | undefined {
  const mount = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" "))
    .find((f) => f[f.indexOf("-") + 1] === "cgroup2")?.[4];
  const path = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];
  return mount && path !== undefined ? join(mount, path) : undefined;
}

const systemdBinary = "/lib/systemd/systemd";
const cgroupParent = existsSync("/proc/self/mountinfo") ? ourCgroup2() : undefined;
const canBoot =
  hasSystemd &&
  process.getuid?.() === 0 &&
  existsSync(systemdBinary) &&
  peerAvailable("unshare") &&
  peerAvailable("nsenter") &&
  peerAvailable("runuser") &&
  cgroupParent !== undefined &&
  // Booting a real systemd (private namespaces, needs root) is opt-in: it proves the units run as
  // shipped, but it touches cgroups and mounts, which a shared CI machine should not risk by default.
  process.env.OPSWATCH_TEST_SYSTEMD_BOOT === "1";

/** PID 1 of the namespaces: sets up the private file system, then becomes systemd. */
const BOOT_SCRIPT = `#!/bin/sh
set -eu
T=$1; CG=$2; REPO=$3
mkdir "$CG"; echo 0 > "$CG/cgroup.procs"
mount -o remount,bind,ro /sys
mount --bind /proc/sys /proc/sys; mount -o remount,bind,ro /proc/sys
mount --bind "$T/console" /dev/console
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir /run/t /run/ovl
mount --bind "$T" /run/t
mount -t tmpfs -o mode=0700 tmpfs /run/ovl
mkdir /run/ovl/etc /run/ovl/work
mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/ovl/etc,workdir=/run/ovl/work /etc
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mount -t tmpfs -o mode=0755 tmpfs /opt
mkdir /opt/opswatch
mount --bind "$REPO" /opt/opswatch; mount -o remount,bind,ro /opt/opswatch
systemd-sysusers - < /opt/opswatch/deploy/systemd/opswatch.sysusers.conf
mkdir -p /etc/opswatch/credentials
install -m 0644 /run/t/etc/opswatch.yaml /run/t/etc/agent.yaml /etc/opswatch/
install -m 0600 /run/t/etc/opswatch.env /etc/opswatch/opswatch.env
install -m 0600 /run/t/etc/agent.token /etc/opswatch/credentials/agent.token
# Shared propagation inside (systemd's default on a host); the namespace is already cut off from ours.
mount --make-rshared /
exec unshare --cgroup sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup
  export container=opswatch-test SYSTEMD_UNIT_PATH=/run/t/units
  exec ${systemdBinary} --system --unit=opswatch-test.target </dev/null >/run/t/systemd.log 2>&1'
`;

class BootedSystemd {
  readonly dir = mkdtempSync(join(tmpdir(), "opswatch-systemd-"));
  readonly cgroup = join(cgroupParent as string, `opswatch-deploy-test-${process.pid}`);
  private unshare: ChildProcess | undefined;
  private pid1 = 0;

  async boot(files: Record<string, string>): Promise<void> {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, rel)), { recursive: true });
      writeFileSync(join(this.dir, rel), text);
    }
    writeFileSync(join(this.dir, "console"), "");
    writeFileSync(join(this.dir, "boot.sh"), BOOT_SCRIPT, { mode: 0o755 });
    const unshare = spawn(
      "unshare",
      ["--pid", "--fork", "--mount", "--mount-proc", "--uts", "--ipc", "--propagation", "private"].concat([
        join(this.dir, "boot.sh"),
        this.dir,
        this.cgroup,
        root,
      ]),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.unshare = unshare;
    let out = "";
    unshare.stdout?.on("data", (d) => (out += d));
    unshare.stderr?.on("data", (d) => (out += d));
    const pid = unshare.pid as number;
    this.pid1 = await eventually(
      async () => {
        if (unshare.exitCode !== null) throw new Error(`boot failed (${unshare.exitCode}): ${out}`);
        const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
        const child = Number(kids.split(" ")[0]);
        return child > 0 && readFileSync(`/proc/${child}/comm`, "utf8").trim() === "systemd" ? child : 0;
      },
      15_000,
      `systemd as PID 1 of the namespace (${out})`,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${out}`);
    });
    await eventually(
      async () => /^(running|degraded)/.test((await this.sh("systemctl", "is-system-running")).stdout),
      20_000,
      "systemd running",
    );
  }

  /** A command inside the namespaces. */
  sh(...args: string[]): Promise<Run> {
    return run("nsenter", ["-t", String(this.pid1), "-m", "-p", "-u", "-i", ...args]);
  }

  async systemctl(...args: string[]): Promise<Run> {
    return this.sh("systemctl", "--no-pager", ...args);
  }

  async show(unit: string): Promise<Record<string, string>> {
    const r = await this.systemctl("show", unit, "-p", "ActiveState,SubState,Result,ExecMainStatus,MainPID");
    return Object.fromEntries(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => l.split("=", 2) as [string, string]),
    );
  }

  /** Replaces the per-test drop-in of a unit (empty text removes it) and reloads. */
  async dropIn(unit: string, text: string): Promise<void> {
    const file = join(this.dir, "units", `${unit}.d`, "20-test.conf");
    if (text) writeFileSync(file, text);
    else rmSync(file, { force: true });
    const r = await this.systemctl("daemon-reload");
    expect(r.code, r.stderr).toBe(0);
  }

  log(name: string): string {
    const file = join(this.dir, name);
    return existsSync(file) ? readFileSync(file, "utf8") : "";
  }

  async shutdown(): Promise<void> {
    const u = this.unshare;
    if (u && u.exitCode === null && u.signalCode === null) {
      const exited = new Promise<void>((done) => u.once("exit", () => done()));
      if (this.pid1) await this.systemctl("--force", "exit");
      const timer = setTimeout(() => {
        // PID 1 of a PID namespace: SIGKILL ends every process in it.
        if (this.pid1) process.kill(this.pid1, "SIGKILL");
        else u.kill("SIGKILL");
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    // The cgroups systemd made below ours (deepest first); the kernel frees them once empty.
    for (let attempt = 0; attempt < 50 && existsSync(this.cgroup); attempt++) {
      try {
        removeCgroupTree(this.cgroup);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function removeCgroupTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  rmdirSync(dir);
}

describe.skipIf(!canBoot)("systemd units under a real systemd (root, private namespaces)", () => {
  let sd: BootedSystemd;
  let port = 0;
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    sd = new BootedSystemd();
    port = await freePort("tcp");
    const targets = `targets:
  - id: self
    name: the server itself
    checks:
      - { id: tcp, kind: tcp, address: "127.0.0.1:${port}", interval: 1s, timeout: 1s }
      - { id: http, kind: http, url: "http://localhost:${port}/healthz", interval: 1s, timeout: 1s }
      - { id: host, kind: host, disks: [/], interval: 2s, timeout: 2s }
`;
    const agentPart = (token: string) => `agent:
  id: a1
  server: ws://127.0.0.1:${port}/ws/agent
  token: ${token}
  spool: /var/lib/opswatch/agent-spool.db
`;
    const output = (name: string) =>
      `[Service]\nStandardOutput=append:/run/t/${name}.log\nStandardError=inherit\n`;
    const files: Record<string, string> = {
      // The one config both units read (server, agent, targets); secrets from the environment file.
      "etc/opswatch.yaml": `server:
  listen: 127.0.0.1:${port}
  anonymous_read: true # reads without a token: these tests are not about auth
  database: /var/lib/opswatch/opswatch.db
  agents:
    - { id: a1, token: "\${OPSWATCH_TOKEN_A1}" }
${agentPart(`"\${OPSWATCH_TOKEN_A1}"`)}${targets}`,
      // The documented credential variant: the agent's own file, its token from LoadCredential=.
      "etc/agent.yaml": `${agentPart("file:/run/credentials/opswatch-agent.service/agent.token")}${targets}`,
      "etc/opswatch.env": "OPSWATCH_TOKEN_A1=token-for-a1-not-secret\n",
      "etc/agent.token": "token-for-a1-not-secret\n",
      "units/opswatch-server.service.d/10-output.conf": output("server"),
      "units/opswatch-agent.service.d/10-output.conf": output("agent"),
    };
    for (const unit of UNITS) files[`units/${unit}`] = readFileSync(join(systemdDir, unit), "utf8");
    // Stand-ins for the targets a minimal system has; nothing else is loaded.
    for (const t of ["opswatch-test", "sysinit", "basic", "shutdown", "multi-user", "network-online", "exit"])
      files[`units/${t}.target`] = `[Unit]\nDescription=${t}\nDefaultDependencies=no\n`;
    await sd.boot(files);
  }, 60_000);

  afterAll(async () => {
    await sd?.shutdown();
  }, 30_000);

  it("runs server and agent as shipped: results flow, files are private, SIGTERM stops both cleanly", async () => {
    for (const unit of UNITS) {
      const r = await sd.systemctl("start", unit);
      expect(r.code, r.stderr).toBe(0);
    }
    // The agent's tcp, http (a name lookup) and host (df, /proc) checks all reach the server.
    const targets = await eventually(
      async () => {
        const body = (await (await fetch(`${base()}/api/v1/targets`)).json()) as {
          targets: { checks: { id: string; agents: { agent: string; last?: { ok: boolean } }[] }[] }[];
        };
        const checks = body.targets[0]?.checks ?? [];
        return checks.length === 3 && checks.every((c) => c.agents.some((a) => a.last?.ok)) && checks;
      },
      30_000,
      `results from the agent (server log:\n${sd.log("server.log")}\nagent log:\n${sd.log("agent.log")})`,
    );
    expect(targets.map((c) => c.id).sort()).toEqual(["host", "http", "tcp"]);
    for (const unit of UNITS)
      expect(await sd.show(unit)).toMatchObject({ ActiveState: "active", SubState: "running" });

    // The store and the spool: in the state directory, owned by opswatch, readable by nobody else.
    const files = await sd.sh(
      "stat",
      "-c",
      "%n %U %a",
      "/var/lib/opswatch",
      "/var/lib/opswatch/opswatch.db",
      "/var/lib/opswatch/agent-spool.db",
    );
    expect(files.stdout.trim().split("\n")).toEqual([
      "/var/lib/opswatch opswatch 750",
      "/var/lib/opswatch/opswatch.db opswatch 600",
      "/var/lib/opswatch/agent-spool.db opswatch 600",
    ]);

    // docs/operations.md's online backup, as the opswatch user, while the server ingests.
    const backup = await sd.sh(
      "runuser",
      "-u",
      "opswatch",
      "--",
      "sh",
      "-c",
      `cd /opt/opswatch && node -e "require('better-sqlite3')(process.argv[1],{readonly:true}).backup(process.argv[2]).then(()=>console.log('ok'))" /var/lib/opswatch/opswatch.db /var/lib/opswatch/backup.db`,
    );
    expect(backup, backup.stderr).toMatchObject({ code: 0, stdout: "ok\n" });
    if (peerAvailable("sqlite3")) {
      const cli = await sd.sh(
        "runuser",
        "-u",
        "opswatch",
        "--",
        "sqlite3",
        "/var/lib/opswatch/opswatch.db",
        ".backup '/var/lib/opswatch/backup-cli.db'",
      );
      expect(cli.code, cli.stderr).toBe(0);
    }
    await sd.sh("cp", "/var/lib/opswatch/backup.db", "/run/t/backup.db");
    const copy = new Database(join(sd.dir, "backup.db"), { readonly: true });
    try {
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      expect((copy.prepare("SELECT count(*) AS n FROM results").get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      copy.close();
    }

    for (const unit of ["opswatch-agent.service", "opswatch-server.service"]) {
      const r = await sd.systemctl("stop", unit);
      expect(r.code, r.stderr).toBe(0);
      // Result=success and exit status 0: opswatch handled SIGTERM and exited by itself.
      expect(await sd.show(unit)).toMatchObject({
        ActiveState: "inactive",
        Result: "success",
        ExecMainStatus: "0",
      });
    }
    expect(sd.log("server.log")).toContain('"msg":"server stopped"');
    expect(sd.log("agent.log")).toContain('"msg":"agent stopped"');
  }, 90_000);

  it("takes the agent token from a credential (the drop-in docs/operations.md shows)", async () => {
    await sd.dropIn(
      "opswatch-agent.service",
      `[Service]
LoadCredential=agent.token:/etc/opswatch/credentials/agent.token
ExecStart=
ExecStart=/usr/bin/node /opt/opswatch/dist/cli/opswatch.js agent -c /etc/opswatch/agent.yaml
`,
    );
    try {
      for (const unit of UNITS) expect((await sd.systemctl("start", unit)).code).toBe(0);
      await eventually(
        async () =>
          /opswatch_agent_connected\{agent="a1"\} 1/.test(await (await fetch(`${base()}/metrics`)).text()),
        20_000,
        `agent a1 connected with its credential (agent log:\n${sd.log("agent.log")})`,
      );
      // The source file stays root's: the opswatch user reads only the copy the unit was handed.
      const source = await sd.sh(
        "runuser",
        "-u",
        "opswatch",
        "--",
        "cat",
        "/etc/opswatch/credentials/agent.token",
      );
      expect(source.code).not.toBe(0);
    } finally {
      await sd.systemctl("stop", "opswatch-agent.service", "opswatch-server.service");
      await sd.dropIn("opswatch-agent.service", "");
    }
    expect(await sd.show("opswatch-agent.service")).toMatchObject({ Result: "success", ExecMainStatus: "0" });
    // A unit's credentials exist only while it runs: why a server must not name the agent's in its config.
    expect((await sd.sh("test", "-e", "/run/credentials/opswatch-agent.service/agent.token")).code).not.toBe(
      0,
    );
  }, 60_000);

  it("MemoryDenyWriteExecute=yes kills Node (why the units leave it out)", async () => {
    await sd.dropIn("opswatch-server.service", "[Service]\nMemoryDenyWriteExecute=yes\nRestart=no\n");
    try {
      await sd.systemctl("start", "opswatch-server.service");
      const state = await eventually(
        async () => {
          const s = await sd.show("opswatch-server.service");
          return s.ActiveState === "failed" && s;
        },
        20_000,
        "the server to die under MemoryDenyWriteExecute=yes",
      );
      expect(state.Result).toMatch(/^(signal|core-dump)$/);
      expect(state.ExecMainStatus).toBe("5"); // SIGTRAP, from V8's compiler
    } finally {
      await sd.dropIn("opswatch-server.service", "");
      await sd.systemctl("reset-failed", "opswatch-server.service");
    }
  }, 40_000);
});

// ---------------------------------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------------------------------

describe("Dockerfile", () => {
  const text = readFileSync(join(dockerDir, "Dockerfile"), "utf8");
  const dockerfile = DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  /** Instructions by stage: a stage starts at its FROM. */
  const stages: Instruction[][] = [];
  for (const i of instructions) {
    if (i.getKeyword() === "FROM") stages.push([]);
    stages.at(-1)?.push(i);
  }
  const args = (i: Instruction) => i.getArgumentsContent() ?? "";
  const inStage = (stage: Instruction[] | undefined, keyword: string) =>
    (stage ?? []).filter((i) => i.getKeyword() === keyword).map(args);

  it("is valid for dockerfile-utils (the VS Code Dockerfile linter), which does catch mistakes", () => {
    expect(validateDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    const broken = text
      .replace("HEALTHCHECK --interval", "HEALTHCHECK --intervall")
      .replace("EXPOSE", "EXPOS");
    expect(validateDockerfile(broken).map((d) => d.message)).toEqual(
      expect.arrayContaining(["Unknown instruction: EXPOS", "Unknown flag: intervall"]),
    );
  });

  it("builds in one stage and runs from a clean one, as a fixed non-root user", () => {
    const base = "$" + "{NODE_IMAGE}"; // the Dockerfile's ARG, not a template placeholder
    expect(stages.map((s) => args(s[0] as Instruction))).toEqual([`${base} AS build`, `${base} AS runtime`]);
    expect(instructions.filter((i) => i.getKeyword() === "ARG").map(args)).toContain(
      "NODE_IMAGE=node:20-bookworm-slim",
    );
    const [build, runtime] = stages;
    const buildRuns = inStage(build, "RUN").join("\n");
    for (const step of [
      "python3 make g++",
      "npm ci",
      "npm rebuild better-sqlite3",
      "npm run build",
      "npm prune --omit=dev",
    ])
      expect(buildRuns).toContain(step);
    // The runtime stage takes only what opswatch needs at run time from the build stage.
    const copies = (runtime ?? [])
      .filter((i): i is Copy => i.getKeyword() === "COPY")
      .map((i) => {
        const flags = i.getFlags().filter((f) => f.getName() !== "chown");
        return [...flags.map((f) => f.toString()), args(i)].join(" ");
      });
    expect(copies).toEqual([
      "--from=build /src/package.json ./package.json",
      "--from=build /src/node_modules ./node_modules",
      "--from=build /src/dist ./dist",
      "--from=build /src/config ./config",
    ]);
    const user = inStage(runtime, "USER").at(-1) ?? "root";
    expect(user.split(":")[0]).not.toMatch(/^(root|0)$/);
    expect(inStage(runtime, "RUN").join("\n")).toContain(`--uid ${user.split(":")[0]}`);
  });

  it("declares the volume, the port, the health check and the entrypoint", () => {
    const runtime = stages.at(-1);
    expect(inStage(runtime, "VOLUME")).toEqual(['["/var/lib/opswatch"]']);
    expect(inStage(runtime, "EXPOSE")).toEqual(["8080"]);
    expect(inStage(runtime, "ENTRYPOINT")).toEqual(['["node", "dist/cli/opswatch.js"]']);
    expect(inStage(runtime, "CMD")).toEqual(['["server", "-c", "/etc/opswatch/opswatch.yaml"]']);
    expect(inStage(runtime, "HEALTHCHECK")).toHaveLength(1);
    expect(inStage(runtime, "HEALTHCHECK")[0]).toMatch(/CMD \["node", "-e", ".*\/healthz/);
  });

  it("the health check command answers 0 for a live server and 1 for none", async () => {
    const hc = inStage(stages.at(-1), "HEALTHCHECK")[0] as string;
    const argv = JSON.parse(hc.slice(hc.indexOf("CMD ") + 4)) as string[];
    expect(argv.slice(0, 2)).toEqual(["node", "-e"]);
    const dir = scratch("opswatch-hc-");
    const port = await freePort("tcp");
    writeFileSync(
      join(dir, "server.yaml"),
      `server:\n  listen: 127.0.0.1:${port}\n  database: ${dir}/opswatch.db\ntargets: []\n`,
    );
    const server = runOpswatch(["server", "-c", join(dir, "server.yaml")]);
    try {
      await waitReady(server, `http://127.0.0.1:${port}/healthz`);
      const healthy = await run(process.execPath, ["-e", argv[2] as string], {
        env: { OPSWATCH_HEALTH_URL: `http://127.0.0.1:${port}/healthz` },
      });
      expect(healthy.code).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const dead = await run(process.execPath, ["-e", argv[2] as string], {
      env: { OPSWATCH_HEALTH_URL: `http://127.0.0.1:${port}/healthz` },
    });
    expect(dead.code).toBe(1);
  }, 30_000);

  it("the runtime files alone (package.json, dist, node_modules, config) make a working CLI", async () => {
    const app = scratch("opswatch-image-");
    for (const entry of ["package.json", "dist", "config"])
      cpSync(join(root, entry), join(app, entry), { recursive: true });
    symlinkSync(join(root, "node_modules"), join(app, "node_modules"));
    const cli = join(app, "dist/cli/opswatch.js");
    const version = await run(process.execPath, [cli, "--version"]);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
    const check = await run(process.execPath, [cli, "check-config", join(app, "config/demo.yaml")]);
    expect(check.code, check.stderr).toBe(0);
  });

  it("keeps build output, data and secrets out of the build context", () => {
    const ignore = readFileSync(join(dockerDir, "Dockerfile.dockerignore"), "utf8").split("\n");
    for (const pattern of [".git", "**/node_modules", "dist", "data", "*.db", "**/*.env", "**/*.token"])
      expect(ignore).toContain(pattern);
  });
});

// ---------------------------------------------------------------------------------------------------
// docker-compose.yml and the container config
// ---------------------------------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  network_mode?: string;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  command?: string[];
  user?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
}

describe("docker-compose.yml", () => {
  const file = join(dockerDir, "docker-compose.yml");
  const text = readFileSync(file, "utf8");
  // Compose resolves YAML merge keys (<<: *opswatch) before it validates: so do we.
  const compose = parseYaml(text, { merge: true }) as Compose;
  // The official compose-spec JSON Schema (draft-07), as dclint ships it.
  const require = createRequire(import.meta.url);
  const schemaFile = join(dirname(require.resolve("dclint/package.json")), "schemas/compose.schema.json");
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  // Ajv's default dialect is draft-07; the file names it by an https URL Ajv does not register.
  const { $schema: dialect, ...schema } = JSON.parse(readFileSync(schemaFile, "utf8"));
  const validate = ajv.compile(schema);

  it("is valid against the compose-spec JSON Schema, which rejects mistakes", () => {
    expect([dialect, schema.title]).toEqual([
      "https://json-schema.org/draft-07/schema",
      "Compose Specification",
    ]);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    const wrong = structuredClone(compose);
    (wrong.services["opswatch-agent"] as Record<string, unknown>).depends_on = {
      "opswatch-server": { condition: "healthy" },
    };
    (wrong.services.prometheus as Record<string, unknown>).restart_policy = "always";
    expect(validate(wrong)).toBe(false);
    expect(validate.errors?.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        "must be equal to one of the allowed values",
        "must NOT have additional properties",
      ]),
    );
  });

  it("passes dclint's correctness and security rules (pinned images, bound ports, no duplicates)", () => {
    const style = [
      "require-quotes-in-ports",
      "service-keys-order",
      "services-alphabetical-order",
      "service-dependencies-alphabetical-order",
      "service-ports-alphabetical-order",
      "top-level-properties-order",
      "no-build-and-image", // opswatch-server builds the image it names; the agent reuses it
      "service-container-name-regex",
    ];
    const rules = Object.fromEntries(style.map((r) => [r, 0]));
    // (dclint's bundled typings do not resolve under NodeNext: the shape of its result, spelled out.)
    const linter = new DCLinter({ rules, quiet: false, debug: false, exclude: [] });
    const results: { messages: { line: number; rule: string; message: string }[] }[] = linter.lintFiles(
      [file],
      false,
    );
    expect(results).toHaveLength(1);
    expect(results[0]?.messages.map((m) => `${m.line}: ${m.rule}: ${m.message}`)).toEqual([]);
  });

  it("has the five services, wired the way compose will accept", () => {
    const s = compose.services;
    expect(Object.keys(s).sort()).toEqual(
      ["alertmanager", "grafana", "opswatch-agent", "opswatch-server", "pod", "prometheus"].sort(),
    );
    for (const [name, svc] of Object.entries(s)) {
      // depends_on names real services; service_healthy needs a health check that is not disabled.
      for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
        expect(s[dep], `${name} depends on ${dep}`).toBeDefined();
        if (condition === "service_healthy")
          expect(s[dep]?.healthcheck?.disable, `${dep} health`).not.toBe(true);
      }
      for (const secret of svc.secrets ?? []) expect(compose.secrets[secret], secret).toBeDefined();
      // Services in the pod's network namespace cannot publish ports of their own.
      if (svc.network_mode) {
        expect(svc.network_mode).toBe("service:pod");
        expect(svc.ports, name).toBeUndefined();
      }
      for (const v of svc.volumes ?? []) {
        const [source = ""] = v.split(":");
        if (!source.startsWith(".")) expect(compose.volumes, `${name}: ${v}`).toHaveProperty(source);
      }
    }
    expect(s.pod?.ports?.every((p) => p.startsWith("127.0.0.1:"))).toBe(true);
    expect(s["opswatch-server"]?.build).toEqual({ context: "../..", dockerfile: "deploy/docker/Dockerfile" });
    expect(existsSync(resolve(dockerDir, "../..", "deploy/docker/Dockerfile"))).toBe(true);
    expect(s["opswatch-agent"]?.healthcheck).toEqual({ disable: true });
    expect(s["opswatch-agent"]?.depends_on?.["opswatch-server"]?.condition).toBe("service_healthy");
  });

  it("mounts the files the other parts of the repository provide, and only those", () => {
    const binds = Object.values(compose.services)
      .flatMap((svc) => svc.volumes ?? [])
      .filter((v) => v.startsWith("."))
      .map((v) => resolve(dockerDir, v.split(":")[0] as string).slice(root.length + 1))
      .sort();
    expect(binds).toEqual(
      [
        "dashboards",
        "dashboards/provisioning/dashboards.yaml",
        "dashboards/provisioning/datasources.yaml",
        "deploy/alertmanager/alertmanager.yml",
        "deploy/alertmanager/templates",
        "deploy/docker/opswatch.yaml",
        "deploy/docker/opswatch.yaml",
        "deploy/prometheus/prometheus.yml",
        "deploy/prometheus/rules",
      ].sort(),
    );
    // Files written by other engineers may not be there yet; once they are, they are where we mount them.
    for (const b of binds)
      if (existsSync(join(root, b)))
        expect(statSync(join(root, b)).isDirectory(), b).toBe(!/\.(ya?ml)$/.test(b));
    for (const { file: secret } of Object.values(compose.secrets))
      expect(resolve(dockerDir, secret).startsWith(join(dockerDir, "secrets/"))).toBe(true);
    // The secrets directory keeps its files out of git.
    expect(readFileSync(join(dockerDir, "secrets/.gitignore"), "utf8")).toMatch(/^\*$/m);
  });

  it("opswatch.yaml (the containers' config) passes check-config with its secrets in place", async () => {
    const dir = scratch("opswatch-compose-");
    const secrets = join(dir, "secrets");
    mkdirSync(secrets);
    for (const name of Object.keys(compose.secrets)) writeFileSync(join(secrets, name), `${name}-value\n`);
    chmodSync(secrets, 0o700);
    const config = readFileSync(join(dockerDir, "opswatch.yaml"), "utf8");
    // Every secret the config names is one compose mounts into both opswatch containers.
    const live = config
      .split("\n")
      .filter((l) => !/^\s*#/.test(l))
      .join("\n");
    const named = [...live.matchAll(/file:\/run\/secrets\/(\w+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const svc of ["opswatch-server", "opswatch-agent"])
      for (const n of named) expect(compose.services[svc]?.secrets, `${svc}: ${n}`).toContain(n);
    writeFileSync(join(dir, "opswatch.yaml"), config.replaceAll("file:/run/secrets/", `file:${secrets}/`));
    const r = await run(process.execPath, [CLI, "check-config", join(dir, "opswatch.yaml")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: /);
    // Server and agent parts match what compose runs: listen on every interface, state on the volume.
    expect(config).toMatch(/listen: 0\.0\.0\.0:8080/);
    expect(config).toMatch(/database: \/var\/lib\/opswatch\//);
    expect(config).toMatch(/spool: \/var\/lib\/opswatch\//);
  });
});
