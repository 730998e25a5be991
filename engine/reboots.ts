// Reboot detection from sysUpTime (indicators.md, precise rule 7): an unplanned reboot found at poll
// t_k (sysUpTime went backwards) counts as DOWN from the previous poll t_{k−1} to the boot time
// t_k − sysUpTime_k, at least 1 s.
import type { Interval } from "./types.js";

/** sysUpTime is TimeTicks, 32-bit hundredths of a second: it wraps to 0 every 2^32 cs ≈ 497.1 days. */
export const UPTIME_WRAP_SECONDS = 2 ** 32 / 100;

export interface UptimeSample {
  /** Poll time, epoch ms. */
  ts: number;
  /** sysUpTime in seconds. */
  uptime: number;
}

/**
 * The DOWN interval of a reboot between two consecutive polls of one device, or undefined when the
 * uptime did not go backwards, or went backwards only because the counter wrapped. A wrap is accepted
 * when the previous uptime plus the elapsed time, taken modulo 2^32 cs, lands within a tolerance of
 * the new uptime (agent clock vs device clock: 10 s plus 1 % of the elapsed time).
 */
export function rebootBetween(prev: UptimeSample, cur: UptimeSample): Interval | undefined {
  if (cur.uptime >= prev.uptime) return undefined;
  const elapsed = Math.max(0, (cur.ts - prev.ts) / 1000);
  const expected = prev.uptime + elapsed;
  if (expected >= UPTIME_WRAP_SECONDS) {
    const wrapped = expected % UPTIME_WRAP_SECONDS;
    const tolerance = 10 + elapsed / 100;
    if (Math.abs(wrapped - cur.uptime) <= tolerance) return undefined;
  }
  const boot = cur.ts - cur.uptime * 1000;
  // The boot cannot lie before the previous poll that saw the device up, nor after this poll.
  const end = Math.min(cur.ts, Math.max(boot, prev.ts + 1000));
  return { start: prev.ts, end: Math.max(end, prev.ts + 1000) };
}

/** Every reboot in a device's uptime samples (any order; equal timestamps keep input order). */
export function findReboots(samples: readonly UptimeSample[]): Interval[] {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const out: Interval[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const r = rebootBetween(sorted[i - 1] as UptimeSample, sorted[i] as UptimeSample);
    if (r) out.push(r);
  }
  return out;
}
