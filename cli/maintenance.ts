// opswatch maintenance list|create|cancel: planned maintenance windows (server/routes/maintenance.ts).
import { type Command, Option } from "commander";
import type { MaintenanceWindow, Occurrence } from "../engine/maintenance.js";
import { localDate } from "../engine/zone.js";
import { action, CliError, Client, type ClientOptions, clientOptions } from "./client.js";
import { checkTz, fmtDuration, fmtTime, parseOptionTime, SITE_TZ, table, truncate } from "./format.js";

/** A window as GET /api/v1/maintenance lists it. */
export type WindowView = MaintenanceWindow & {
  createdBy: string;
  cancelledBy: string | null;
  occurrences: Occurrence[];
};

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

interface Common extends ClientOptions {
  json?: boolean;
  tz: string;
}

interface CreateOptions extends Common {
  target?: string[];
  group?: string[];
  start?: string;
  end?: string;
  every?: "day" | "week" | "month";
  at?: string;
  duration?: string;
  from?: string;
  until?: string;
  weekdays?: string;
  dayOfMonth?: string;
  reason: string;
  approvedBy: string;
}

/** "a,b" "c" → ["a", "b", "c"] (an option may be repeated and take comma-separated lists). */
const list = (values: string[] | undefined) =>
  values
    ?.flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

/** The POST /api/v1/maintenance body, checked here so each mistake names its option. */
export function createBody(o: CreateOptions, tz: string): Record<string, unknown> {
  const targets = list(o.target);
  const groups = list(o.group);
  if (targets?.length && groups?.length) throw new CliError("give --target or --group, not both");
  if (!targets?.length && !groups?.length)
    throw new CliError("give the targets (--target T…) or groups (--group G…)");
  const oneOff = o.start !== undefined || o.end !== undefined;
  const recurringOpts = (
    [
      ["--every", o.every],
      ["--at", o.at],
      ["--duration", o.duration],
      ["--from", o.from],
      ["--until", o.until],
      ["--weekdays", o.weekdays],
      ["--day-of-month", o.dayOfMonth],
    ] as const
  ).filter(([, v]) => v !== undefined);
  const body: Record<string, unknown> = {
    ...(targets?.length ? { targets } : { groups }),
    reason: o.reason,
    approved_by: o.approvedBy,
  };
  if (oneOff) {
    if (recurringOpts.length)
      throw new CliError(
        `give --start and --end for one window, or --every … for a recurring one, not both (${recurringOpts[0]?.[0]})`,
      );
    if (o.start === undefined) throw new CliError("--start is required with --end");
    if (o.end === undefined) throw new CliError("--end is required with --start");
    const start = parseOptionTime("--start", o.start, tz);
    const end = parseOptionTime("--end", o.end, tz);
    if (end <= start) throw new CliError("--end must be after --start");
    return { ...body, start, end };
  }
  if (!o.every)
    throw new CliError(
      "give --start and --end (one window), or --every day|week|month with --at, --duration and --from (recurring)",
    );
  for (const [name, v] of [
    ["--at", o.at],
    ["--duration", o.duration],
    ["--from", o.from],
  ] as const)
    if (v === undefined) throw new CliError(`${name} is required with --every`);
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(o.at as string))
    throw new CliError(`--at: "${o.at}" is not a local time HH:MM such as 02:00`);
  if (!/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(o.duration as string))
    throw new CliError(`--duration: "${o.duration}" is not a duration such as 30m, 2h or 1d`);
  for (const [name, v] of [
    ["--from", o.from],
    ["--until", o.until],
  ] as const)
    if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v))
      throw new CliError(`${name}: "${v}" is not a date YYYY-MM-DD`);
  if (o.until !== undefined && (o.until as string) < (o.from as string))
    throw new CliError("--until is before --from");
  const recurrence: Record<string, unknown> = {
    every: o.every,
    at: o.at,
    duration: o.duration,
    from: o.from,
    ...(o.until ? { until: o.until } : {}),
  };
  if (o.weekdays !== undefined) {
    if (o.every !== "week") throw new CliError("--weekdays goes with --every week");
    const days = o.weekdays.split(",").map((d) => d.trim());
    if (!days.every((d) => /^[0-6]$/.test(d)))
      throw new CliError(
        `--weekdays: "${o.weekdays}" is not a list of weekdays 0 (Sunday) … 6 (Saturday) such as 1,3`,
      );
    recurrence.weekdays = [...new Set(days.map(Number))].sort();
  } else if (o.every === "week")
    throw new CliError("--weekdays is required with --every week (e.g. 1,3 for Mon and Wed)");
  if (o.dayOfMonth !== undefined) {
    if (o.every !== "month") throw new CliError("--day-of-month goes with --every month");
    const d = Number(o.dayOfMonth);
    if (!Number.isInteger(d) || d < 1 || d > 31)
      throw new CliError(`--day-of-month: "${o.dayOfMonth}" is not a day 1…31`);
    recurrence.day_of_month = d;
  } else if (o.every === "month") throw new CliError("--day-of-month is required with --every month");
  return { ...body, recurrence };
}

function scope(w: MaintenanceWindow): string {
  return w.targets ? `targets ${w.targets.join(",")}` : `groups ${w.groups.join(",")}`;
}

