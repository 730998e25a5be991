import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { fmt } from "../format.js";
import { type MessageKey, t, useLocale } from "../i18n/index.js";
import { useLocation } from "../router.js";
import { useApi } from "../use-api.js";
import "./views.css";
import { Table } from "../components/table.js";

// GET /api/v1/targets and /api/v1/targets/:id/results (server/api.ts); value names: docs/http.md and
// docs/snmp.md.
type State = "up" | "down" | "unknown";
type Values = Record<string, number | string | boolean>;
export interface Result {
  agent: string;
  seq: number;
  target: string;
  check: string;
  kind: string;
  ts: number;
  duration_ms: number;
  ok: boolean;
  error?: string;
  values: Values;
}
interface CheckView {
  id: string;
  kind: string;
  state: State;
  agents: { agent: string; fresh: boolean; last: Result }[];
}
export interface TargetView {
  id: string;
  name: string;
  group: string;
  state: State;
  checks: CheckView[];
}
interface ResultsPage {
  results: Result[];
  next_cursor: string | null;
}

/** Minutes of results the detail shows, and the most rows. */
const WINDOW_MIN = 15;
const MAX_ROWS = 100;
/** Readings (UPS charge, traffic) change without a state change, which is all the live feed reports. */
const POLL_MS = 10_000;

/** A timestamp that moves every `ms` while the page is visible: paths built on it refetch. */
export function useTick(ms: number): number {
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const i = setInterval(() => {
      if (!document.hidden) setTick(Date.now());
    }, ms);
    return () => clearInterval(i);
  }, [ms]);
  return tick;
}

export function StateChip(props: { state: State }) {
  return <span class={`state ${props.state}`}>{t(`state.${props.state}`)}</span>;
}

const ms = (n: number) => t("targets.ms", { n: fmt.number(n, n < 10 ? 1 : 0) });

export function TargetsPage() {
  useLocale();
  const { query } = useLocation();
  const id = query.get("id");
  const tick = useTick(POLL_MS);
  const targets = useApi<{ targets: TargetView[] }>("/api/v1/targets", ["targets"]);
  useEffect(() => targets.reload(), [tick]);
  if (targets.error && !targets.data)
    return <p class="error">{t("common.error", { message: targets.error.message })}</p>;
  if (!targets.data) return <p class="loading">{t("common.loading")}</p>;
  if (id) {
    const target = targets.data.targets.find((x) => x.id === id);
    return target ? (
      <TargetDetail target={target} tick={tick} />
    ) : (
      <>
        <p class="error">{t("targets.notfound", { id })}</p>
        <a href="/console/targets">{t("targets.back")}</a>
      </>
    );
  }
  return <TargetList targets={targets.data.targets} live={targets.live} />;
}

