// SNMP polls through profiles (docs/snmp.md): one GET per poll for a healthy UPS, walks where a profile
// asks for them, the alarm table only when alarms are present. Per check it keeps what polls share: the
// device (its session), the profiles `auto` found, designated interfaces' row indexes, counter samples.
import { Indicators } from "../../config/indicators.js";
import type { SnmpCheck } from "../../config/schema.js";
import type { MainsParams } from "../../engine/verdict.js";
import type { Logger } from "../../lib/log.js";
import { SnmpClient, type SnmpDevice, SnmpFailure, type VarbindResult } from "../snmp/client.js";
import { detectionOids, detectProfiles } from "../snmp/detect.js";
import { normalize } from "../snmp/normalize.js";
import type { CounterState } from "../snmp/normalize-rates.js";
import type { CompiledProfile } from "../snmp/profile-compile.js";
import { resolveInterfaces } from "../snmp/profile-interfaces.js";
import { alarmWalk, planPoll } from "../snmp/profile-plan.js";
import { loadProfiles, type ProfileRegistry } from "../snmp/profile-registry.js";
import type { ProbeOutcome, Prober } from "./types.js";

/** `auto` detection and interface indexes are refreshed this often (and after a failure / a vanished row). */
const REFRESH_MS = 3_600_000;
const MAX_ERROR = 2048; // protocol limit

export interface SnmpProberOptions {
  /** indicators.room_power_stability parameters, for ups.mains_normal (default: the config defaults). */
  mains?: MainsParams;
  /** Bound on SNMP requests in flight across all devices. */
  maxConcurrent?: number;
  log?: Logger;
}

interface CheckState {
  device: SnmpDevice;
  /** What `auto` found, and when. */
  detected?: { names: string[]; at: number };
  /** Profiles compiled for these names. */
  compiled?: { key: string; profile: CompiledProfile };
  /** Designated interface → row index, and when resolved. */
  interfaces?: { indexes: Map<string, string>; at: number };
  counters: CounterState;
}

const defaultMains = (): MainsParams => {
  const { nominal_voltage, tolerance } = Indicators.parse(undefined).room_power_stability;
  return { nominalVoltage: nominal_voltage, tolerance };
};

export class SnmpProber implements Prober<SnmpCheck> {
  readonly kind = "snmp";
  readonly #client: SnmpClient;
  readonly #mains: MainsParams;
  readonly #log: Logger | undefined;
  /** Keyed by the check object: the scheduler passes the same one poll after poll. */
  readonly #state = new WeakMap<SnmpCheck, CheckState>();

  constructor(opts: SnmpProberOptions = {}) {
    this.#client = new SnmpClient({ maxConcurrent: opts.maxConcurrent, log: opts.log });
    this.#mains = opts.mains ?? defaultMains();
    this.#log = opts.log;
  }

  async probe(check: SnmpCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    const state = this.#stateOf(check);
    try {
      return await this.#poll(check, state, signal);
    } catch (err) {
      // Start over next time: the device may have been replaced by another kind.
      state.detected = undefined;
      state.interfaces = undefined;
      if (err instanceof SnmpFailure) return { ok: false, error: err.message, values: {} };
      throw err;
    }
  }

  close(): void {
    this.#client.close();
  }

