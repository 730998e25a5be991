// Keeps the verdict rollups current as results are committed, and turns confirmed state changes into
// faults. The official figures are computed from the same rollups (server/indicators.ts).
import type { Indicators } from "../config/indicators.js";
import type { Target } from "../config/schema.js";
import type { CheckSpec, IndicatorSpec } from "../engine/mapping.js";
import { rebootBetween, type UptimeSample } from "../engine/reboots.js";
import { appendRun, encodeRuns } from "../engine/runs.js";
import { combineNow } from "../engine/timeline.js";
import type { Run, State, Verdict } from "../engine/types.js";
import { verdictOf } from "../engine/verdict.js";
import type { Logger } from "../lib/log.js";
import type { Result } from "../protocol/messages.js";
import type { FaultService } from "./faults.js";
import type { RunRow, StreamKey } from "./store/runs.js";
import type { RunStore, Store } from "./store/store.js";

interface StreamState {
  key: StreamKey;
  spec: IndicatorSpec;
  check: CheckSpec;
  /** The runs not yet saved, plus the last saved one (still growing). */
  runs: Run[];
  dirty: boolean;
  /** Failed results since the last success ("none" neither resets nor extends it). */
  failures: number;
  state: State;
  /** State streams: the newest sysUpTime seen, to find reboots as they happen. */
  uptime?: UptimeSample;
}

const MONITORING_LOST = "monitoring_lost";
const REBOOT = "device_reboot";
const LABEL: Record<string, string> = {
  [MONITORING_LOST]: "监控中断 monitoring lost",
  [REBOOT]: "设备重启 device rebooted",
  website_uptime: "网站不可访问 website down",
  ups_power_stability: "UPS 负载失电 load unpowered",
  room_power_stability: "市电异常 mains abnormal",
  firewall_stability: "防火墙不稳定 firewall unstable",
};

export class Evaluator {
  private readonly streams = new Map<string, StreamState>();
  private readonly bySpec = new Map<IndicatorSpec, StreamState[]>();
  /** (target, check) → the indicator specs that count it */
  private readonly byCheck = new Map<string, { spec: IndicatorSpec; check: CheckSpec }[]>();
  private readonly names = new Map<string, string>();
  private readonly mains: { nominalVoltage: number; tolerance: number };

  constructor(
    readonly specs: readonly IndicatorSpec[],
    targets: readonly Target[],
    params: Indicators,
    private readonly tz: string,
    private readonly runStore: RunStore,
    private readonly faults: FaultService,
    private readonly log: Logger,
    /** Told of every live sample's verdict (the SLI counters on /metrics). */
    private readonly onSample: (spec: IndicatorSpec, verdict: Verdict) => void = () => {},
  ) {
    for (const t of targets) this.names.set(t.id, t.name);
    const room = params.room_power_stability;
    this.mains = { nominalVoltage: room.nominal_voltage, tolerance: room.tolerance };
    for (const spec of specs)
      for (const check of spec.checks) {
        const k = `${spec.target}\0${check.source}`;
        this.byCheck.set(k, [...(this.byCheck.get(k) ?? []), { spec, check }]);
      }
  }

  /** Resumes from the saved rollups, then replays raw results committed after them (e.g. before a crash). */
  async init(store: Store): Promise<void> {
    for (const tail of await this.runStore.tails()) this.restore(tail);
    const targets = new Set(this.specs.map((s) => s.target));
    for (const target of targets) await this.replay(store, target);
    await this.flush();
    for (const a of await store.agents()) this.appliedSeq.set(a.agent, a.lastSeq);
  }

  /** Highest seq of each agent this server applied (or found committed at start). */
  private readonly appliedSeq = new Map<string, number>();

  /**
   * Several servers on one database (PostgreSQL): an agent that comes back after reporting to another
   * server finds this one's streams of it stale. Called at its hello: when the store's last seq is not
   * the one this server applied, the agent's streams are re-read from the stored rollups and its raw
   * results after them replayed. One server alone always matches, and pays nothing.
   */
  async reloadAgent(store: Store, agent: string, lastSeq: number): Promise<void> {
    if ((this.appliedSeq.get(agent) ?? 0) === lastSeq) return;
    await this.flush();
    const tails = (await this.runStore.tails()).filter((t) => t.agent === agent);
    for (const tail of tails) this.restore(tail);
    for (const target of new Set(tails.map((t) => t.target))) await this.replay(store, target, agent);
    await this.flush();
    this.appliedSeq.set(agent, Math.max(lastSeq, this.appliedSeq.get(agent) ?? 0));
    this.log.info({ agent, lastSeq, streams: tails.length }, "reloaded an agent's rollups from the store");
  }

