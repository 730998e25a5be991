import { useEffect, useMemo, useState } from "preact/hooks";
import { addDays } from "../../../engine/zone.js";
import { api } from "../api.js";
import { siteZone, zonedToEpoch } from "../components/ops.js";
import { fmt } from "../format.js";
import { t, useLocale } from "../i18n/index.js";
import { can, useSession } from "../session.js";
import { useApi } from "../use-api.js";
import "./ops.css";

interface Item {
  target: string;
  item: string;
  kind: "auto" | "manual";
  label: string;
  result: "pass" | "fail" | null;
  detail: string | null;
  note: string | null;
  signed_off_at: number | null;
  signed_off_by: string | null;
  fault_id: string | null;
}
/** GET /api/v1/inspections (server/inspections.ts runView). */
interface Run {
  id: string;
  plan: string;
  plan_name: string | null;
  scheduled_at: number;
  started_at: number | null;
  status: "pending" | "compliant" | "non_compliant";
  reasons: string[];
  items: Item[];
}
interface Listing {
  from: number;
  to: number;
  summary: { scheduled: number; compliant: number; non_compliant: number; pending: number };
  runs: Run[];
}
type Names = Map<string, string>;

/** /console/inspections: today's checklist (sign off manual items) and the log of past runs. */
export function InspectionsPage() {
  useLocale();
  const [zone, setZone] = useState<string>();
  useEffect(() => {
    void siteZone().then(setZone);
  }, []);
  const today = fmt.isoDate(Date.now());
  const [logDate, setLogDate] = useState("");
  const todayRange = useMemo(
    () =>
      zone && {
        from: zonedToEpoch(today, "00:00", zone),
        to: zonedToEpoch(addDays(today, 1), "00:00", zone),
      },
    [zone, today],
  );
  const logRange = useMemo(() => {
    if (!zone) return undefined;
    if (logDate)
      return {
        from: zonedToEpoch(logDate, "00:00", zone),
        to: zonedToEpoch(addDays(logDate, 1), "00:00", zone),
      };
    return {
      from: zonedToEpoch(addDays(today, -30), "00:00", zone),
      to: zonedToEpoch(today, "00:00", zone),
    };
  }, [zone, today, logDate]);
  const todays = useApi<Listing>(
    todayRange ? `/api/v1/inspections?from=${todayRange.from}&to=${todayRange.to}` : null,
    ["inspections"],
  );
  const log = useApi<Listing>(
    logRange ? `/api/v1/inspections?from=${logRange.from}&to=${logRange.to}` : null,
    ["inspections"],
  );
  const targets = useApi<{ targets: { id: string; name: string }[] }>("/api/v1/targets");
  const names: Names = new Map((targets.data?.targets ?? []).map((x) => [x.id, x.name]));
  if (!zone) return <p class="loading">{t("common.loading")}</p>;
  const byTime = (a: Run, b: Run) => a.scheduled_at - b.scheduled_at;
  return (
    <div class="ops">
      <h1>{t("insp.title")}</h1>
      <section aria-labelledby="insp-today">
        <h2 id="insp-today">{t("insp.today", { date: fmt.date(Date.now()) })}</h2>
        {todays.error && (
          <p class="error" role="alert">
            {t("common.error", { message: todays.error.message })}
          </p>
        )}
        {!todays.data && !todays.error && <p class="loading">{t("common.loading")}</p>}
        {todays.data?.runs.length === 0 && <p class="card muted">{t("insp.today.none")}</p>}
        {[...(todays.data?.runs ?? [])].sort(byTime).map((r) => (
          <RunCard key={r.id} run={r} names={names} open onChanged={todays.reload} />
        ))}
      </section>
      <section aria-labelledby="insp-log">
        <h2 id="insp-log">{t("insp.log")}</h2>
        <div class="row">
          <label>
            {t("insp.log.date")}
            <input
              type="date"
              value={logDate}
              max={today}
              onChange={(e) => setLogDate(e.currentTarget.value)}
            />
          </label>
          {logDate && (
            <button type="button" class="secondary" onClick={() => setLogDate("")}>
              {t("insp.log.clear")}
            </button>
          )}
        </div>
        {!logDate && <p class="muted">{t("insp.log.range")}</p>}
        {log.data && (
          <p class="muted">
            {t("insp.summary", {
              scheduled: log.data.summary.scheduled,
              compliant: log.data.summary.compliant,
              non_compliant: log.data.summary.non_compliant,
              pending: log.data.summary.pending,
            })}
          </p>
        )}
        {log.error && (
          <p class="error" role="alert">
            {t("common.error", { message: log.error.message })}
          </p>
        )}
        {log.data?.runs.length === 0 && <p class="card muted">{t("insp.log.none")}</p>}
        {[...(log.data?.runs ?? [])]
          .sort((a, b) => byTime(b, a))
          .map((r) => (
            <RunCard key={r.id} run={r} names={names} open={false} onChanged={log.reload} />
          ))}
      </section>
    </div>
  );
}