  async #poll(check: SnmpCheck, state: CheckState, signal: AbortSignal): Promise<ProbeOutcome> {
    const registry = loadProfiles(check.profiles_dir);
    const names = await this.#profileNames(check, state, registry, signal);
    if (names.length === 0 && check.profile?.includes("auto")) {
      state.detected = undefined; // try again next poll: the device may still be starting
      return {
        ok: false,
        error: `profile auto: no profile recognised the device (tried ${registry
          .candidates()
          .map((p) => p.name)
          .join(", ")})`,
        values: {},
      };
    }
    const profile = this.#compile(check, state, registry, names);
    let indexes = await this.#interfaces(check, state, profile, signal, false);
    let read = await this.#read(check, state, profile, indexes, signal);
    if (read.stale.length > 0) {
      // ifIndex renumbered (device reboot, module swap): find the interfaces by name again, once.
      indexes = await this.#interfaces(check, state, profile, signal, true);
      read = await this.#read(check, state, profile, indexes, signal);
    }
    state.counters = read.counters;
    const readSomething = Object.keys(read.values).some((name) => name !== "snmp.profile");
    if (!readSomething) state.detected = undefined;
    const error = read.missing.length > 0 ? clip(`not read: ${read.missing.join("; ")}`) : undefined;
    return readSomething
      ? { ok: true, ...(error && { error }), values: read.values }
      : {
          ok: false,
          error:
            read.missing.length > 0
              ? clip(`nothing answered: ${read.missing.join("; ")}`)
              : `profile ${names.join(", ")} reads no object`,
          values: read.values,
        };
  }

  /** The check's profiles; `auto` replaced by what detection finds (cached for REFRESH_MS). */
  async #profileNames(
    check: SnmpCheck,
    state: CheckState,
    registry: ProfileRegistry,
    signal: AbortSignal,
  ): Promise<string[]> {
    const asked = check.profile ?? [];
    if (!asked.includes("auto")) return asked;
    const now = Date.now();
    if (state.detected === undefined || now - state.detected.at > REFRESH_MS) {
      const candidates = registry.candidates();
      const oids = detectionOids(candidates);
      const answers = byOid(await this.#client.get(state.device, oids, signal));
      const found = detectProfiles(candidates, answers);
      if (found.join() !== state.detected?.names.join())
        this.#log?.info(
          { check: check.id, address: where(state.device), profiles: found },
          "SNMP profile detected",
        );
      state.detected = { names: found, at: now };
    }
    return [...new Set(asked.flatMap((n) => (n === "auto" ? (state.detected?.names ?? []) : [n])))];
  }

  /** Designated interfaces are read with if-mib unless a chosen profile has its own interfaces section. */
  #compile(check: SnmpCheck, state: CheckState, registry: ProfileRegistry, names: string[]): CompiledProfile {
    const key = names.join(",");
    if (state.compiled?.key !== key) {
      let profile = registry.compile(names);
      if (check.interfaces.length > 0 && profile.interfaces === undefined)
        profile = registry.compile([...names, "if-mib"]);
      state.compiled = { key, profile };
    }
    return state.compiled.profile;
  }

  /** Row index of each designated interface, from the name columns walked in order until all are found. */
  async #interfaces(
    check: SnmpCheck,
    state: CheckState,
    profile: CompiledProfile,
    signal: AbortSignal,
    force: boolean,
  ): Promise<ReadonlyMap<string, string>> {
    const spec = profile.interfaces;
    if (check.interfaces.length === 0 || spec === undefined) return new Map();
    const now = Date.now();
    if (!force && state.interfaces && now - state.interfaces.at <= REFRESH_MS)
      return state.interfaces.indexes;
    const walked = new Map<string, VarbindResult[]>();
    let indexes = new Map<string, string>();
    for (const column of spec.match_by) {
      walked.set(column, await this.#client.walk(state.device, column, signal));
      indexes = resolveInterfaces(check.interfaces, spec, walked);
      if (indexes.size === check.interfaces.length) break;
    }
    state.interfaces = { indexes, at: now };
    return indexes;
  }

  async #read(
    check: SnmpCheck,
    state: CheckState,
    profile: CompiledProfile,
    interfaces: ReadonlyMap<string, string>,
    signal: AbortSignal,
  ) {
    const plan = planPoll(profile, check.oids, interfaces);
    const [got, walks] = await Promise.all([
      plan.get.length > 0 ? this.#client.get(state.device, plan.get, signal) : [],
      Promise.all(plan.walks.map((root) => this.#client.walk(state.device, root, signal))),
    ]);
    const gotByOid = byOid(got);
    const walked = new Map(plan.walks.map((root, i) => [root, walks[i] ?? []]));
    const table = alarmWalk(profile, gotByOid);
    if (table !== undefined) walked.set(table, await this.#client.walk(state.device, table, signal));
    return normalize({
      profile,
      oids: check.oids,
      designated: check.interfaces,
      interfaces,
      raw: { got: gotByOid, walked },
      counters: state.counters,
      now: Date.now(),
      mains: this.#mains,
    });
  }

  #stateOf(check: SnmpCheck): CheckState {
    let state = this.#state.get(check);
    if (state === undefined) {
      state = { device: deviceOf(check), counters: new Map() };
      this.#state.set(check, state);
    }
    return state;
  }
}

function deviceOf(check: SnmpCheck): SnmpDevice {
  return {
    host: check.address.host,
    port: check.address.port,
    version: check.version,
    community: check.community,
    v3: check.v3,
    timeout: check.timeout,
    retries: check.retries,
    maxRepetitions: check.max_repetitions,
  };
}

const byOid = (results: readonly VarbindResult[]) => new Map(results.map((r) => [r.oid, r]));
const where = (d: SnmpDevice) => `${d.host}:${d.port}`;
const clip = (s: string) => (s.length > MAX_ERROR ? `${s.slice(0, MAX_ERROR - 1)}…` : s);
