import { useEffect, useMemo, useState } from "preact/hooks";
import { addDays } from "../../../engine/zone.js";
import { api } from "../api.js";
import { siteZone, zonedToEpoch } from "../components/ops.js";
import { fmt } from "../format.js";
import { getLocale, t, useLocale } from "../i18n/index.js";
import { can, useSession } from "../session.js";
import { useApi } from "../use-api.js";
import "./ops.css";

interface Occurrence {
  start: number;
  end: number;
  planned: boolean;
  cancelled: boolean;
  effective: { start: number; end: number } | null;
}
interface Recurrence {
  every: "day" | "week" | "month";
  weekdays?: number[];
  dayOfMonth?: number;
  at: string;
  duration: number;
  from: string;
  until?: string;
}
/** GET /api/v1/maintenance (server/routes/maintenance.ts). */
interface Window {
  id: string;
  targets?: string[];
  groups?: string[];
  start?: number;
  end?: number;
  recurrence?: Recurrence;
  createdAt: number;
  cancelledAt?: number;
  reason: string;
  approvedBy: string;
  createdBy: string;
  cancelledBy: string | null;
  occurrences: Occurrence[];
}
interface Target {
  id: string;
  name: string;
  group?: string;
}

const monthOf = (date: string) => date.slice(0, 7);
function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}
const daysIn = (month: string) => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
};
/** 0 Monday … 6 Sunday of a YYYY-MM-DD date. */
const mondayIndex = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;

/** /console/maintenance: the month's windows as a calendar (a list on a phone), record and cancel. */
export function MaintenancePage() {
  useLocale();
  const me = useSession();
  const [zone, setZone] = useState<string>();
  useEffect(() => {
    void siteZone().then(setZone);
  }, []);
  const today = fmt.isoDate(Date.now());
  const [month, setMonth] = useState(monthOf(today));
  const [selected, setSelected] = useState(today);
  const range = useMemo(() => {
    if (!zone) return null;
    const start = zonedToEpoch(`${month}-01`, "00:00", zone);
    const end = zonedToEpoch(`${addMonths(month, 1)}-01`, "00:00", zone);
    return { start, end };
  }, [zone, month]);
  const { data, error, reload } = useApi<{ windows: Window[] }>(
    range ? `/api/v1/maintenance?from=${range.start}&to=${range.end}` : null,
    ["maintenance"],
  );
  const targets = useApi<{ targets: Target[] }>("/api/v1/targets");
  const names = new Map((targets.data?.targets ?? []).map((x) => [x.id, x.name]));
  const windows = (data?.windows ?? [])
    .filter((w) => w.occurrences.length > 0)
    .sort((a, b) => (a.occurrences[0]?.start ?? 0) - (b.occurrences[0]?.start ?? 0));

  const go = (m: string, day?: string) => {
    setMonth(m);
    setSelected(day ?? `${m}-01`);
  };
  if (!zone) return <p class="loading">{t("common.loading")}</p>;
  return (
    <div class="ops">
      <h1>{t("maint.title")}</h1>
      <div class="cal-head">
        <button type="button" class="secondary" onClick={() => go(addMonths(month, -1))}>
          ← {t("maint.prev")}
        </button>
        <h2 id="cal-month" aria-live="polite">
          {t("maint.month", { year: month.slice(0, 4), month: Number(month.slice(5)) })}
        </h2>
        <button type="button" class="secondary" onClick={() => go(addMonths(month, 1))}>
          {t("maint.next")} →
        </button>
        <button type="button" class="link" onClick={() => go(monthOf(today), today)}>
          {t("maint.this_month")}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {t("common.error", { message: error.message })}
        </p>
      )}
      <Calendar
        month={month}
        zone={zone}
        today={today}
        selected={selected}
        onSelect={(d) => {
          if (monthOf(d) !== month) setMonth(monthOf(d));
          setSelected(d);
        }}
        windows={windows}
        names={names}
      />
      <h2>{t("maint.list")}</h2>
      {data && windows.length === 0 && <p class="card muted">{t("maint.empty")}</p>}
      <ul class="plain">
        {windows.map((w) => (
          <WindowCard key={w.id} w={w} names={names} operator={can(me, "operator")} onChanged={reload} />
        ))}
      </ul>
      {can(me, "operator") && (
        <CreateForm zone={zone} targets={targets.data?.targets ?? []} today={today} onCreated={reload} />
      )}
    </div>
  );
}

