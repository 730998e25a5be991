import { useState } from "preact/hooks";
import { fmt } from "../format.js";
import { getLocale, type MessageKey, t, useLocale } from "../i18n/index.js";
import { useApi } from "../use-api.js";
import "./views.css";
import { Table } from "../components/table.js";

// GET /api/v1/reports (server/routes/reports.ts: any month, formats of server/report/formats.ts) and
// GET /api/v1/indicators (server/routes/indicators.ts → IndicatorService.compute, month to date).
const FORMATS = ["html", "xlsx", "csv", "json", "md"] as const;
type Format = (typeof FORMATS)[number];
const SECTIONS = [
  "indicators",
  "targets",
  "outages",
  "faults",
  "fault-events",
  "fault-severities",
  "inspections",
  "events",
  "maintenance",
  "coverage",
  "parameters",
] as const;

/** "+Inf": a failed operation's response time (sendJson spells Infinity out). */
type Num = number | "+Inf" | null;
interface TargetFigures {
  target: string;
  name: string;
  group: string;
  availability: { ratio: number | null; coverage: number | null };
  met: boolean | null;
  lowCoverage: boolean;
  responseTime?: { n: number; p95: Num; met: boolean | null };
}
interface IndicatorFigures {
  id: string;
  objective: number;
  value: Num;
  met: boolean | null;
  targets: TargetFigures[];
}
interface Rate {
  met: number;
  missed: number;
  pending: number;
  ratio: number | null;
}
interface PeriodFigures {
  period: { start: number; end: number };
  computedAt: number;
  indicators: IndicatorFigures[];
  faults: { response: Rate; completion: Rate; mttaMs: number | null; mttrMs: number | null };
  inspections: { scheduled: number; compliant: number; nonCompliant: number; pending: number };
}