function TargetList(props: { targets: TargetView[]; live: boolean }) {
  const groups = new Map<string, TargetView[]>();
  for (const x of props.targets) groups.set(x.group, [...(groups.get(x.group) ?? []), x]);
  return (
    <>
      <div class="row">
        <h1 class="grow">{t("targets.title")}</h1>
        {!props.live && <span class="muted">{t("common.offline")}</span>}
      </div>
      {props.targets.length === 0 && <p class="muted">{t("targets.empty")}</p>}
      {[...groups].map(([group, list]) => (
        <section class="card" key={group} aria-labelledby={`g-${group}`}>
          <h2 id={`g-${group}`}>{t("targets.group", { group })}</h2>
          <ul class="plain target-list">
            {list.map((x) => (
              <li key={x.id} class="row">
                <StateChip state={x.state} />
                <a class="grow" href={`/console/targets?id=${encodeURIComponent(x.id)}`}>
                  {x.name}
                </a>
                <span class="muted">
                  {x.checks.map((c) => c.kind).join(" · ")} — {t("targets.checks", { n: x.checks.length })}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}

function TargetDetail(props: { target: TargetView; tick: number }) {
  const { target, tick } = props;
  const from = tick - WINDOW_MIN * 60_000;
  const results = useApi<ResultsPage>(
    `/api/v1/targets/${encodeURIComponent(target.id)}/results?from=${from}&limit=1000`,
    ["targets"],
  );
  const rows = results.data ? results.data.results.slice().reverse().slice(0, MAX_ROWS) : [];
  const phased = rows.map((r) => phasesOf(r.values));
  // Every bar on the same scale: the longest probe shown fills its cell.
  const longest = Math.max(0, ...phased.map((p) => (p ? phaseTotal(p) : 0)));
  return (
    <>
      <p>
        <a href="/console/targets">{t("targets.back")}</a>
      </p>
      <div class="row">
        <h1 class="grow">{target.name}</h1>
        <StateChip state={target.state} />
      </div>
      <p class="muted">{t("targets.group", { group: target.group })}</p>

      <section class="card">
        <h2>{t("targets.detail.checks")}</h2>
        <Table head={[t("targets.check"), t("targets.kind"), t("targets.state"), t("targets.agents")]}>
          {target.checks.map((c) => (
            <tr key={c.id}>
              <td>{c.id}</td>
              <td>{c.kind}</td>
              <td>
                <StateChip state={c.state} />
              </td>
              <td>
                {c.agents.length === 0 && <span class="muted">{t("targets.noagent")}</span>}
                <ul class="plain">
                  {c.agents.map((a) => (
                    <li key={a.agent} class="agent-fresh">
                      <strong>{a.agent}</strong>{" "}
                      <span class={`chip ${a.fresh ? "good" : "warn"}`}>
                        {t(a.fresh ? "targets.fresh" : "targets.stale")}
                      </span>{" "}
                      <span class={a.last.ok ? "ok-text" : "error"}>
                        {t(a.last.ok ? "targets.ok" : "targets.failed")}
                      </span>{" "}
                      <span class="muted">{t("targets.last", { time: fmt.dateTime(a.last.ts) })}</span>
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </Table>
      </section>

      {target.checks.map((c) => (
        <Readings key={c.id} check={c} />
      ))}

      <section class="card" aria-labelledby="recent">
        <h2 id="recent">{t("targets.results")}</h2>
        <p class="muted">{t("targets.results.window", { n: WINDOW_MIN, max: MAX_ROWS })}</p>
        {results.error && <p class="error">{t("common.error", { message: results.error.message })}</p>}
        {results.data && rows.length === 0 && <p class="muted">{t("targets.results.none")}</p>}
        {results.data?.next_cursor && <p class="muted">{t("targets.results.more")}</p>}
        {longest > 0 && <PhaseLegend />}
        {rows.length > 0 && (
          <Table
            class="results"
            head={[
              t("targets.time"),
              t("targets.agent"),
              t("targets.check"),
              t("targets.outcome"),
              t("targets.duration"),
              longest > 0 && t("targets.phases"),
              t("targets.error"),
            ]}
          >
            {rows.map((r, i) => {
              const phases = phased[i];
              return (
                <tr key={`${r.agent}/${r.seq}`}>
                  <td class="nowrap">{fmt.time(r.ts)}</td>
                  <td>{r.agent}</td>
                  <td>{r.check}</td>
                  <td class={r.ok ? "ok-text" : "error"}>{t(r.ok ? "targets.ok" : "targets.failed")}</td>
                  <td class="nowrap num">{ms(r.duration_ms)}</td>
                  {longest > 0 && (
                    <td class="phase-cell">{phases && <PhaseBar phases={phases} scale={longest} />}</td>
                  )}
                  <td>{r.error ?? ""}</td>
                </tr>
              );
            })}
          </Table>
        )}
      </section>
    </>
  );
}

// ── HTTP phases ─────────────────────────────────────────────────────────────────────────────────────────
const PHASES = ["dns", "connect", "tls", "processing", "transfer"] as const;
type Phase = (typeof PHASES)[number];

/** http.phase.<phase>_ms values of a result, or undefined when it has none (not an HTTP probe). */
export function phasesOf(v: Values): Record<Phase, number> | undefined {
  if (!PHASES.some((p) => typeof v[`http.phase.${p}_ms`] === "number")) return undefined;
  const out = {} as Record<Phase, number>;
  for (const p of PHASES) {
    const n = v[`http.phase.${p}_ms`];
    out[p] = typeof n === "number" && n > 0 ? n : 0;
  }
  return out;
}

const phaseName = (p: Phase) => t(`targets.phase.${p}` as MessageKey);

function PhaseLegend() {
  return (
    <ul class="plain legend" aria-hidden="true">
      {PHASES.map((p) => (
        <li key={p}>
          <span class={`swatch ph-${p}`} /> {phaseName(p)}
        </li>
      ))}
    </ul>
  );
}

const phaseTotal = (p: Record<Phase, number>) => PHASES.reduce((s, ph) => s + p[ph], 0);

/**
 * The five phases as one stacked bar, `scale` ms wide (default their sum: the bar is full); the numbers
 * are in its label.
 */
function PhaseBar(props: { phases: Record<Phase, number>; scale?: number }) {
  const total = props.scale ?? phaseTotal(props.phases);
  const label = t("targets.phases.label", {
    list: PHASES.map((p) => `${phaseName(p)} ${ms(props.phases[p])}`).join(", "),
  });
  return (
    <span class="phasebar" role="img" aria-label={label} title={label}>
      {total > 0 &&
        PHASES.filter((p) => props.phases[p] > 0).map((p) => (
          <span key={p} class={`ph-${p}`} style={{ width: `${(props.phases[p] / total) * 100}%` }} />
        ))}
    </span>
  );
}

// ── the latest readings of a check: HTTP phases, UPS, firewall interfaces ─────────────────────────────
function Readings(props: { check: CheckView }) {
  const c = props.check;
  // The newest result any agent sent for the check.
  const last = c.agents.map((a) => a.last).sort((a, b) => b.ts - a.ts)[0];
  if (!last) return null;
  const v = last.values;
  const phases = phasesOf(v);
  const ups = "ups.status" in v || "battery.charge" in v;
  const ifs = interfacesOf(v);
  const device = ["fw.cpu_percent", "fw.mem_percent", "sys.uptime_seconds"].some((k) => k in v);
  if (!phases && !ups && ifs.length === 0) return null;
  const from = <p class="muted">{t("targets.from", { agent: last.agent, time: fmt.dateTime(last.ts) })}</p>;
  return (
    <>
      {phases && (
        <section class="card phases-card">
          <h2>{t("targets.phases.title", { check: c.id })}</h2>
          {from}
          <ul class="plain agent-phases">
            {c.agents.map((a) => {
              const p = phasesOf(a.last.values);
              return (
                p && (
                  <li key={a.agent}>
                    <div class="row">
                      <strong>{a.agent}</strong>
                      <span class="muted">{ms(a.last.duration_ms)}</span>
                    </div>
                    <PhaseBar phases={p} />
                    <dl class="readings compact">
                      {PHASES.map((ph) => (
                        <div key={ph} data-phase={ph}>
                          <dt>
                            <span class={`swatch ph-${ph}`} /> {phaseName(ph)}
                          </dt>
                          <dd>{ms(p[ph])}</dd>
                        </div>
                      ))}
                    </dl>
                  </li>
                )
              );
            })}
          </ul>
        </section>
      )}
      {ups && <UpsReadings check={c.id} values={v} from={from} />}
      {ifs.length > 0 && (
        <section class="card interfaces">
          <h2>{t("targets.if.title", { check: c.id })}</h2>
          {from}
          {device && <DeviceLine values={v} />}
          <Table
            head={[t("targets.if.name"), t("targets.if.status"), t("targets.if.in"), t("targets.if.out")]}
          >
            {ifs.map((i) => (
              <tr key={i.name} data-interface={i.name}>
                <td>{i.name}</td>
                <td>
                  <IfStatus status={i.status} />
                </td>
                <td class="num">{bps(i.inBps)}</td>
                <td class="num">{bps(i.outBps)}</td>
              </tr>
            ))}
          </Table>
        </section>
      )}
    </>
  );
}

const TOKENS = ["OL", "OB", "LB", "BYPASS", "OFF", "OVER", "TRIM", "BOOST", "RB"];
const BAD_TOKENS = new Set(["OB", "LB", "OFF", "OVER", "RB"]);
const WARN_TOKENS = new Set(["BYPASS", "TRIM", "BOOST"]);

function UpsReadings(props: { check: string; values: Values; from: ComponentChildren }) {
  const v = props.values;
  const num = (k: string) => (typeof v[k] === "number" ? (v[k] as number) : undefined);
  const tokens =
    typeof v["ups.status"] === "string" ? (v["ups.status"] as string).split(/\s+/).filter(Boolean) : [];
  const alarms = typeof v["ups.alarms"] === "string" ? (v["ups.alarms"] as string) : "";
  const item = (key: MessageKey, value: string | undefined, name: string) =>
    value !== undefined && (
      <div data-reading={name}>
        <dt>{t(key)}</dt>
        <dd>{value}</dd>
      </div>
    );
  const pct = (n: number | undefined) => (n === undefined ? undefined : fmt.percent(n / 100, 0));
  const volts = (n: number | undefined) => (n === undefined ? undefined : `${fmt.number(n, 1)} V`);
  const runtime = num("battery.runtime");
  const onBattery = num("battery.seconds_on_battery");
  return (
    <section class="card ups">
      <h2>{t("targets.ups.title", { check: props.check })}</h2>
      {props.from}
      <div class="row tokens">
        <strong>{t("targets.ups.status")}</strong>
        {tokens.length === 0 && <span class="muted">{t("targets.ups.tokens.none")}</span>}
        {tokens.map((tok) => (
          <span
            key={tok}
            data-token={tok}
            class={`chip token ${BAD_TOKENS.has(tok) ? "bad" : WARN_TOKENS.has(tok) ? "warn" : "good"}`}
          >
            <b>{tok}</b>{" "}
            {t(TOKENS.includes(tok) ? (`targets.token.${tok}` as MessageKey) : "targets.token.other")}
          </span>
        ))}
      </div>
      <dl class="readings">
        {item("targets.ups.charge", pct(num("battery.charge")), "battery.charge")}
        {item(
          "targets.ups.runtime",
          runtime === undefined ? undefined : fmt.duration(runtime * 1000),
          "battery.runtime",
        )}
        {item("targets.ups.load", pct(num("ups.load")), "ups.load")}
        {item("targets.ups.input", volts(num("input.voltage")), "input.voltage")}
        {item("targets.ups.output", volts(num("output.voltage")), "output.voltage")}
        {onBattery !== undefined &&
          onBattery > 0 &&
          item("targets.ups.onbattery", fmt.duration(onBattery * 1000), "battery.seconds_on_battery")}
        {alarms && item("targets.ups.alarms", alarms, "ups.alarms")}
      </dl>
    </section>
  );
}

function DeviceLine(props: { values: Values }) {
  const v = props.values;
  const n = (k: string) => (typeof v[k] === "number" ? (v[k] as number) : undefined);
  const cpu = n("fw.cpu_percent");
  const mem = n("fw.mem_percent");
  const up = n("sys.uptime_seconds");
  return (
    <dl class="readings compact">
      {cpu !== undefined && (
        <div>
          <dt>{t("targets.device.cpu")}</dt>
          <dd>{fmt.percent(cpu / 100, 0)}</dd>
        </div>
      )}
      {mem !== undefined && (
        <div>
          <dt>{t("targets.device.mem")}</dt>
          <dd>{fmt.percent(mem / 100, 0)}</dd>
        </div>
      )}
      {up !== undefined && (
        <div>
          <dt>{t("targets.device.uptime")}</dt>
          <dd>{fmt.duration(up * 1000)}</dd>
        </div>
      )}
    </dl>
  );
}

interface Iface {
  name: string;
  status: number | undefined;
  inBps: number | undefined;
  outBps: number | undefined;
}

/** if.<name>.oper_status / in_bps / out_bps (docs/snmp.md), one row per designated interface. */
export function interfacesOf(v: Values): Iface[] {
  const byName = new Map<string, Iface>();
  for (const [k, val] of Object.entries(v)) {
    const m = /^if\.([a-z0-9_]+)\.(oper_status|in_bps|out_bps)$/.exec(k);
    if (!m || typeof val !== "number") continue;
    const name = m[1] as string;
    const i = byName.get(name) ?? { name, status: undefined, inBps: undefined, outBps: undefined };
    if (m[2] === "oper_status") i.status = val;
    else if (m[2] === "in_bps") i.inBps = val;
    else i.outBps = val;
    byName.set(name, i);
  }
  return [...byName.values()]; // in the check's order (the prober's)
}

function IfStatus(props: { status: number | undefined }) {
  const s = props.status;
  if (s === undefined) return <span class="muted">{t("targets.if.na")}</span>;
  const label = s >= 1 && s <= 7 ? t(`targets.if.s${s}` as MessageKey) : t("targets.if.other", { n: s });
  return <span class={`chip ${s === 1 ? "good" : s === 2 || s === 7 ? "bad" : "warn"}`}>{label}</span>;
}

/** Bits per second in the largest unit that keeps the number ≥ 1 (SI, as interface speeds are). */
function bps(n: number | undefined): string {
  if (n === undefined) return t("targets.if.na");
  const units = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
  let i = 0;
  let x = n;
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${fmt.number(x, x < 10 && i > 0 ? 2 : 1)} ${units[i]}`;
}
