import { getLocale } from "./i18n/index.js";

/** The site's time zone (GET /api/v1/site); every time on screen is shown in it, not the browser's. */
let zone = "Asia/Shanghai";
export function setZone(z: string): void {
  zone = z;
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function dtf(kind: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `${getLocale()}|${zone}|${kind}`;
  let f = cache.get(k) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(getLocale(), { timeZone: zone, ...opts });
    cache.set(k, f);
  }
  return f;
}

export const fmt = {
  dateTime: (ms: number) =>
    dtf("dt", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    }).format(ms),
  date: (ms: number) => dtf("d", { year: "numeric", month: "2-digit", day: "2-digit" }).format(ms),
  time: (ms: number) =>
    dtf("t", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(ms),
  /** 0.98765 → "98.77 %" (zh) / "98.77%" (en) */
  percent: (ratio: number, digits = 2) =>
    new Intl.NumberFormat(getLocale(), {
      style: "percent",
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(ratio),
  number: (n: number, digits = 0) =>
    new Intl.NumberFormat(getLocale(), { maximumFractionDigits: digits }).format(n),
  /** A span in the largest two units: "1 h 05 min" / "1小时5分". */
  duration: (ms: number) => {
    const neg = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400);
    s -= d * 86400;
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    const zh = getLocale() === "zh-CN";
    const u = zh ? { d: "天", h: "小时", m: "分", s: "秒" } : { d: " d", h: " h", m: " min", s: " s" };
    const parts = d
      ? [`${d}${u.d}`, `${h}${u.h}`]
      : h
        ? [`${h}${u.h}`, `${m}${u.m}`]
        : [`${m}${u.m}`, `${s}${u.s}`];
    return (neg ? "-" : "") + parts.join(zh ? "" : " ");
  },
  /** YYYY-MM-DD of an instant in the site zone (for inputs and grouping). */
  isoDate: (ms: number) => new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(ms),
};