/** "YYYY-MM" of now in the site zone, and of the month before it. */
function months(now: number): { current: string; last: string } {
  const [y, m] = fmt.isoDate(now).split("-").map(Number) as [number, number];
  const pad = (n: number) => String(n).padStart(2, "0");
  return { current: `${y}-${pad(m)}`, last: m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}` };
}

export function reportUrl(month: string, format: Format, lang: string, section?: string): string {
  const q = new URLSearchParams({ month, format, lang });
  if (format === "csv" && section) q.set("section", section);
  return `/api/v1/reports?${q}`;
}

export function ReportsPage() {
  useLocale();
  const { current, last } = months(Date.now());
  const [month, setMonth] = useState(last);
  const [format, setFormat] = useState<Format>("html");
  const [lang, setLang] = useState<string>(getLocale());
  const [section, setSection] = useState<string>("indicators");
  const valid = /^\d{4}-(0[1-9]|1[0-2])$/.test(month) && month <= current;
  return (
    <>
      <h1>{t("reports.title")}</h1>
      <section class="card report-form">
        <p class="muted">{t("reports.hint")}</p>
        <div class="form-grid">
          <label>
            {t("reports.month")}
            <input
              type="month"
              name="month"
              value={month}
              max={current}
              required
              onInput={(e) => setMonth((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <label>
            {t("reports.format")}
            <select
              name="format"
              value={format}
              onChange={(e) => setFormat((e.currentTarget as HTMLSelectElement).value as Format)}
            >
              {FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t(`reports.format.${f}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("reports.lang")}
            <select
              name="lang"
              value={lang}
              onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value)}
            >
              <option value="zh-CN">{t("reports.lang.zh")}</option>
              <option value="en">{t("reports.lang.en")}</option>
            </select>
          </label>
          {format === "csv" && (
            <label>
              {t("reports.section")}
              <select
                name="section"
                value={section}
                onChange={(e) => setSection((e.currentTarget as HTMLSelectElement).value)}
              >
                {SECTIONS.map((s) => (
                  <option key={s} value={s}>
                    {t(`reports.section.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        {valid ? (
          // A plain link: the browser downloads with the session cookie (a GET needs no CSRF token).
          <a class="button" href={reportUrl(month, format, lang, section)} download="">
            {t("reports.download")}
          </a>
        ) : (
          <span class="button disabled" aria-disabled="true">
            {t("reports.download")}
          </span>
        )}
      </section>
      <Indicators />
    </>
  );
}

const indName = (id: string) =>
  KNOWN.has(id) ? t(`reports.ind.${id}` as MessageKey) : t("reports.ind.other", { id });
const KNOWN = new Set([
  "website_uptime",
  "response_time",
  "ups_power_stability",
  "room_power_stability",
  "firewall_stability",
  "fault_response_rate",
  "fault_completion_rate",
  "inspection_pass_rate",
]);

function Met(props: { met: boolean | null }) {
  const m = props.met;
  return (
    <span class={`chip ${m === null ? "" : m ? "good" : "bad"}`}>
      {t(m === null ? "reports.ind.na" : m ? "reports.ind.yes" : "reports.ind.no")}
    </span>
  );
}

/** Objective and actual of an indicator: response time in ms (at most), the others as ratios (at least). */
function show(id: string, v: Num, what: "objective" | "actual"): string {
  if (v === null) return t("reports.ind.nodata");
  const ms = id === "response_time";
  const s = v === "+Inf" ? "∞" : ms ? `${fmt.number(v)} ms` : fmt.percent(v);
  return what === "objective" ? t(ms ? "reports.ind.atmost" : "reports.ind.atleast", { v: s }) : s;
}

function Indicators() {
  const figs = useApi<PeriodFigures>("/api/v1/indicators", [
    "faults",
    "maintenance",
    "inspections",
    "targets",
  ]);
  const d = figs.data;
  return (
    <section class="card" aria-labelledby="ind-title">
      <h2 id="ind-title">{t("reports.ind.title")}</h2>
      {figs.error && !d && <p class="error">{t("common.error", { message: figs.error.message })}</p>}
      {!d && !figs.error && <p class="loading">{t("common.loading")}</p>}
      {d && (
        <>
          <p class="muted">
            {t("reports.ind.period", {
              from: fmt.dateTime(d.period.start),
              to: fmt.dateTime(d.period.end),
              at: fmt.time(d.computedAt),
            })}
          </p>
          <Table
            class="indicators"
            head={[
              t("reports.ind.name"),
              t("reports.ind.objective"),
              t("reports.ind.actual"),
              t("reports.ind.met"),
            ]}
          >
            {d.indicators.map((i) => (
              <tr key={i.id} data-indicator={i.id}>
                <th scope="row">{indName(i.id)}</th>
                <td class="num">{show(i.id, i.objective, "objective")}</td>
                <td class="num">{show(i.id, i.value, "actual")}</td>
                <td>
                  <Met met={i.met} />
                </td>
              </tr>
            ))}
          </Table>
          <h3>{t("reports.ind.pertarget")}</h3>
          <Table
            class="per-target"
            head={[
              t("reports.ind.name"),
              t("reports.ind.target"),
              t("reports.ind.actual"),
              t("reports.ind.coverage"),
              t("reports.ind.met"),
            ]}
          >
            {d.indicators.flatMap((i) =>
              i.targets.map((x) => {
                const rt = i.id === "response_time";
                const value = rt ? (x.responseTime?.p95 ?? null) : x.availability.ratio;
                return (
                  <tr key={`${i.id}/${x.target}`}>
                    <td>{indName(i.id)}</td>
                    <td>{x.name}</td>
                    <td class="num">{show(i.id, value, "actual")}</td>
                    <td class="num">
                      {x.availability.coverage === null ? "—" : fmt.percent(x.availability.coverage)}
                      {x.lowCoverage && (
                        <>
                          {" "}
                          <span class="chip warn">{t("reports.ind.lowcoverage")}</span>
                        </>
                      )}
                    </td>
                    <td>
                      <Met met={rt ? (x.responseTime?.met ?? null) : x.met} />
                    </td>
                  </tr>
                );
              }),
            )}
          </Table>
          <h3>{t("reports.faults.title")}</h3>
          <dl class="readings">
            <div>
              <dt>{t("reports.faults.mtta")}</dt>
              <dd>{d.faults.mttaMs === null ? "—" : fmt.duration(d.faults.mttaMs)}</dd>
            </div>
            <div>
              <dt>{t("reports.faults.mttr")}</dt>
              <dd>{d.faults.mttrMs === null ? "—" : fmt.duration(d.faults.mttrMs)}</dd>
            </div>
            <div>
              <dt>{t("reports.faults.pending")}</dt>
              <dd>{fmt.number(d.faults.completion.pending)}</dd>
            </div>
            <div>
              <dt>{t("reports.insp.scheduled")}</dt>
              <dd>
                {fmt.number(d.inspections.scheduled)}{" "}
                <span class="muted">
                  (
                  {t("reports.insp.compliant", {
                    n: d.inspections.compliant,
                    m: d.inspections.nonCompliant,
                    p: d.inspections.pending,
                  })}
                  )
                </span>
              </dd>
            </div>
          </dl>
        </>
      )}
    </section>
  );
}
