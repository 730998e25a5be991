import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";

/** The current time, re-rendering the caller every `everyMs` (deadline countdowns tick with it). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}

let zonePromise: Promise<string> | undefined;
/** The site's time zone (GET /api/v1/site), asked once. */
export function siteZone(): Promise<string> {
  zonePromise ??= api
    .get<{ timezone: string }>("/api/v1/site")
    .then((s) => s.timezone)
    .catch(() => "Asia/Shanghai");
  return zonePromise;
}

/** The zone's offset from UTC (ms) at instant `ms`. */
function offsetAt(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(ms);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in the site zone: "2025-06-01" + "22:30" → epoch ms. The form's
 * inputs are in the site zone, never the browser's (an engineer abroad still plans in Beijing time).
 */
export function zonedToEpoch(date: string, time: string, zone: string): number {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const [h, mi] = time.split(":").map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let t = wall - offsetAt(wall, zone);
  t = wall - offsetAt(t, zone); // again, in case the guess crossed a DST change
  return t;
}

/** "HH:MM" of an instant in `zone`. */
export function zonedHm(ms: number, zone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(ms);
}

/** Adds `n` days to a YYYY-MM-DD date (calendar arithmetic, no zone involved). */
export function addDaysIso(date: string, n: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