function overlaps(o: Occurrence, start: number, end: number) {
  return o.start < end && o.end > start;
}

function Calendar(props: {
  month: string;
  zone: string;
  today: string;
  selected: string;
  onSelect: (date: string) => void;
  windows: Window[];
  names: Map<string, string>;
}) {
  const { month, zone } = props;
  const first = `${month}-01`;
  const lead = mondayIndex(first);
  const n = daysIn(month);
  const weeks = Math.ceil((lead + n) / 7);
  const days: string[] = [];
  for (let i = 0; i < weeks * 7; i++) days.push(addDays(first, i - lead));
  const weekdayFmt = new Intl.DateTimeFormat(getLocale(), { weekday: "short", timeZone: "UTC" });
  const longFmt = new Intl.DateTimeFormat(getLocale(), { dateStyle: "full", timeZone: "UTC" });
  const onDay = (date: string) => {
    const s = zonedToEpoch(date, "00:00", zone);
    const e = zonedToEpoch(addDays(date, 1), "00:00", zone);
    return props.windows.filter((w) => w.occurrences.some((o) => overlaps(o, s, e)));
  };
  useEffect(() => {
    // Keep keyboard focus on the selected day when arrows move it (also across months).
    const el = document.querySelector<HTMLElement>(`table.cal button[data-date="${props.selected}"]`);
    if (el && document.activeElement?.closest("table.cal")) el.focus();
  }, [props.selected, month]);
  const key = (e: KeyboardEvent, date: string) => {
    const step: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      ArrowUp: -7,
      ArrowDown: 7,
    };
    let next: string | undefined;
    if (e.key in step) next = addDays(date, step[e.key] as number);
    else if (e.key === "Home") next = addDays(date, -mondayIndex(date));
    else if (e.key === "End") next = addDays(date, 6 - mondayIndex(date));
    if (next) {
      e.preventDefault();
      props.onSelect(next);
    }
  };
  const sel = onDay(props.selected);
  const selLabel = longFmt.format(new Date(`${props.selected}T00:00:00Z`));
  return (
    <section class="cal-grid" aria-label={t("maint.calendar")}>
      <p class="muted" id="cal-help">
        {t("maint.cal_help")}
      </p>
      <div class="table-wrap">
        <table class="cal" aria-labelledby="cal-month" aria-describedby="cal-help">
          <thead>
            <tr>
              {days.slice(0, 7).map((d) => (
                <th key={d} scope="col">
                  {weekdayFmt.format(new Date(`${d}T00:00:00Z`))}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: weeks }, (_, w) => (
              <tr key={w}>
                {days.slice(w * 7, w * 7 + 7).map((d) => {
                  const list = onDay(d);
                  const cls = [
                    monthOf(d) !== month && "other",
                    d === props.today && "today",
                    d === props.selected && "sel",
                  ]
                    .filter(Boolean)
                    .join(" ");
                  return (
                    <td key={d} class={cls}>
                      <button
                        type="button"
                        class="day"
                        data-date={d}
                        tabIndex={d === props.selected ? 0 : -1}
                        aria-pressed={d === props.selected}
                        aria-current={d === props.today ? "date" : undefined}
                        onClick={() => props.onSelect(d)}
                        onKeyDown={(e) => key(e, d)}
                      >
                        <span class="sr-only">{longFmt.format(new Date(`${d}T00:00:00Z`))}</span>
                        <span class="day-n" aria-hidden="true">
                          {Number(d.slice(8))}
                        </span>
                        {list.map((x) => (
                          <span key={x.id} class={x.cancelledAt ? "win-chip cancelled" : "win-chip"}>
                            {x.reason}
                          </span>
                        ))}
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="card" aria-live="polite">
        <h3>
          {sel.length ? t("maint.day_windows", { date: selLabel }) : t("maint.day_none", { date: selLabel })}
        </h3>
        <ul>
          {sel.map((w) => (
            <li key={w.id}>
              #{w.id} {w.reason} — {scope(w, props.names)}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function scope(w: Window, names: Map<string, string>): string {
  if (w.targets) return w.targets.map((id) => names.get(id) ?? id).join("、");
  return (w.groups ?? []).join("、");
}

function describeRecurrence(r: Recurrence): string {
  const every = t(`maint.every.${r.every}`);
  const wd = new Intl.DateTimeFormat(getLocale(), { weekday: "short", timeZone: "UTC" });
  // 2023-01-01 was a Sunday: weekday n is that date plus n days.
  const detail =
    r.every === "week"
      ? ` (${(r.weekdays ?? []).map((d) => wd.format(new Date(Date.UTC(2023, 0, 1 + d)))).join(", ")})`
      : r.every === "month"
        ? ` (${r.dayOfMonth})`
        : "";
  const base = t("maint.recurrence", { every: every + detail, at: r.at, duration: fmt.duration(r.duration) });
  const span = r.until
    ? t("maint.recurrence.range", { from: r.from, until: r.until })
    : t("maint.recurrence.open", { from: r.from });
  return `${base} · ${span}`;
}

function WindowCard(props: {
  w: Window;
  names: Map<string, string>;
  operator: boolean;
  onChanged: () => void;
}) {
  const { w } = props;
  const [confirm, setConfirm] = useState(false);
  const [msg, setMsg] = useState<string>();
  const cancelled = w.cancelledAt !== undefined;
  const planned = w.occurrences.some((o) => o.planned);
  const ended = w.occurrences.every((o) => o.end <= Date.now()) && !w.recurrence;
  const cancel = async () => {
    try {
      await api.post(`/api/v1/maintenance/${encodeURIComponent(w.id)}/cancel`);
      setMsg(t("maint.cancelled"));
      props.onChanged();
    } catch (e) {
      setMsg(t("maint.failed", { message: (e as Error).message }));
    }
    setConfirm(false);
  };
  const status = cancelled
    ? t("maint.status.cancelled")
    : planned
      ? t("maint.status.planned")
      : t("maint.status.unplanned");
  return (
    <li class="card maint-window" data-id={w.id}>
      <div class="row">
        <span class={cancelled ? "state unknown" : "state maintenance"}>{status}</span>
        <span class="muted">#{w.id}</span>
      </div>
      <p>
        <strong>{w.reason}</strong>
      </p>
      <p>
        {w.targets ? t("maint.targets") : t("maint.groups")}: {scope(w, props.names)}
      </p>
      <p>
        {t("maint.when")}:{" "}
        {w.recurrence
          ? describeRecurrence(w.recurrence)
          : `${fmt.dateTime(w.start as number)} – ${fmt.dateTime(w.end as number)}`}
      </p>
      {w.recurrence && <p class="muted">{t("maint.occurrences", { n: w.occurrences.length })}</p>}
      <p class="muted">
        {t("maint.approved_by")}: {w.approvedBy} ·{" "}
        {t("maint.created_by", { user: w.createdBy, time: fmt.dateTime(w.createdAt) })}
        {cancelled &&
          ` · ${t("maint.cancelled_by", { user: w.cancelledBy ?? "", time: fmt.dateTime(w.cancelledAt as number) })}`}
      </p>
      {props.operator && !cancelled && !ended && (
        <div class="row">
          {confirm ? (
            <>
              <button type="button" class="big" onClick={() => void cancel()}>
                {t("maint.cancel.confirm")}
              </button>
              <button type="button" class="big secondary" onClick={() => setConfirm(false)}>
                {t("maint.cancel.keep")}
              </button>
            </>
          ) : (
            <button type="button" class="big secondary" onClick={() => setConfirm(true)}>
              {t("maint.cancel")}
            </button>
          )}
        </div>
      )}
      {msg && <p role="status">{msg}</p>}
    </li>
  );
}

function CreateForm(props: { zone: string; targets: Target[]; today: string; onCreated: () => void }) {
  const [kind, setKind] = useState<"once" | "recurring">("once");
  const [every, setEvery] = useState<"day" | "week" | "month">("week");
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const targets = f.getAll("target").map(String);
    if (targets.length === 0) {
      setMsg({ ok: false, text: t("maint.need_target") });
      return;
    }
    const body: Record<string, unknown> = {
      targets,
      reason: String(f.get("reason")),
      approved_by: String(f.get("approved_by")),
    };
    if (kind === "once") {
      body.start = zonedToEpoch(String(f.get("start_date")), String(f.get("start_time")), props.zone);
      body.end = zonedToEpoch(String(f.get("end_date")), String(f.get("end_time")), props.zone);
    } else {
      const weekdays = f.getAll("weekday").map(Number);
      if (every === "week" && weekdays.length === 0) {
        setMsg({ ok: false, text: t("maint.need_weekday") });
        return;
      }
      const until = String(f.get("until") ?? "");
      body.recurrence = {
        every,
        at: String(f.get("at")),
        duration: `${Number(f.get("duration"))}m`,
        from: String(f.get("from")),
        ...(until ? { until } : {}),
        ...(every === "week" ? { weekdays } : {}),
        ...(every === "month" ? { day_of_month: Number(f.get("day_of_month")) } : {}),
      };
    }
    setBusy(true);
    try {
      const w = await api.post<{ id: string; warning?: string }>("/api/v1/maintenance", body);
      setMsg({
        ok: !w.warning,
        text:
          t("maint.created", { id: w.id }) +
          (w.warning ? ` ${t("maint.warning", { message: t("maint.status.unplanned") })}` : ""),
      });
      form.reset();
      props.onCreated();
    } catch (err) {
      setMsg({ ok: false, text: t("maint.failed", { message: (err as Error).message }) });
    } finally {
      setBusy(false);
    }
  };
  const wd = new Intl.DateTimeFormat(getLocale(), { weekday: "short", timeZone: "UTC" });
  return (
    <section class="card" aria-labelledby="maint-create">
      <h2 id="maint-create">{t("maint.create")}</h2>
      <p class="muted">{t("maint.zone", { zone: props.zone })}</p>
      <form onSubmit={submit} id="maint-form">
        <fieldset>
          <legend>{t("maint.targets")}</legend>
          {props.targets.map((x) => (
            <label class="inline" key={x.id}>
              <input type="checkbox" name="target" value={x.id} /> {x.name}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("maint.kind")}</legend>
          {(["once", "recurring"] as const).map((k) => (
            <label class="inline" key={k}>
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />{" "}
              {t(`maint.kind.${k}`)}
            </label>
          ))}
        </fieldset>
        {kind === "once" ? (
          <div class="row">
            <label class="grow">
              {t("maint.start_date")}
              <input type="date" name="start_date" required defaultValue={props.today} />
            </label>
            <label class="grow">
              {t("maint.start_time")}
              <input type="time" name="start_time" required />
            </label>
            <label class="grow">
              {t("maint.end_date")}
              <input type="date" name="end_date" required defaultValue={props.today} />
            </label>
            <label class="grow">
              {t("maint.end_time")}
              <input type="time" name="end_time" required />
            </label>
          </div>
        ) : (
          <>
            <label>
              {t("maint.every")}
              <select
                name="every"
                value={every}
                onChange={(e) => setEvery(e.currentTarget.value as "day" | "week" | "month")}
              >
                {(["day", "week", "month"] as const).map((x) => (
                  <option key={x} value={x}>
                    {t(`maint.every.${x}`)}
                  </option>
                ))}
              </select>
            </label>
            {every === "week" && (
              <fieldset>
                <legend>{t("maint.weekdays")}</legend>
                {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                  <label class="inline" key={d}>
                    <input type="checkbox" name="weekday" value={d} />{" "}
                    {wd.format(new Date(Date.UTC(2023, 0, 1 + d)))}
                  </label>
                ))}
              </fieldset>
            )}
            {every === "month" && (
              <label>
                {t("maint.day_of_month")}
                <input type="number" name="day_of_month" min={1} max={31} required defaultValue="1" />
              </label>
            )}
            <div class="row">
              <label class="grow">
                {t("maint.at")}
                <input type="time" name="at" required />
              </label>
              <label class="grow">
                {t("maint.duration")}
                <input type="number" name="duration" min={1} required defaultValue="60" />
              </label>
              <label class="grow">
                {t("maint.from")}
                <input type="date" name="from" required defaultValue={props.today} />
              </label>
              <label class="grow">
                {t("maint.until")}
                <input type="date" name="until" />
              </label>
            </div>
          </>
        )}
        <label>
          {t("maint.reason")}
          <input name="reason" required maxLength={500} />
        </label>
        <label>
          {t("maint.approved_by")}
          <input name="approved_by" required maxLength={100} />
        </label>
        <button type="submit" class="big" disabled={busy}>
          {t("maint.submit")}
        </button>
        <p role="status" class={msg?.ok === false ? "error" : "ok"}>
          {msg?.text ?? ""}
        </p>
      </form>
    </section>
  );
}
