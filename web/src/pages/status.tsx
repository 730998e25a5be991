import { useEffect, useState } from "preact/hooks";
import { Bars, BarsLegend, pct } from "../components/bars.js";
import { titleWithoutTarget } from "../components/fault-title.js";
import { Table } from "../components/table.js";
import { fmt } from "../format.js";
import { type MessageKey, t, useLocale } from "../i18n/index.js";
import type { Topic } from "../live.js";
import { useApi } from "../use-api.js";

// Shapes of GET /api/v1/status and /api/v1/status/history (server/status.ts).
type State = "up" | "down" | "unknown";
interface StatusView {
  site: { name: string; timezone: string };
  generated_at: number;
  overall: "up" | "partial" | "major" | "unknown";
  counts: { up: number; down: number; unknown: number; maintenance: number };
  groups: { id: string; targets: { id: string; name: string; state: State; maintenance: boolean }[] }[];
  maintenance: {
    id: string;
    reason: string;
    start: number;
    end: number;
    active: boolean;
    recurring: boolean;
    targets: string[];
    groups: string[];
  }[];
  incidents: {
    id: string;
    target: string;
    target_name: string;
    title: string;
    severity: string;
    since: number;
    acknowledged: boolean;
    recovered: boolean;
  }[];
}
interface HistoryView {
  generated_at: number;
  month: string;
  from: string;
  to: string;
  targets: {
    id: string;
    name: string;
    days: { date: string; ratio: number | null }[];
    ratio: number | null;
  }[];
  indicators: {
    id: string;
    unit: "ratio" | "seconds";
    value: number | null;
    objective: number;
    met: boolean | null;
  }[];
}

const TOPICS: readonly Topic[] = ["targets", "faults", "maintenance"];

/** Re-renders every `ms` (durations such as "for 12 min" keep counting between updates). */
function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

function StateChip(props: { state: State; maintenance: boolean }) {
  if (props.maintenance) return <span class="state maintenance">{t("status.state.maintenance")}</span>;
  return <span class={`state ${props.state}`}>{t(`state.${props.state}`)}</span>;
}

function indicatorValue(i: HistoryView["indicators"][number]): string {
  if (i.value === null) return t("status.ind.nodata");
  // A response time is +Inf (sent as the string "+Inf") while no operation has succeeded this month.
  if (typeof i.value !== "number" || !Number.isFinite(i.value)) return t("status.ind.noresponse");
  return i.unit === "seconds" ? t("status.ind.seconds", { n: fmt.number(i.value, 2) }) : pct(i.value);
}

function indicatorObjective(i: HistoryView["indicators"][number]): string {
  return i.unit === "seconds"
    ? t("status.ind.atmost", { v: t("status.ind.seconds", { n: fmt.number(i.objective, 2) }) })
    : t("status.ind.atleast", { v: pct(i.objective) });
}

