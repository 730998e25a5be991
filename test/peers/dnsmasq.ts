// A real Debian dnsmasq as a test DNS server: authoritative for one test domain, answering from a hosts
// file, on a free loopback port (UDP and TCP), asking no upstream server.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports.js";
import { peerPath } from "./require-peer.js";

export interface Dnsmasq {
  /** UDP and TCP port on 127.0.0.1. */
  port: number;
  /** Stops dnsmasq and removes its temp dir; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts dnsmasq for `domain`: names from `hosts` (hosts-file lines, "10.1.2.3 www.test.internal"),
 * NXDOMAIN for other names in the domain, REFUSED outside it. `args` adds dnsmasq options such as
 * `--mx-host=…`, `--cname=…`, `--txt-record=…`, `--srv-host=…`. Use with `requirePeer("dnsmasq", …)`.
 */
export async function startDnsmasq({
  domain,
  hosts,
  args = [],
}: {
  domain: string;
  hosts: string[];
  args?: string[];
}): Promise<Dnsmasq> {
  const bin = peerPath("dnsmasq");
  if (bin === undefined) throw new Error('dnsmasq not found: install the Debian package "dnsmasq-base"');
  const dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-dnsmasq-"));
  const hostsFile = path.join(dir, "hosts");
  await writeFile(hostsFile, `${hosts.join("\n")}\n`);
  const port = await freePort("udp");
  // --conf-file=/dev/null: no system config; --no-resolv/--no-hosts: no upstream, not /etc/hosts;
  // --local: authoritative for the domain (NXDOMAIN, never forwarded); --user: as root it would drop
  // to "dnsmasq"/"nobody", which cannot read the 0700 temp dir.
  const child = spawn(
    bin,
    [
      "--keep-in-foreground",
      "--conf-file=/dev/null",
      `--port=${port}`,
      "--listen-address=127.0.0.1",
      "--bind-interfaces",
      "--no-resolv",
      "--no-hosts",
      `--addn-hosts=${hostsFile}`,
      `--local=/${domain}/`,
      `--domain=${domain}`,
      `--pid-file=${path.join(dir, "pid")}`,
      "--log-facility=-",
      `--user=${os.userInfo().username}`,
      ...args,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let output = "";
  let running = true;
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
    await waitUntilListening(port, () => running);
  } catch (err) {
    await stop();
    throw new Error(`dnsmasq did not start on 127.0.0.1:${port}: ${(err as Error).message}\n${output}`);
  }
  return { port, stop };
}

/** dnsmasq opens its UDP and TCP sockets together (~50 ms): polls a TCP connect until it is accepted. */
async function waitUntilListening(port: number, running: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (!running()) throw new Error("dnsmasq exited");
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("not listening within 5 s");
}
