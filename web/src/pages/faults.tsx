import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Deadline, type Outcome } from "../components/deadline.js";
import { titleWithoutTarget } from "../components/fault-title.js";
import { useNow } from "../components/ops.js";
import { fmt } from "../format.js";
import { t, useLocale } from "../i18n/index.js";
import { useLocation } from "../router.js";
import { can, useSession } from "../session.js";
import { useApi } from "../use-api.js";
import "./ops.css";

type Severity = "P1" | "P2" | "P3" | "P4";
type FaultEvent =
  | {
      type: "opened";
      at: number;
      severity: Severity;
      source: "auto" | "manual";
      cause: string;
      actor?: string;
    }
  | { type: "attached" | "recovered"; at: number }
  | { type: "acknowledged" | "resolved" | "reopened"; at: number; actor: string; note: string }
  | { type: "escalated"; at: number; actor: string; severity: Severity };

/** GET /api/v1/faults/:id (server/faults.ts faultView). */
export interface Fault {
  id: string;
  target: string;
  cause: string;
  title: string;
  source: "auto" | "manual";
  severity: Severity;
  status: "open" | "resolved";
  opened_at: number;
  acknowledged: { at: number; actor: string; note: string } | null;
  recovered_at: number | null;
  resolved_at: number | null;
  respond_by: number | null;
  resolve_by: number | null;
  response: Outcome;
  completion: Outcome;
  deadline_error?: string;
  history: FaultEvent[];
}

type StateFilter = "open" | "acknowledged" | "resolved" | "all";
const STATES: StateFilter[] = ["open", "acknowledged", "resolved", "all"];
const SEVERITIES: Severity[] = ["P1", "P2", "P3", "P4"];

/** Open and not acknowledged since it was opened or last reopened (engine/faults.ts awaitingAck). */
export function awaitingAck(f: Fault): boolean {
  let awaiting = false;
  for (const e of f.history) {
    if (e.type === "opened" || e.type === "reopened") awaiting = true;
    else if (e.type === "acknowledged" || e.type === "resolved") awaiting = false;
  }
  return f.status === "open" && awaiting;
}

function stateOf(f: Fault): Exclude<StateFilter, "all"> {
  if (f.status === "resolved") return "resolved";
  return awaitingAck(f) ? "open" : "acknowledged";
}

/** Responded (acknowledged, or closed without one: rule 15) — the response deadline no longer ticks. */
const responded = (f: Fault) => f.acknowledged !== null || f.history.some((e) => e.type === "resolved");

function Severity(props: { s: Severity }) {
  return <span class={`sev sev-${props.s.toLowerCase()}`}>{props.s}</span>;
}

function StateBadge(props: { f: Fault }) {
  const s = stateOf(props.f);
  return <span class={`fstate fstate-${s}`}>{t(`faults.state.${s}`)}</span>;
}

/** /console/faults (list with filters) and /console/faults?id=N (one fault: the WeCom link lands here). */
/** The response and resolution deadlines of a fault, ticking with `now`. */
function Deadlines(props: { f: Fault; now: number }) {
  const { f, now } = props;
  return (
    <>
      <Deadline
        label={t("faults.respond")}
        by={f.respond_by}
        outcome={f.response}
        done={responded(f)}
        now={now}
      />
      <Deadline
        label={t("faults.resolve")}
        by={f.resolve_by}
        outcome={f.completion}
        done={f.status === "resolved"}
        now={now}
      />
    </>
  );
}

export function FaultsPage() {
  useLocale();
  const { query } = useLocation();
  const id = query.get("id");
  return <div class="ops">{id ? <FaultDetail id={id} /> : <FaultList />}</div>;
}