export function StatusPage() {
  useLocale();
  const now = useTick(15_000);
  const status = useApi<StatusView>("/api/v1/status", TOPICS);
  const history = useApi<HistoryView>("/api/v1/status/history", TOPICS);
  const s = status.data;
  const h = history.data;
  const byTarget = new Map((h?.targets ?? []).map((x) => [x.id, x]));
  return (
    <div class="status-page">
      <div class="row status-head">
        <h1 class="grow">{t("status.title")}</h1>
        <span class={`live-dot ${status.live ? "on" : "off"}`} role="status">
          {status.live ? t("status.live") : t("status.offline")}
        </span>
      </div>
      {status.error && !s ? (
        <p class="error" role="alert">
          {t("common.error", { message: status.error.message })}
        </p>
      ) : null}
      {!s ? (
        <p class="loading">{t("common.loading")}</p>
      ) : (
        <>
          <section class={`banner ${s.overall}`} aria-live="polite" data-overall={s.overall}>
            <strong class="banner-title">{t(`status.overall.${s.overall}`)}</strong>
            <span>{t("status.counts", s.counts)}</span>
            <span class="banner-time">{t("status.updated", { time: fmt.dateTime(s.generated_at) })}</span>
          </section>

          <section aria-labelledby="st-incidents">
            <h2 id="st-incidents">{t("status.incidents")}</h2>
            {s.incidents.length === 0 ? (
              <p class="muted">{t("status.incidents.none")}</p>
            ) : (
              <ul class="plain">
                {s.incidents.map((f) => (
                  <li key={f.id} class={`card incident ${f.severity}`}>
                    <div class="row">
                      <strong class="grow">
                        {t("status.incident.title", {
                          target: f.target_name,
                          title: titleWithoutTarget(f.title, f.target_name),
                        })}
                      </strong>
                      <span class="sev">{t("status.incident.severity", { severity: f.severity })}</span>
                    </div>
                    <div>
                      {f.recovered
                        ? t("status.incident.recovered")
                        : f.acknowledged
                          ? t("status.incident.acknowledged")
                          : t("status.incident.waiting")}
                    </div>
                    <div class="muted">
                      {t("status.incident.since", {
                        time: fmt.dateTime(f.since),
                        duration: fmt.duration(Math.max(0, now - f.since)),
                      })}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section aria-labelledby="st-maint">
            <h2 id="st-maint">{t("status.maintenance")}</h2>
            {s.maintenance.length === 0 ? (
              <p class="muted">{t("status.maintenance.none")}</p>
            ) : (
              <ul class="plain">
                {s.maintenance.map((m) => (
                  <li key={m.id} class="card maint-item" data-window={m.id}>
                    <div class="row">
                      <strong class="grow">{m.reason}</strong>
                      <span class={`state ${m.active ? "maintenance" : "planned"}`}>
                        {m.active ? t("status.maintenance.active") : t("status.maintenance.planned")}
                      </span>
                    </div>
                    <div>
                      {m.recurring ? `${t("status.maintenance.recurring")} ` : ""}
                      {t("status.maintenance.when", {
                        start: fmt.dateTime(m.start),
                        end: fmt.dateTime(m.end),
                      })}
                    </div>
                    <div class="muted">
                      {t("status.maintenance.affects", {
                        targets: (m.targets.length ? m.targets : m.groups).join(t("status.list.sep")),
                      })}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section aria-labelledby="st-groups">
            <h2 id="st-groups">{t("status.groups")}</h2>
            <BarsLegend />
            {s.groups.map((g) => (
              <section key={g.id} class="card group" aria-label={t("status.group", { group: g.id })}>
                <h3 class="group-name">{g.id}</h3>
                <ul class="plain targets">
                  {g.targets.map((x) => {
                    const hist = byTarget.get(x.id);
                    return (
                      <li key={x.id} class="target" data-target={x.id}>
                        <div class="row">
                          <span class="grow target-name">{x.name}</span>
                          <span class="muted uptime">
                            {hist
                              ? hist.ratio === null
                                ? t("status.uptime90.none")
                                : t("status.uptime90", { value: pct(hist.ratio) })
                              : ""}
                          </span>
                          <StateChip state={x.state} maintenance={x.maintenance} />
                        </div>
                        {hist ? <Bars name={x.name} days={hist.days} /> : null}
                      </li>
                    );
                  })}
                </ul>
              </section>
            ))}
            {!h && !history.error ? <p class="muted">{t("status.history.loading")}</p> : null}
          </section>

          {h ? (
            <section aria-labelledby="st-ind">
              <h2 id="st-ind">{t("status.indicators")}</h2>
              <Table
                class="indicators"
                caption={t("status.indicators.caption", { month: h.month })}
                head={[
                  t("status.ind.name"),
                  t("status.ind.value"),
                  t("status.ind.objective"),
                  t("status.ind.result"),
                ]}
              >
                {h.indicators.map((i) => (
                  <tr key={i.id} data-indicator={i.id}>
                    <th scope="row">{t(`status.ind.${i.id}` as MessageKey)}</th>
                    <td>{indicatorValue(i)}</td>
                    <td>{indicatorObjective(i)}</td>
                    <td>
                      <span class={`met ${i.met === null ? "na" : i.met ? "yes" : "no"}`}>
                        {i.met === null
                          ? t("status.ind.nodata")
                          : i.met
                            ? t("status.ind.met")
                            : t("status.ind.notmet")}
                      </span>
                    </td>
                  </tr>
                ))}
              </Table>
            </section>
          ) : null}
        </>
      )}
    </div>
  );
}
