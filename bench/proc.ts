// /proc readings of one process (the prober under test, or a responder), taken from outside it, so
// opswatch (Node) and the Prometheus exporters (Go) are measured the same way. Shared by the benches.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const clkTck = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of the whole process (all threads), in seconds; resolution 1/CLK_TCK (10 ms). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / clkTck;
}

/** VmRSS (now) or VmHWM (peak since start) in MB. */
export function memoryMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Core-seconds the whole machine spent busy so far (from /proc/stat), to see what else ran. */
export function machineBusySeconds(): number {
  const f = (/^cpu +(.*)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1] ?? "").split(" ").map(Number);
  const ticks = (i: number) => f[i] ?? 0; // user nice system idle iowait irq softirq steal
  return [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + ticks(i), 0) / clkTck;
}

/** Largest VmRSS seen while sampling every `everyMs`; `stop()` returns it in MB. */
export function sampleRss(pid: number, everyMs = 250): { stop(): number } {
  let max = memoryMb(pid, "VmRSS");
  const timer = setInterval(() => {
    try {
      max = Math.max(max, memoryMb(pid, "VmRSS"));
    } catch {
      // the process exited; the caller sees that through its own handle
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}