function FaultList() {
  const { query } = useLocation();
  const [state, setState] = useState<StateFilter>(
    (STATES as string[]).includes(query.get("state") ?? "") ? (query.get("state") as StateFilter) : "open",
  );
  const [severity, setSeverity] = useState<string>(query.get("severity") ?? "");
  const [target, setTarget] = useState<string>(query.get("target") ?? "");
  const params = new URLSearchParams();
  if (state === "open" || state === "acknowledged") params.set("state", "open");
  if (state === "resolved") params.set("state", "resolved");
  if (target) params.set("target", target);
  const qs = params.toString();
  const { data, error, reload } = useApi<{ faults: Fault[] }>(`/api/v1/faults${qs ? `?${qs}` : ""}`, [
    "faults",
  ]);
  const targets = useApi<{ targets: { id: string; name: string }[] }>("/api/v1/targets");
  const now = useNow();
  const nameOf = (id: string) => targets.data?.targets.find((x) => x.id === id)?.name ?? id;
  const rank = (f: Fault) => ({ open: 0, acknowledged: 1, resolved: 2 })[stateOf(f)];
  const shown = (data?.faults ?? [])
    .filter((f) => state === "all" || state === "resolved" || stateOf(f) === state)
    .filter((f) => !severity || f.severity === severity)
    .sort((a, b) => rank(a) - rank(b) || a.severity.localeCompare(b.severity) || b.opened_at - a.opened_at);

  return (
    <>
      <h1>{t("faults.title")}</h1>
      <form class="card filters" aria-label={t("faults.filter")} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("faults.filter.state")}
          <select value={state} onChange={(e) => setState(e.currentTarget.value as StateFilter)}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s === "all" ? t("faults.filter.all") : t(`faults.state.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("faults.filter.severity")}
          <select value={severity} onChange={(e) => setSeverity(e.currentTarget.value)}>
            <option value="">{t("faults.filter.all")}</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("faults.filter.target")}
          <select value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value="">{t("faults.filter.all")}</option>
            {(targets.data?.targets ?? []).map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && (
        <p class="error" role="alert">
          {t("common.error", { message: error.message })}{" "}
          <button type="button" class="secondary" onClick={reload}>
            {t("common.retry")}
          </button>
        </p>
      )}
      {!data && !error && <p class="loading">{t("common.loading")}</p>}
      {data && (
        <p class="muted" aria-live="polite">
          {t("faults.count", { n: shown.length })}
        </p>
      )}
      {data && shown.length === 0 && <p class="card muted">{t("faults.empty")}</p>}
      <ul class="fault-list">
        {shown.map((f) => (
          <li key={f.id} class={`card fault fault-${stateOf(f)}`}>
            <div class="row">
              <Severity s={f.severity} />
              <StateBadge f={f} />
              <span class="muted">#{f.id}</span>
            </div>
            <h2 class="fault-title">
              <a class="fault-link" href={`/console/faults?id=${encodeURIComponent(f.id)}`}>
                {nameOf(f.target)} · {titleWithoutTarget(f.title, nameOf(f.target))}
              </a>
            </h2>
            <p class="muted">{t("faults.opened", { time: fmt.dateTime(f.opened_at) })}</p>
            {f.status === "open" && (
              <>
                <Deadlines f={f} now={now} />
              </>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function eventLabel(e: FaultEvent): string {
  if (e.type === "escalated") return t("faults.ev.escalated", { severity: e.severity });
  return t(`faults.ev.${e.type}`);
}

function FaultDetail(props: { id: string }) {
  const me = useSession();
  const path = `/api/v1/faults/${encodeURIComponent(props.id)}`;
  const { data: f, error, reload } = useApi<Fault>(path, ["faults"]);
  const targets = useApi<{ targets: { id: string; name: string }[] }>("/api/v1/targets");
  const now = useNow();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();

  const act = async (action: "ack" | "resolve" | "reopen") => {
    if (!note.trim()) {
      setMsg({ ok: false, text: t("faults.note.required") });
      document.getElementById("fault-note")?.focus();
      return;
    }
    setBusy(true);
    setMsg(undefined);
    try {
      await api.post<Fault>(`${path}/${action}`, { note: note.trim() });
      setNote("");
      setMsg({ ok: true, text: t(`faults.done.${action}`) });
      reload();
    } catch (e) {
      setMsg({ ok: false, text: t("faults.failed", { message: (e as Error).message }) });
    } finally {
      setBusy(false);
    }
  };

  const back = (
    <p>
      <a href="/console/faults">← {t("faults.back")}</a>
    </p>
  );
  if (error)
    return (
      <>
        {back}
        <p class="error" role="alert">
          {(error as { status?: number }).status === 404
            ? t("faults.notfound", { id: props.id })
            : t("common.error", { message: error.message })}
        </p>
      </>
    );
  if (!f) return <p class="loading">{t("common.loading")}</p>;
  const name = targets.data?.targets.find((x) => x.id === f.target)?.name ?? f.target;
  const operator = can(me, "operator");
  return (
    <>
      {back}
      <h1>
        {t("faults.detail", { id: f.id })} · {name}
      </h1>
      <section class="card" aria-labelledby="fault-summary">
        <div class="row">
          <Severity s={f.severity} />
          <StateBadge f={f} />
          <span class="muted">{t(`faults.source.${f.source}`)}</span>
        </div>
        <h2 id="fault-summary" class="fault-title">
          {f.title}
        </h2>
        <p class="muted">
          {t("faults.opened", { time: fmt.dateTime(f.opened_at) })} · {t("faults.cause", { cause: f.cause })}
        </p>
        <Deadlines f={f} now={now} />
        {f.acknowledged && (
          <p class="ack-by">
            {t("faults.ack_by", { actor: f.acknowledged.actor, time: fmt.dateTime(f.acknowledged.at) })}
          </p>
        )}
        {f.recovered_at !== null && <p>{t("faults.recovered", { time: fmt.dateTime(f.recovered_at) })}</p>}
        {f.resolved_at !== null && <p>{t("faults.resolved_at", { time: fmt.dateTime(f.resolved_at) })}</p>}
      </section>

      {operator ? (
        <section class="card" aria-labelledby="fault-actions">
          <h2 id="fault-actions">{t("faults.actions")}</h2>
          <form onSubmit={(e) => e.preventDefault()}>
            <label for="fault-note">{t("faults.note")}</label>
            <textarea
              id="fault-note"
              rows={3}
              maxLength={2000}
              value={note}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
            <div class="row actions">
              {f.status === "open" && awaitingAck(f) && (
                <button type="button" class="big" disabled={busy} onClick={() => void act("ack")}>
                  {t("faults.do.ack")}
                </button>
              )}
              {f.status === "open" && (
                <button
                  type="button"
                  class={awaitingAck(f) ? "big secondary" : "big"}
                  disabled={busy}
                  onClick={() => void act("resolve")}
                >
                  {t("faults.do.resolve")}
                </button>
              )}
              {f.status === "resolved" && (
                <button
                  type="button"
                  class="big secondary"
                  disabled={busy}
                  onClick={() => void act("reopen")}
                >
                  {t("faults.do.reopen")}
                </button>
              )}
            </div>
          </form>
          <p role="status" class={msg?.ok === false ? "error" : "ok"}>
            {msg?.text ?? ""}
          </p>
        </section>
      ) : (
        <p class="muted">{t("faults.viewer")}</p>
      )}

      <section class="card" aria-labelledby="fault-history">
        <h2 id="fault-history">{t("faults.history")}</h2>
        <ol class="history">
          {f.history.map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <span class="history-time">{fmt.dateTime(e.at)}</span> <strong>{eventLabel(e)}</strong>{" "}
              <span class="history-actor">{"actor" in e && e.actor ? e.actor : t("faults.ev.system")}</span>
              {"note" in e && e.note && <p class="history-note">{e.note}</p>}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