/** "2025-03-10 02:00 → 04:00", or the recurrence in words. */
function when(w: MaintenanceWindow, tz: string): string {
  if (w.recurrence) {
    const r = w.recurrence;
    const on =
      r.every === "week"
        ? ` on ${(r.weekdays ?? []).map((d) => WEEKDAYS[d]).join(",")}`
        : r.every === "month"
          ? ` on day ${r.dayOfMonth}`
          : "";
    return `every ${r.every}${on} at ${r.at} for ${fmtDuration(r.duration)}, from ${r.from}${r.until ? ` until ${r.until}` : ""}`;
  }
  const s = fmtTime(w.start, tz);
  const e = fmtTime(w.end, tz);
  return `${s} → ${e.slice(0, 10) === s.slice(0, 10) ? e.slice(11) : e}`;
}

function windowStatus(w: WindowView, now: number, tz: string): string {
  if (w.cancelledAt !== undefined) return `cancelled by ${w.cancelledBy ?? "?"}`;
  if (w.start !== undefined && w.createdAt >= w.start) return "late: excludes nothing";
  if (w.end !== undefined && w.end <= now) return "past";
  if (w.recurrence?.until !== undefined && w.recurrence.until < localDate(now, tz)) return "past";
  return "active";
}

function next(w: WindowView, now: number, tz: string): string {
  if (w.cancelledAt !== undefined) return "—";
  // A one-off window is its own occurrence; the server lists occurrences only 30 days ahead.
  const o =
    w.start !== undefined
      ? { start: w.start, end: w.end }
      : w.occurrences.find((x) => x.end > now && !x.cancelled);
  if (!o || o.end <= now) return "—";
  return o.start <= now ? `running until ${fmtTime(o.end, tz)}` : fmtTime(o.start, tz);
}

function listText(windows: WindowView[], tz: string): string {
  if (windows.length === 0) return "no maintenance windows";
  const now = Date.now();
  const rows = windows.map((w) => [
    w.id,
    scope(w),
    when(w, tz),
    next(w, now, tz),
    truncate(w.reason, 30),
    w.approvedBy,
    w.createdBy,
    windowStatus(w, now, tz),
  ]);
  return `${table(["ID", "SCOPE", "WHEN", "NEXT", "REASON", "APPROVED BY", "CREATED BY", "STATUS"], rows)}\n\n${windows.length} window(s); times in ${tz} (NEXT of a recurring window: within 30 days)`;
}

const tzOption = () =>
  new Option("--tz <zone>", "time zone for the times shown and for the offset suggested").default(SITE_TZ);

export function registerMaintenanceCommands(program: Command): void {
  const m = program
    .command("maintenance")
    .description("planned maintenance windows: their time is excluded from the indicators");

  clientOptions(
    m.command("list").description("list maintenance windows (cancelled ones too) with the next occurrence"),
  )
    .addOption(tzOption())
    .option("--json", "print the server's JSON")
    .action(
      action(async (o: Common) => {
        const tz = checkTz(o.tz);
        const r = await new Client(o).get<{ windows: WindowView[] }>("/api/v1/maintenance");
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : `${listText(r.windows, tz)}\n`);
      }),
    );

  clientOptions(
    m
      .command("create")
      .description(
        "record a maintenance window, one-off (--start/--end) or recurring (--every …), for targets or groups (operator token)",
      ),
  )
    .option("--target <id...>", "target ids (repeat or comma-separate)")
    .option("--group <id...>", "target groups (repeat or comma-separate)")
    .option("--start <time>", "one-off start, ISO 8601 with offset, e.g. 2025-03-10T02:00+08:00")
    .option("--end <time>", "one-off end, ISO 8601 with offset")
    .addOption(
      new Option("--every <period>", "recurring: every day, week or month").choices(["day", "week", "month"]),
    )
    .option("--at <HH:MM>", "recurring: local start time in the site's time zone")
    .option("--duration <d>", "recurring: length of each occurrence, e.g. 2h, 30m")
    .option("--from <date>", "recurring: first date YYYY-MM-DD")
    .option("--until <date>", "recurring: last date YYYY-MM-DD (inclusive)")
    .option("--weekdays <list>", "with --every week: weekdays 0 (Sunday) … 6 (Saturday), e.g. 1,3")
    .option("--day-of-month <n>", "with --every month: day 1…31 (months without it are skipped)")
    .requiredOption("--reason <text>", "why (recorded)")
    .requiredOption("--approved-by <name>", "who approved it (recorded)")
    .addOption(tzOption())
    .option("--json", "print the server's JSON")
    .action(
      action(async (o: CreateOptions) => {
        const tz = checkTz(o.tz);
        const body = createBody(o, tz);
        const client = new Client(o);
        const w = await client.post<MaintenanceWindow & { warning?: string }>("/api/v1/maintenance", body);
        if (w.warning) process.stderr.write(`warning: ${w.warning}\n`);
        process.stdout.write(
          o.json
            ? `${JSON.stringify(w, null, 2)}\n`
            : `maintenance window ${w.id} created: ${scope(w)}, ${when(w, tz)} (${tz})\n`,
        );
      }),
    );

  clientOptions(m.command("cancel").description("cancel a maintenance window (operator token)"))
    .argument("<id>", "window id (see maintenance list)")
    .option("--json", "print the server's JSON")
    .action(
      action(async (id: string, o: Common) => {
        const w = await new Client(o).post<MaintenanceWindow>(
          `/api/v1/maintenance/${encodeURIComponent(id)}/cancel`,
        );
        process.stdout.write(
          o.json ? `${JSON.stringify(w, null, 2)}\n` : `maintenance window ${w.id} cancelled\n`,
        );
      }),
    );
}