  /** A stream resumes from its stored newest run (replacing what memory held of it). */
  private restore(tail: RunRow): void {
    const spec = this.specs.find((x) => x.target === tail.target && x.indicator === tail.indicator);
    const check = spec?.checks.find((c) => c.id === tail.check);
    if (!spec || !check) return; // no longer configured
    const s = this.stream(tail) ?? this.create(tail, spec, check);
    s.runs = [pick(tail)];
    s.dirty = false;
    s.failures = tail.verdict === "fail" ? tail.count : 0;
    s.state = stateOf(tail.verdict, s.failures, s.check.confirm);
  }

  /** Replays a target's raw results from its oldest stream tail on (of one agent's streams, if given). */
  private async replay(store: Store, target: string, agent?: string): Promise<void> {
    const lasts = [...this.streams.values()]
      .filter((s) => s.key.target === target && (agent === undefined || s.key.agent === agent))
      .map((s) => s.runs.at(-1)?.last ?? 0);
    const from = lasts.length ? Math.min(...lasts) : 0;
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await store.results({ target, from, to: Number.MAX_SAFE_INTEGER, limit: 1000, cursor });
      await this.apply(
        agent === undefined ? page.items : page.items.filter((r) => r.agent === agent),
        "replay",
      );
      cursor = page.next;
    }
  }

  /**
   * Feeds committed results. "live" opens and updates faults on confirmed changes; "replay" (catching
   * up after a restart) and "import" (backfill) don't. A result older than its stream's newest one is
   * skipped on replay (already rolled up) and marks the stream for re-encoding otherwise.
   */
  async apply(results: readonly Result[], mode: "live" | "replay" | "import" = "live"): Promise<void> {
    const detect = mode === "live";
    const rebuild = new Map<string, number>();
    for (const r of results) {
      if (detect && r.seq > (this.appliedSeq.get(r.agent) ?? 0)) this.appliedSeq.set(r.agent, r.seq);
      if (r.kind === "trap") continue; // trap events never count toward an indicator
      for (const { spec, check } of this.byCheck.get(`${r.target}\0${r.check}`) ?? []) {
        const key = { target: r.target, indicator: spec.indicator, check: check.id, agent: r.agent };
        const s = this.stream(key) ?? this.create(key, spec, check);
        const verdict = verdictOf(r, check.via, this.mains);
        if (check.role === "state") await this.watchUptime(s, r, detect);
        // A replay after restart starts at the oldest stream's tail: the others already hold those.
        if (mode === "replay" && r.ts < (s.runs.at(-1)?.last ?? 0)) continue;
        if (!appendRun(s.runs, { ts: r.ts, verdict }, check.hold, this.tz)) {
          // Older than what the stream holds (an import, a clock change): re-encode from raw results.
          const k = streamId(key);
          rebuild.set(k, Math.min(rebuild.get(k) ?? r.ts, r.ts));
          continue;
        }
        s.dirty = true;
        if (detect) this.onSample(spec, verdict);
        const before = detect ? this.targetState(spec) : "unknown";
        if (verdict === "ok") s.failures = 0;
        else if (verdict === "fail") s.failures++;
        s.state = stateOf(verdict, s.failures, check.confirm);
        if (detect) await this.transition(spec, before, this.targetState(spec), r.ts);
      }
    }
    for (const [k, from] of rebuild)
      this.rebuildPending.set(k, Math.min(from, this.rebuildPending.get(k) ?? from));
  }

  /** Streams to re-encode from raw results (see rebuild()). */
  readonly rebuildPending = new Map<string, number>();

  /** Re-encodes the streams whose input arrived out of order, from the raw results in the store. */
  async rebuild(store: Store): Promise<void> {
    for (const [k, from] of this.rebuildPending) {
      this.rebuildPending.delete(k);
      const s = this.streams.get(k);
      if (!s) continue;
      this.log.info(
        { ...s.key, from },
        "re-encoding a rollup stream from raw results (input arrived out of order)",
      );
      await this.flush();
      const start = await this.runStore.deleteFrom(s.key, from);
      const samples = [];
      for (let cursor: string | undefined, first = true; first || cursor; first = false) {
        const page = await store.results({
          target: s.key.target,
          from: start,
          to: Number.MAX_SAFE_INTEGER,
          limit: 1000,
          cursor,
        });
        for (const r of page.items)
          if (r.check === s.check.source && r.agent === s.key.agent)
            samples.push({ ts: r.ts, verdict: verdictOf(r, s.check.via, this.mains) });
        cursor = page.next;
      }
      s.runs = encodeRuns(samples, s.check.hold, this.tz);
      s.dirty = true;
      await this.flush();
    }
  }

  /**
   * Saves changed runs; keeps only the newest run of each stream in memory. A failed save (disk full)
   * keeps them all, still dirty, for the next flush: rollups are never dropped on a write error.
   */
  async flush(): Promise<void> {
    const rows: RunRow[] = [];
    const saving: [StreamState, Run[], number][] = [];
    for (const s of this.streams.values()) {
      if (!s.dirty) continue;
      for (const run of s.runs) rows.push({ ...s.key, ...run });
      saving.push([s, s.runs, s.runs.length]);
      s.dirty = false;
    }
    try {
      await this.runStore.save(rows);
    } catch (e) {
      for (const [s] of saving) s.dirty = true;
      throw e;
    }
    // Keep the newest saved run (it may still grow) and any appended during the save; a stream
    // re-encoded meanwhile (a new array) is left alone.
    for (const [s, runs, n] of saving) if (s.runs === runs) s.runs = runs.slice(n - 1);
  }

  /** Live state of a target for one indicator: quorum across agents, then combined across checks. */
  targetState(spec: IndicatorSpec): State {
    const perCheck = spec.checks.map((c) => {
      const states = (this.bySpec.get(spec) ?? [])
        .filter((s) => s.key.check === c.id && s.state !== "unknown")
        .map((s) => s.state);
      if (states.length === 0) return "unknown" as State;
      return states.filter((x) => x === "down").length * 2 > states.length ? "down" : "up";
    });
    return combineNow(perCheck, spec.checks, spec.combine);
  }

  /**
   * A reboot (sysUpTime went backwards, engine/reboots.ts) opens a fault at once: the device is already
   * back, so it is recorded as recovered too and waits for a person. Its downtime is not a rollup: the
   * period figures find it again in the raw results (server/indicators.ts).
   */
  private async watchUptime(s: StreamState, r: Result, detect: boolean): Promise<void> {
    const uptime = r.values["sys.uptime_seconds"];
    if (!r.ok || typeof uptime !== "number") return;
    const prev = s.uptime;
    if (prev && r.ts < prev.ts) return;
    s.uptime = { ts: r.ts, uptime };
    const reboot = prev && rebootBetween(prev, s.uptime);
    if (!reboot || !detect) return;
    const title = `${this.names.get(s.key.target) ?? s.key.target}: ${LABEL[REBOOT]}`;
    await this.faults.detected(s.key.target, REBOOT, title, s.spec.severity, r.ts);
    await this.faults.recovered(s.key.target, REBOOT, r.ts);
  }

  /** Healthy for fault resolution: not DOWN for that indicator (manual faults: always). */
  healthy(target: string, cause: string): boolean {
    const spec = this.specs.find((s) => s.target === target && s.indicator === cause);
    return !spec || this.targetState(spec) !== "down";
  }

  private async transition(spec: IndicatorSpec, before: State, after: State, at: number): Promise<void> {
    // response_time is judged on the month's percentile, not on single failures: the outage itself
    // opens its fault through the availability indicator of the same target.
    if (spec.indicator === "response_time") return;
    // Power indicators read values: a poll without an answer is a monitoring gap, and losing sight of
    // a UPS is itself a fault (indicators.md rule 7).
    if (spec.via !== "ok") {
      const name = this.names.get(spec.target) ?? spec.target;
      if (after === "unknown" && before !== "unknown")
        await this.faults.detected(
          spec.target,
          MONITORING_LOST,
          `${name}: ${LABEL[MONITORING_LOST]}`,
          "P3",
          at,
        );
      else if (before === "unknown" && after !== "unknown")
        await this.faults.recovered(spec.target, MONITORING_LOST, at);
    }
    if (after === "down" && before !== "down") {
      const title = `${this.names.get(spec.target) ?? spec.target}: ${LABEL[spec.indicator] ?? spec.indicator}`;
      await this.faults.detected(spec.target, spec.indicator, title, spec.severity, at);
    } else if (before === "down" && after === "up") {
      await this.faults.recovered(spec.target, spec.indicator, at);
    }
  }

  private stream(key: StreamKey): StreamState | undefined {
    return this.streams.get(streamId(key));
  }

  private create(key: StreamKey, spec: IndicatorSpec, check: CheckSpec): StreamState {
    const k = { target: key.target, indicator: key.indicator, check: key.check, agent: key.agent };
    const s: StreamState = { key: k, spec, check, runs: [], dirty: false, failures: 0, state: "unknown" };
    this.streams.set(streamId(k), s);
    this.bySpec.set(spec, [...(this.bySpec.get(spec) ?? []), s]);
    return s;
  }
}

function streamId(k: StreamKey): string {
  return `${k.target}\0${k.indicator}\0${k.check}\0${k.agent}`;
}

function pick(r: RunRow): Run {
  return { start: r.start, last: r.last, count: r.count, verdict: r.verdict, hold: r.hold };
}

function stateOf(verdict: Run["verdict"], failures: number, confirm: number): State {
  if (verdict === "none") return "unknown";
  return verdict === "fail" && failures >= confirm ? "down" : "up";
}
