import { useEffect } from "preact/hooks";
import { fmt } from "../format.js";
import { t, useLocale } from "../i18n/index.js";
import { useApi } from "../use-api.js";
import { useTick } from "./targets.js";
import "./views.css";

// GET /api/v1/agents (server/routes/agents.ts).
interface AgentView {
  id: string;
  connected: boolean;
  version: string | null;
  last_seen: number | null;
  spool_depth: number | null;
  last_seq: number;
  clock_offset_ms: number | null;
  clock_ok: boolean | null;
}

/** Spool depth arrives with every batch, which the live feed does not announce: poll as well. */
const POLL_MS = 10_000;

/** ±1.2 s / ±350 ms */
function offset(ms: number): string {
  const sign = ms > 0 ? "+" : ms < 0 ? "−" : "±";
  const a = Math.abs(ms);
  return a >= 1000 ? `${sign}${fmt.number(a / 1000, 1)} s` : `${sign}${fmt.number(a)} ms`;
}

export function AgentsPage() {
  useLocale();
  const tick = useTick(POLL_MS);
  const agents = useApi<{ max_clock_offset_ms: number; agents: AgentView[] }>("/api/v1/agents", ["agents"]);
  useEffect(() => agents.reload(), [tick]);
  if (agents.error && !agents.data)
    return <p class="error">{t("common.error", { message: agents.error.message })}</p>;
  if (!agents.data) return <p class="loading">{t("common.loading")}</p>;
  const list = agents.data.agents;
  const limit = offset(agents.data.max_clock_offset_ms).replace(/^[+−±]/, "");
  const bad = list.filter((a) => a.clock_ok === false);
  const now = Date.now();
  return (
    <>
      <div class="row">
        <h1 class="grow">{t("agents.title")}</h1>
        {!agents.live && <span class="muted">{t("common.offline")}</span>}
      </div>
      <p class="muted">
        {t("agents.summary", { connected: list.filter((a) => a.connected).length, total: list.length })} ·{" "}
        {t("agents.clock.limit", { limit })}
      </p>
      {bad.length > 0 && (
        <p class="card warning" role="alert">
          {t("agents.clock.warn", { n: bad.length, limit })}
        </p>
      )}
      {list.length === 0 ? (
        <p class="muted">{t("agents.empty")}</p>
      ) : (
        <div class="table-wrap card">
          <table class="agents">
            <thead>
              <tr>
                <th scope="col">{t("agents.id")}</th>
                <th scope="col">{t("agents.connection")}</th>
                <th scope="col">{t("agents.lastseen")}</th>
                <th scope="col">{t("agents.version")}</th>
                <th scope="col">{t("agents.spool")}</th>
                <th scope="col">{t("agents.clock")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.id} data-agent={a.id}>
                  <th scope="row">{a.id}</th>
                  <td>
                    <span class={`chip ${a.connected ? "good" : "bad"}`}>
                      {t(a.connected ? "agents.connected" : "agents.disconnected")}
                    </span>
                  </td>
                  <td>
                    {a.last_seen === null ? (
                      <span class="muted">{t("agents.never")}</span>
                    ) : (
                      <>
                        <span class="nowrap">{fmt.dateTime(a.last_seen)}</span>
                        <br />
                        <span class="muted">
                          {t("agents.ago", { d: fmt.duration(Math.max(0, now - a.last_seen)) })}
                        </span>
                      </>
                    )}
                  </td>
                  <td>{a.version ?? "—"}</td>
                  <td class="num" data-spool>
                    {a.spool_depth === null ? "—" : t("agents.spool.value", { n: fmt.number(a.spool_depth) })}
                  </td>
                  <td>
                    {a.clock_offset_ms === null ? (
                      <span class="muted">{t("agents.clock.unknown")}</span>
                    ) : (
                      <>
                        <span class="nowrap">{offset(a.clock_offset_ms)}</span>{" "}
                        <span class={`chip ${a.clock_ok ? "good" : "bad"}`}>
                          {t(a.clock_ok ? "agents.clock.ok" : "agents.clock.bad")}
                        </span>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