function RunCard(props: { run: Run; names: Names; open: boolean; onChanged: () => void }) {
  const { run } = props;
  const passed = run.items.filter((i) => i.result === "pass").length;
  const items = (
    <ul class="plain">
      {run.items.map((i) => (
        <ItemRow
          key={`${i.target}/${i.item}`}
          run={run}
          item={i}
          names={props.names}
          onChanged={props.onChanged}
        />
      ))}
    </ul>
  );
  return (
    <article class="card run" data-run={run.id} aria-labelledby={`run-${run.id}`}>
      <div class="row">
        <span
          class={`state ${run.status === "compliant" ? "up" : run.status === "pending" ? "maintenance" : "down"}`}
        >
          {t(`insp.status.${run.status}`)}
        </span>
        <h3 id={`run-${run.id}`} class="grow">
          {run.plan_name ?? run.plan}
        </h3>
      </div>
      <p class="muted">
        {t("insp.scheduled", { time: fmt.dateTime(run.scheduled_at) })} ·{" "}
        {run.started_at === null ? t("insp.missed") : t("insp.started", { time: fmt.time(run.started_at) })} ·{" "}
        {t("insp.items", { passed, total: run.items.length })}
      </p>
      {run.reasons.length > 0 && (
        <details>
          <summary>{t("insp.reasons")}</summary>
          <ul>
            {run.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </details>
      )}
      {props.open ? (
        items
      ) : (
        <details>
          <summary>{t("insp.show_items")}</summary>
          {items}
        </details>
      )}
    </article>
  );
}

function ItemRow(props: { run: Run; item: Item; names: Names; onChanged: () => void }) {
  const me = useSession();
  const { run, item: i } = props;
  const [result, setResult] = useState<"pass" | "fail">("pass");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const canSign =
    can(me, "operator") && i.kind === "manual" && i.signed_off_at === null && run.started_at !== null;
  const key = `${run.id}-${i.target}-${i.item}`.replace(/[^\w-]/g, "_");
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.post(
        `/api/v1/inspections/${encodeURIComponent(run.id)}/items/${encodeURIComponent(i.target)}/${encodeURIComponent(i.item)}/sign-off`,
        { result, ...(note.trim() ? { note: note.trim() } : {}) },
      );
      setMsg({ ok: true, text: t("insp.signoff.done") });
      props.onChanged();
    } catch (err) {
      setMsg({ ok: false, text: t("insp.signoff.failed", { message: (err as Error).message }) });
    } finally {
      setBusy(false);
    }
  };
  const res = i.result ?? "none";
  return (
    <li class="item" data-item={`${i.target}/${i.item}`}>
      <div class="row">
        <span class="grow">
          <strong>{props.names.get(i.target) ?? i.target}</strong> · {i.label}{" "}
          <span class="muted">({t(`insp.kind.${i.kind}`)})</span>
        </span>
        <span class={`res-${res}`}>{t(`insp.result.${res}`)}</span>
      </div>
      {i.detail && <p class="muted">{i.detail}</p>}
      {i.signed_off_at !== null && (
        <p class="muted signed">
          {t("insp.signed", { user: i.signed_off_by ?? "", time: fmt.dateTime(i.signed_off_at) })}
        </p>
      )}
      {i.note && <p class="history-note">{i.note}</p>}
      {i.fault_id && (
        <a href={`/console/faults?id=${encodeURIComponent(i.fault_id)}`}>
          {t("insp.fault", { id: i.fault_id })}
        </a>
      )}
      {canSign && (
        <form class="signoff" onSubmit={submit}>
          <fieldset>
            <legend>
              {t("insp.signoff.result")} — {i.label}
            </legend>
            {(["pass", "fail"] as const).map((r) => (
              <label class="inline" key={r}>
                <input
                  type="radio"
                  name={`res-${key}`}
                  value={r}
                  checked={result === r}
                  onChange={() => setResult(r)}
                />{" "}
                {t(`insp.result.${r}`)}
              </label>
            ))}
          </fieldset>
          {result === "fail" && <p class="muted">{t("insp.signoff.fail_hint")}</p>}
          <label>
            {t("insp.signoff.note")}
            <input
              name="note"
              maxLength={2000}
              value={note}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="big" disabled={busy}>
            {t("insp.signoff")}
          </button>
        </form>
      )}
      {msg && (
        <p role="status" class={msg.ok ? "ok" : "error"}>
          {msg.text}
        </p>
      )}
    </li>
  );
}
