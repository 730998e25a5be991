import { useEffect, useState } from "preact/hooks";
import { zonedTime } from "../../../engine/zone.js";
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

/**
 * The instant of a wall-clock time in the site zone: "2025-06-01" + "22:30" → epoch ms. The form's
 * inputs are in the site zone, never the browser's (an engineer abroad still plans in Beijing time).
 * The engine's own zone arithmetic (pure, bundled into the page), so browser and server agree.
 */
export function zonedToEpoch(date: string, time: string, zone: string): number {
  const [h, mi] = time.split(":").map(Number) as [number, number];
  return zonedTime(date, h * 60 + mi, zone);
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
