// Builds the monthly report model ONCE from the official figures (IndicatorService.compute) and the
// stores (faults with their history, maintenance windows, inspection runs). Every number a renderer
// prints is decided here; renderers only format (model.ts states the conventions).
import type { Config, Target } from "../../config/schema.js";
import type { WorkCalendar } from "../../engine/calendar.js";
import type { FaultClock } from "../../engine/faults.js";
import { occurrences } from "../../engine/maintenance.js";
import { type IndicatorSpec, inspectionKind } from "../../engine/mapping.js";
import type { Interval, Outage } from "../../engine/types.js";
import { localDate, localParts, offsetMs } from "../../engine/zone.js";
import { VERSION } from "../../lib/version.js";
import { faultView } from "../faults.js";
import type { IndicatorService, TargetFigures } from "../indicators.js";
import { existingFaults, runView } from "../inspections.js";
import type { AuditStore, FaultStore, InspectionStore, MaintenanceStore } from "../store/store.js";
import {
  IndicatorIdSchema,
  REPORT_VERSION,
  type ReportModel,
  type TargetIndicatorEntry,
  TimeIndicatorId,
} from "./model.js";

export interface ReportDeps {
  config: Config;
  specs: readonly IndicatorSpec[];
  indicators: Pick<IndicatorService, "compute">;
  faults: FaultStore;
  maintenance: MaintenanceStore;
  inspections: InspectionStore;
  faultClock: FaultClock;
  calendar: WorkCalendar;
  /** Display name of an inspection plan (config), if known. */
  planName?: (plan: string) => string | undefined;
  /** The audit log, for the method section's counts per action (absent: no counts). */
  audit?: Pick<AuditStore, "counts">;
}

