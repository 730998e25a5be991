// ICMP echo through the system `ping` (Debian iputils-ping). Node cannot open ICMP sockets itself;
// iputils' ping uses an unprivileged ping socket where net.ipv4.ping_group_range allows it, else a raw
// socket through its cap_net_raw file capability (Debian installs it so) — no root needed either way.
import { spawn } from "node:child_process";
import type { IcmpCheck } from "../../config/schema.js";
import type { ProbeOutcome, Prober } from "./types.js";

export interface PingSummary {
  transmitted: number;
  received: number;
  rtt?: { min: number; avg: number; max: number };
}

/** The summary lines of iputils ping ("3 packets transmitted, 3 received, …", "rtt min/avg/max/mdev = …"). */
export function parsePing(stdout: string): PingSummary | undefined {
  const counts = /(\d+) packets transmitted, (\d+) received/.exec(stdout);
  if (!counts) return undefined;
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/[\d.]+ ms/.exec(stdout);
  return {
    transmitted: Number(counts[1]),
    received: Number(counts[2]),
    ...(rtt && { rtt: { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } }),
  };
}

/** Why ping could not run at all, in operator words (stderr of iputils ping, or a spawn error code). */
export function describePingFailure(stderr: string, code?: string): string {
  if (code === "ENOENT")
    return "the system ping is not installed (Debian package iputils-ping): ICMP checks need it";
  if (/Operation not permitted|missing cap_net_raw/.test(stderr))
    return (
      "ICMP not permitted for the agent's user: give ping its capability (setcap cap_net_raw+ep /usr/bin/ping), " +
      "allow unprivileged ping sockets (sysctl net.ipv4.ping_group_range), or use a TCP check instead"
    );
  if (/Name or service not known|Temporary failure in name resolution/.test(stderr))
    return `host name not found: ${stderr.trim().split("\n").at(-1)}`;
  return stderr.trim().split("\n").at(-1) || "ping failed";
}

export class IcmpProber implements Prober<IcmpCheck> {
  readonly kind = "icmp";
  constructor(private readonly pingPath = "ping") {}

  probe(check: IcmpCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    // -n: no reverse DNS; -i 0.2: the shortest interval allowed without root; -w: overall deadline (s),
    // kept inside the check's timeout so ping reports its own summary before the abort.
    const deadline = Math.max(1, Math.floor(check.timeout / 1000) - 1);
    const args = [
      "-n",
      "-q",
      `-${check.ip}`,
      "-c",
      String(check.count),
      "-i",
      "0.2",
      "-w",
      String(deadline),
      check.host,
    ];
    return new Promise((resolve) => {
      let stdout = "";
      let stderr = "";
      const child = spawn(this.pingPath, args, { stdio: ["ignore", "pipe", "pipe"], signal });
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", (err: NodeJS.ErrnoException) => {
        if (err.name === "AbortError")
          resolve({ ok: false, error: `timeout after ${check.timeout} ms`, values: {} });
        else resolve({ ok: false, error: describePingFailure(stderr, err.code), values: {} });
      });
      child.on("close", () => {
        if (signal.aborted) return; // settled by the error handler
        const summary = parsePing(stdout);
        if (!summary) return resolve({ ok: false, error: describePingFailure(stderr), values: {} });
        const values: ProbeOutcome["values"] = {
          "icmp.sent": summary.transmitted,
          "icmp.received": summary.received,
          "icmp.loss_ratio": summary.transmitted ? 1 - summary.received / summary.transmitted : 1,
        };
        if (summary.rtt) {
          values["icmp.rtt_ms"] = summary.rtt.avg;
          values["icmp.rtt_max_ms"] = summary.rtt.max;
        }
        if (summary.received > 0) resolve({ ok: true, values });
        else resolve({ ok: false, error: `no echo reply (${summary.transmitted} sent, 100 % loss)`, values });
      });
    });
  }
}
