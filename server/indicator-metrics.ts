// Indicator figures on /metrics: month-to-date and rolling 30 days, refreshed in the background from
// the rollups (a scrape only reads the last computed values, it never scans raw results).
import { Gauge, Histogram, type Registry } from "prom-client";
import { judge, reduce } from "../engine/faults.js";
import { monthPeriod } from "../engine/zone.js";
import type { Logger } from "../lib/log.js";
import type { FaultService } from "./faults.js";
import type { IndicatorService, PeriodFigures } from "./indicators.js";

const WINDOWS = ["month", "30d"] as const;

export class IndicatorMetrics {
  private timer: NodeJS.Timeout | undefined;
  private readonly g;
  readonly responseSeconds: Histogram;
  readonly resolutionSeconds: Histogram;

  constructor(
    registry: Registry,
    private readonly service: IndicatorService,
    private readonly faults: FaultService,
    private readonly tz: string,
    private readonly log: Logger,
  ) {
    const gauge = (name: string, help: string, labelNames: string[]) =>
      new Gauge({ name, help, labelNames, registers: [registry] });
    this.g = {
      ratio: gauge("opswatch_indicator_ratio", "Per-target ratio of a time-based indicator", [
        "indicator",
        "target",
        "window",
      ]),
      value: gauge(
        "opswatch_indicator_value",
        "Group figure of an indicator (ratio; response_time: worst p95 in seconds)",
        ["indicator", "window"],
      ),
      objective: gauge(
        "opswatch_indicator_objective_ratio",
        "Objective of each indicator (response_time: limit in seconds)",
        ["indicator"],
      ),
      met: gauge("opswatch_indicator_met", "1 met, 0 not met; absent while n/a", ["indicator", "window"]),
      coverage: gauge("opswatch_indicator_coverage_ratio", "Known time / counted service time", [
        "indicator",
        "target",
        "window",
      ]),
      downtime: gauge("opswatch_indicator_downtime_seconds", "Unplanned downtime in the window", [
        "indicator",
        "target",
        "window",
      ]),
      p95: gauge("opswatch_response_time_p95_seconds", "p95 of synthetic operations (failed count as +Inf)", [
        "target",
        "window",
      ]),
      open: gauge("opswatch_faults_open", "Open faults by severity", ["severity"]),
      overdue: gauge(
        "opswatch_faults_overdue",
        "Open faults past a deadline: response (unacknowledged) or resolution",
        ["stage"],
      ),
      // A gauge, not a counter: the runs scheduled in the window by judgement, recomputed each refresh
      // (a run moves from pending to compliant / non_compliant when its day ends; the month restarts).
      inspections: gauge(
        "opswatch_inspection_runs",
        "Inspection runs scheduled in the window (missed included) by judgement: compliant, non_compliant, pending",
        ["result", "window"],
      ),
      inspectionItems: gauge(
        "opswatch_inspection_item_pass_ratio",
        "Passed ÷ items with a result, over the judged inspection runs of the window; absent while n/a",
        ["window"],
      ),
      computed: gauge(
        "opswatch_indicator_computed_timestamp_seconds",
        "When the indicator figures were last computed",
        [],
      ),
    };
    const buckets = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 432_000];
    this.responseSeconds = new Histogram({
      name: "opswatch_fault_response_seconds",
      help: "Opening to first acknowledgement",
      buckets,
      registers: [registry],
    });
    this.resolutionSeconds = new Histogram({
      name: "opswatch_fault_resolution_seconds",
      help: "Opening to resolution",
      buckets,
      registers: [registry],
    });
  }

  start(everyMs: number): void {
    const tick = () =>
      this.refresh(Date.now()).catch((e) => this.log.error({ err: e }, "indicator refresh failed"));
    void tick();
    this.timer = setInterval(tick, everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(now: number): Promise<void> {
    const month = new Intl.DateTimeFormat("en-CA", {
      timeZone: this.tz,
      year: "numeric",
      month: "2-digit",
    }).format(now);
    const periods = {
      month: monthPeriod(month.slice(0, 7), this.tz),
      "30d": { start: now - 30 * 86_400_000, end: now },
    };
    const figures = new Map<(typeof WINDOWS)[number], PeriodFigures>();
    for (const w of WINDOWS) figures.set(w, await this.service.compute(periods[w], now));
    for (const g of [this.g.ratio, this.g.value, this.g.met, this.g.coverage, this.g.downtime, this.g.p95])
      g.reset();
    this.g.inspectionItems.reset();
    for (const [window, f] of figures) {
      const runs = f.inspections;
      this.g.inspections.set({ result: "compliant", window }, runs.compliant);
      this.g.inspections.set({ result: "non_compliant", window }, runs.nonCompliant);
      this.g.inspections.set({ result: "pending", window }, runs.pending);
      if (runs.items.share !== null) this.g.inspectionItems.set({ window }, runs.items.share);
    }
    for (const [window, f] of figures)
      for (const ind of f.indicators) {
        const rt = ind.id === "response_time";
        this.g.objective.set({ indicator: ind.id }, rt ? ind.objective / 1000 : ind.objective);
        if (ind.value !== null)
          this.g.value.set({ indicator: ind.id, window }, rt ? ind.value / 1000 : ind.value);
        if (ind.met !== null) this.g.met.set({ indicator: ind.id, window }, ind.met ? 1 : 0);
        for (const t of ind.targets) {
          const labels = { indicator: ind.id, target: t.target, window };
          if (t.responseTime?.p95 != null)
            this.g.p95.set({ target: t.target, window }, t.responseTime.p95 / 1000);
          if (rt) continue;
          if (t.availability.ratio !== null) this.g.ratio.set(labels, t.availability.ratio);
          if (t.availability.coverage !== null) this.g.coverage.set(labels, t.availability.coverage);
          this.g.downtime.set(labels, t.availability.down / 1000);
        }
      }
    await this.refreshFaults(now);
    this.g.computed.set(now / 1000);
  }

  private async refreshFaults(now: number): Promise<void> {
    const open = await this.faults.list({ open: true, limit: 100_000 });
    this.g.open.reset();
    for (const s of ["P1", "P2", "P3", "P4"]) this.g.open.set({ severity: s }, 0);
    let response = 0;
    let resolution = 0;
    for (const f of open) {
      const state = reduce(f);
      this.g.open.inc({ severity: state.severity });
      let j: ReturnType<typeof judge>;
      try {
        j = judge(f, now, this.faults.clock);
      } catch (e) {
        // A deadline in a year without calendar data; the calendar coverage gauge says which.
        this.log.error({ fault: f.id, err: (e as Error).message }, "fault deadline cannot be computed");
        continue;
      }
      if (j.response === "missed" && !state.acknowledged) response++;
      if (j.completion === "missed") resolution++;
    }
    this.g.overdue.set({ stage: "response" }, response);
    this.g.overdue.set({ stage: "resolution" }, resolution);
  }
}
