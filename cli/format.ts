// Text output of the operator commands: local times in a zone, durations, and tables that line up
// with Chinese text (a CJK character takes two terminal columns).
import { localParts, offsetMs } from "../engine/zone.js";
import { CliError } from "./client.js";

/** The site's zone (config site.timezone default); --tz overrides it for display. */
export const SITE_TZ = "Asia/Shanghai";

/** Checks an IANA zone name (for --tz), or throws a CliError naming the option. */
export function checkTz(tz: string): string {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return tz;
  } catch {
    throw new CliError(`--tz: unknown time zone "${tz}" (an IANA name such as Asia/Shanghai or UTC)`);
  }
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "2025-03-04 10:15" (or with seconds) in the zone; "—" for null. */
export function fmtTime(ms: number | null | undefined, tz: string, seconds = false): string {
  if (ms === null || ms === undefined) return "—";
  const p = localParts(ms, tz);
  const s = `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
  return seconds ? `${s}:${pad(p.second)}` : s;
}

/** The zone's UTC offset now, as written in ISO 8601: "+08:00", "-05:00", "Z" for UTC. */
export function offsetLabel(tz: string, at = Date.now()): string {
  const m = Math.round(offsetMs(at, tz) / 60_000);
  if (m === 0) return "Z";
  const a = Math.abs(m);
  return `${m < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/**
 * An ISO 8601 time given on the command line, which must carry its offset: a bare local time is
 * ambiguous (the server refuses it too). Returns epoch ms; the error names the option and shows the
 * fix in the site zone.
 */
export function parseOptionTime(option: string, value: string, tz: string): number {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?/.test(value))
    throw new CliError(
      `${option}: "${value}" is not an ISO 8601 time such as 2025-03-01T02:00${offsetLabel(tz)}`,
    );
  if (!/(Z|[+-]\d\d:\d\d)$/i.test(value)) {
    const base = value.length === 10 ? `${value}T00:00` : value;
    throw new CliError(
      `${option}: "${value}" has no UTC offset, so the instant is ambiguous; write it with one, ` +
        `e.g. ${base}${offsetLabel(tz)} (${tz}) or ${base}Z (UTC)`,
    );
  }
  const t = Date.parse(value.replace(" ", "T"));
  if (Number.isNaN(t)) throw new CliError(`${option}: "${value}" is not a valid time`);
  return t;
}

/** 7_200_000 → "2h", 5_400_000 → "1h30m", 90_000 → "1m30s". */
export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s) parts.push(`${s}s`);
  return parts.join("");
}

/** Terminal columns of a string: East Asian wide and fullwidth characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x300 && c < 0x370) || c === 0x200b) continue; // control, combining, ZWSP
    w += isWide(c) ? 2 : 1;
  }
  return w;
}

function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1faff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

/** Cuts a string to at most `max` columns, ending in "…" when cut. */
export function truncate(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = "";
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

const padEnd = (s: string, w: number) => s + " ".repeat(Math.max(0, w - displayWidth(s)));

/** A plain-text table: columns separated by two spaces, header underlined; no trailing spaces. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => padEnd(c, widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Key–value lines with the keys padded to one width. */
export function fields(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => displayWidth(k)));
  return pairs.map(([k, v]) => `${padEnd(k, w)}  ${v}`.trimEnd()).join("\n");
}