export interface ReportRequest {
  period: Interval;
  /** Report time: figures up to min(period.end, now); pending faults and inspections as of now. */
  now: number;
  /** "YYYY-MM" when the period is that calendar month. */
  month?: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** ISO 8601 in the zone with its offset: 2026-11-01T00:00:00.000+08:00 (Z for UTC). */
export function isoLocal(ms: number, tz: string): string {
  const off = offsetMs(ms, tz);
  const wall = new Date(ms + off).toISOString().slice(0, 23);
  if (off === 0) return `${wall}Z`;
  const m = Math.round(Math.abs(off) / 60_000);
  return `${wall}${off < 0 ? "-" : "+"}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

const sec = (ms: number) => ms / 1000;
const inf = (v: number | null): number | "+Inf" | null => (v === Number.POSITIVE_INFINITY ? "+Inf" : v);

const EVENT_KIND = {
  ups_power_stability: "load_unpowered",
  room_power_stability: "mains_abnormal",
  firewall_stability: "firewall_unstable",
} as const;

export async function buildReport(req: ReportRequest & ReportDeps): Promise<ReportModel> {
  const { config, now } = req;
  const tz = config.site.timezone;
  const iso = (ms: number) => isoLocal(ms, tz);
  const figures = await req.indicators.compute(req.period, now);
  const measured = figures.period;
  const targetsById = new Map<string, Target>(config.targets.map((t) => [t.id, t]));
  const nameOf = (id: string) => targetsById.get(id)?.name ?? id;

  // ── per target, per time indicator ────────────────────────────────────────────────────────────────
  const perTarget = new Map<string, TargetIndicatorEntry[]>();
  const figuresOf: { indicator: string; f: TargetFigures }[] = [];
  for (const ind of figures.indicators) {
    const id = TimeIndicatorId.safeParse(ind.id);
    if (!id.success) continue;
    for (const f of ind.targets) {
      figuresOf.push({ indicator: id.data, f });
      const entry = targetIndicator(id.data, f, config, iso);
      perTarget.set(f.target, [...(perTarget.get(f.target) ?? []), entry]);
    }
  }
  const targets = config.targets
    .filter((t) => perTarget.has(t.id))
    .map((t) => ({
      id: t.id,
      name: t.name,
      group: t.group,
      kind: inspectionKind(t),
      indicators: perTarget.get(t.id) ?? [],
    }));

  // ── key indicators ────────────────────────────────────────────────────────────────────────────────
  const indicators = figures.indicators.flatMap((ind) => {
    const id = IndicatorIdSchema.safeParse(ind.id);
    if (!id.success) return [];
    const covs = ind.targets.map((t) => t.availability.coverage).filter((c): c is number => c !== null);
    const coverage = covs.length ? Math.min(...covs) : null;
    return [
      {
        id: id.data,
        unit: id.data === "response_time" ? ("ms" as const) : ("ratio" as const),
        objective: ind.objective,
        value: inf(ind.value),
        met: ind.met,
        pending: ind.met === null,
        coverage,
        lowCoverage: ind.targets.some((t) => t.lowCoverage),
        targets: ind.targets.map((t) => t.target),
      },
    ];
  });

  // ── faults opened in the period, with their whole history ─────────────────────────────────────────
  const records = await req.faults.list({ from: measured.start, to: measured.end, limit: 100_000 });
  const list = records
    .filter((r) => r.openedAt <= now)
    .map((r) => {
      const v = faultView(r, req.faultClock, now);
      const opened = v.history.find((e) => e.type === "opened");
      const openedSeverity = opened?.type === "opened" ? opened.severity : (v.severity as "P1");
      return {
        id: v.id,
        target: v.target,
        targetName: nameOf(v.target),
        cause: v.cause,
        title: v.title,
        source: v.source,
        openedSeverity,
        severity: v.severity,
        status: v.status,
        openedAt: iso(v.opened_at),
        openedAtMs: v.opened_at,
        respondBy: v.respond_by === null ? null : iso(v.respond_by),
        resolveBy: v.resolve_by === null ? null : iso(v.resolve_by),
        acknowledgedAt: v.acknowledged ? iso(v.acknowledged.at) : null,
        acknowledgedBy: v.acknowledged?.actor ?? null,
        resolvedAt: v.resolved_at === null ? null : iso(v.resolved_at),
        response: v.response,
        completion: v.completion,
        deadlineError: v.deadline_error ?? null,
        timeline: v.history.map((e) => ({
          type: e.type,
          at: iso(e.at),
          atMs: e.at,
          actor: "actor" in e && e.actor !== undefined ? e.actor : null,
          note: "note" in e ? e.note : null,
          severity: "severity" in e ? e.severity : null,
        })),
      } as ReportModel["faults"]["list"][number];
    })
    .sort((a, b) => a.openedAtMs - b.openedAtMs || Number(a.id) - Number(b.id));
  const rate = (outcomes: string[]) => {
    const met = outcomes.filter((o) => o === "met").length;
    const missed = outcomes.filter((o) => o === "missed").length;
    return {
      met,
      missed,
      pending: outcomes.length - met - missed,
      ratio: met + missed ? met / (met + missed) : null,
    };
  };
  const bySeverity = (["P1", "P2", "P3", "P4"] as const).map((severity) => {
    const of = list.filter((f) => f.openedSeverity === severity);
    return {
      severity,
      opened: of.length,
      response: rate(of.map((f) => f.response)),
      completion: rate(of.map((f) => f.completion)),
    };
  });

  // ── inspections ───────────────────────────────────────────────────────────────────────────────────
  const runs = await req.inspections.list({ from: measured.start, to: measured.end });
  const exists = await existingFaults(runs, req.faults);
  const runEntries = runs.map((run) => {
    const v = runView(run, now, tz, exists, req.planName?.(run.plan));
    return {
      id: v.id,
      plan: v.plan,
      planName: v.plan_name,
      scheduledAt: iso(v.scheduled_at),
      scheduledAtMs: v.scheduled_at,
      startedAt: v.started_at === null ? null : iso(v.started_at),
      status: v.status,
      missed: v.started_at === null,
      reasons: v.reasons,
      items: v.items.length,
      failedItems: v.items
        .filter((i) => i.result === "fail")
        .map((i) => ({
          target: i.target,
          item: i.item,
          label: i.label,
          detail: i.detail,
          note: i.note,
          faultId: i.fault_id,
        })),
    };
  });
  const ins = figures.inspections;

  // ── events: UPS unpowered / mains abnormal, firewall unstable spells ──────────────────────────────
  const events: ReportModel["events"] = { ups: [], firewall: [] };
  for (const { indicator, f } of figuresOf) {
    if (!(indicator in EVENT_KIND)) continue;
    const kind = EVENT_KIND[indicator as keyof typeof EVENT_KIND];
    for (const o of f.availability.outages) {
      const e = {
        target: f.target,
        targetName: f.name,
        indicator: indicator as keyof typeof EVENT_KIND,
        kind,
        start: iso(o.start),
        end: iso(o.end),
        startMs: o.start,
        endMs: o.end,
        rawStart: iso(o.rawStart),
        rawEnd: iso(o.rawEnd),
        seconds: sec(o.end - o.start),
      };
      (kind === "firewall_unstable" ? events.firewall : events.ups).push(e);
    }
  }
  events.ups.sort((a, b) => a.startMs - b.startMs);
  events.firewall.sort((a, b) => a.startMs - b.startMs);

  // ── maintenance: every window with occurrences in the period, and what each excluded ─────────────
  const maintenance = (await req.maintenance.all()).flatMap((m) => {
    const w = m.window;
    const occ = occurrences(w, req.period, tz);
    if (!occ.length) return [];
    return [
      {
        id: w.id,
        targets: w.targets ?? null,
        groups: w.groups ?? null,
        reason: w.reason,
        approvedBy: w.approvedBy,
        createdBy: m.createdBy,
        createdAt: iso(w.createdAt),
        createdAtMs: w.createdAt,
        cancelledAt: w.cancelledAt === undefined ? null : iso(w.cancelledAt),
        cancelledBy: m.cancelledBy ?? null,
        recurrence: w.recurrence
          ? { every: w.recurrence.every, at: w.recurrence.at, durationSeconds: sec(w.recurrence.duration) }
          : null,
        occurrences: occ.map((o) => {
          const excluded = figuresOf.flatMap(({ indicator, f }) =>
            f.exclusions
              .filter((x) => x.windowId === w.id && x.start === o.start)
              .map((x) => ({
                target: f.target,
                indicator: indicator as TargetIndicatorEntry["id"],
                seconds: sec(x.excludedMs),
              })),
          );
          return {
            start: iso(o.start),
            end: iso(o.end),
            startMs: o.start,
            endMs: o.end,
            planned: o.planned,
            late: !o.cancelled && !o.planned,
            cancelled: o.cancelled,
            excludedSeconds: excluded.reduce((s, x) => s + x.seconds, 0),
            excluded,
          };
        }),
      },
    ];
  });

  // ── coverage ──────────────────────────────────────────────────────────────────────────────────────
  const coverage = targets.flatMap((t) =>
    t.indicators.map((i) => ({
      target: t.id,
      name: t.name,
      indicator: i.id,
      unknownSeconds: i.unknownSeconds,
      coverage: i.coverage,
      lowCoverage: i.lowCoverage,
    })),
  );

  // ── empty: nothing measured at all ────────────────────────────────────────────────────────────────
  const noTimeData = figuresOf.every(
    ({ f }) =>
      f.availability.up + f.availability.down === 0 &&
      (f.responseTime?.n ?? 0) === 0 &&
      (f.website?.samples.total ?? 0) === 0,
  );
  const empty = noTimeData && list.length === 0 && ins.scheduled === 0;

  const start = localParts(req.period.start, tz);
  const firstYear = Number(localDate(req.period.start, tz).slice(0, 4));
  const lastYear = Number(localDate(Math.max(req.period.start, req.period.end - 1), tz).slice(0, 4));
  const years: number[] = [];
  for (let y = firstYear; y <= lastYear; y++) years.push(y);

  return {
    version: REPORT_VERSION,
    generatedAt: iso(now),
    generatedAtMs: now,
    site: { name: config.site.name, timezone: tz },
    title: { unit: config.site.name, year: start.year, month: req.month ? start.month : null },
    period: {
      from: iso(req.period.start),
      to: iso(req.period.end),
      fromMs: req.period.start,
      toMs: req.period.end,
      measuredTo: iso(measured.end),
      measuredToMs: measured.end,
      complete: measured.end >= req.period.end,
      timezone: tz,
      month: req.month ?? null,
    },
    empty,
    indicators,
    targets,
    faults: {
      opened: list.length,
      response: figures.faults.response,
      completion: figures.faults.completion,
      mttaSeconds: figures.faults.mttaMs === null ? null : sec(figures.faults.mttaMs),
      mttrSeconds: figures.faults.mttrMs === null ? null : sec(figures.faults.mttrMs),
      bySeverity,
      list,
    },
    inspections: {
      scheduled: ins.scheduled,
      compliant: ins.compliant,
      nonCompliant: ins.nonCompliant,
      pending: ins.pending,
      missed: runEntries.filter((r) => r.missed).length,
      ratio: ins.ratio,
      items: ins.items,
      runs: runEntries,
    },
    events,
    maintenance,
    coverage,
    parameters: {
      definitions: "docs/indicators.md",
      opswatchVersion: VERSION,
      timezone: tz,
      indicators: config.indicators as unknown as Record<string, Record<string, number | string>>,
      severities: config.severities,
      checks: req.specs.flatMap((s) =>
        s.checks.map((c) => ({
          target: s.target,
          indicator: s.indicator,
          via: c.via,
          combine: s.combine,
          check: c.id,
          confirm: c.confirm,
          holdSeconds: sec(c.hold),
        })),
      ),
      serviceTime: config.targets.map((t) =>
        t.service_time === "24x7"
          ? { target: t.id, days: "all" as const, hours: [] }
          : { target: t.id, days: t.service_time.days, hours: t.service_time.hours },
      ),
      audit: req.audit ? await req.audit.counts(measured.start, measured.end) : {},
      calendar: {
        overrideFile: config.calendar.override_file ?? null,
        years: years.map((year) => ({ year, covered: req.calendar.covers(year) })),
      },
    },
  };
}

function targetIndicator(
  id: TargetIndicatorEntry["id"],
  f: TargetFigures,
  config: Config,
  iso: (ms: number) => string,
): TargetIndicatorEntry {
  const a = f.availability;
  const outages = a.outages.map((o: Outage) => ({
    start: iso(o.start),
    end: iso(o.end),
    startMs: o.start,
    endMs: o.end,
    rawStart: iso(o.rawStart),
    rawEnd: iso(o.rawEnd),
    rawStartMs: o.rawStart,
    rawEndMs: o.rawEnd,
    seconds: sec(o.end - o.start),
  }));
  const entry: TargetIndicatorEntry = {
    id,
    met: f.met,
    availability: a.ratio,
    astSeconds: sec(a.ast),
    excludedSeconds: sec(a.excluded),
    countedSeconds: sec(a.ast - a.excluded),
    upSeconds: sec(a.up),
    downtimeSeconds: sec(a.down),
    unknownSeconds: sec(a.unknown),
    coverage: a.coverage,
    lowCoverage: f.lowCoverage,
    outages,
    outageCount: outages.length,
    longestOutageSeconds: Math.max(0, ...outages.map((o) => o.seconds)),
    flaps: a.flaps.map((x) => ({
      check: x.check,
      agent: x.agent,
      start: iso(x.start),
      end: iso(x.end),
      startMs: x.start,
      endMs: x.end,
      failures: x.failures,
    })),
    exclusions: f.exclusions.map((x) => ({
      windowId: x.windowId,
      start: iso(x.start),
      end: iso(x.end),
      startMs: x.start,
      endMs: x.end,
      planned: x.planned,
      cancelled: x.cancelled,
      excludedSeconds: sec(x.excludedMs),
    })),
    daily: f.daily.map((d) => ({ date: d.date, ratio: d.ratio })),
  };
  if (f.website) {
    const w = f.website;
    entry.website = {
      samples: w.samples,
      worstWeek: w.worstWeek
        ? {
            start: iso(w.worstWeek.start),
            end: iso(w.worstWeek.end),
            startMs: w.worstWeek.start,
            endMs: w.worstWeek.end,
            total: w.worstWeek.total,
            failed: w.worstWeek.failed,
            share: w.worstWeek.share,
            vetoShare: config.indicators.website_uptime.veto_share,
            veto: w.worstWeek.veto,
          }
        : null,
    };
  }
  if (f.responseTime) {
    const r = f.responseTime;
    const rt = config.indicators.response_time;
    entry.responseTime = {
      n: r.n,
      p50: inf(r.p50),
      p95: inf(r.p95),
      p99: inf(r.p99),
      max: inf(r.max),
      shareWithinLimit: r.shareWithinLimit,
      limitMs: rt.limit_ms,
      percentile: rt.percentile,
      met: r.met,
    };
  }
  return entry;
}
