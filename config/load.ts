import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { loadProfiles, ProfileLoadError, type ProfileRegistry } from "../agent/snmp/profile-registry.js";
import { inspectionChecklist } from "../engine/mapping.js";
import { Config } from "./schema.js";
import { withSecretBaseDir } from "./secrets.js";

export interface ConfigIssue {
  file: string;
  line?: number;
  col?: number;
  /** key path such as targets[0].checks[1].interval ("" for the whole file) */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ConfigError";
  }
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line ? `${i.file}:${i.line}:${i.col}` : i.file;
  return `${where}: ${i.path || "(file)"}: ${i.message}`;
}

function formatPath(path: PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/** Reads, parses and validates a config file; throws ConfigError listing every problem. */
/**
 * Which process reads the file: each resolves only the secrets of its own sections, so an agent does not
 * need the server's tokens in its environment (and the other way round). Undefined: everything.
 */
export type ConfigRole = "server" | "agent";

/** Sections only the other role uses (they may hold its secrets). */
const foreign: Record<ConfigRole, readonly string[]> = {
  server: ["agent"],
  agent: ["server", "notifications", "reports"],
};

export function loadConfig(file: string, role?: ConfigRole): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([{ file, path: "", message: `cannot read: ${(e as NodeJS.ErrnoException).code}` }]);
  }
  return parseConfig(text, file, role);
}

export function parseConfig(text: string, file: string, role?: ConfigRole): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          file,
          line: pos?.line,
          col: pos?.col,
          path: "",
          message: `YAML: ${e.message.split("\n")[0]}`,
        };
      }),
    );
  }
  const raw = doc.toJS() ?? {};
  if (role && raw && typeof raw === "object") for (const key of foreign[role]) delete raw[key];
  const parsed = withSecretBaseDir(dirname(resolve(file)), () => Config.safeParse(raw));
  if (parsed.success) {
    const dup = [...duplicateIds(parsed.data), ...inspectionReferences(parsed.data)];
    if (dup.length === 0) {
      const cfg = resolvePaths(parsed.data, file);
      // Only agents read SNMP profiles (a server need not have a check's profiles_dir).
      if (role !== "server") checkSnmpProfiles(cfg, file, doc, lines);
      return cfg;
    }
    throw new ConfigError(
      dup.map((d) => ({
        file,
        ...position(doc, lines, d.path),
        path: formatPath(d.path),
        message: d.message,
      })),
    );
  }
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({
      file,
      // an unknown key is pointed at itself, not at its parent
      ...position(
        doc,
        lines,
        issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] as string] : issue.path,
      ),
      path: formatPath(issue.path),
      message: describe(issue, raw),
    })),
  );
}

/** Adds what was found to zod's message, so the operator sees both sides. */
function describe(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === "unrecognized_keys")
    return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  const got = issue.path.reduce<unknown>(
    (v, k) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    raw,
  );
  const found = got === undefined ? "nothing" : JSON.stringify(got)?.slice(0, 80);
  if (issue.code === "invalid_type") return `expected ${issue.expected}, got ${found}`;
  // A secret (a proxy URL with its password) is never echoed.
  if (issue.code === "custom" && issue.params?.secret === true) return issue.message;
  return `${issue.message} (got ${found})`;
}

function position(doc: Document, lines: LineCounter, path: PropertyKey[]): { line?: number; col?: number } {
  // Walk as deep as the path exists in the document (a missing key points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    const parent = n > 0 ? doc.getIn(path.slice(0, n - 1) as (string | number)[], true) : undefined;
    let offset: number | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[n - 1]);
      if (pair && isScalar(pair.key)) offset = pair.key.range?.[0];
    }
    if (offset === undefined && node && typeof node === "object" && "range" in node) {
      offset = (node as { range?: [number, number, number] }).range?.[0];
    }
    if (offset !== undefined) {
      const p = lines.linePos(offset);
      return { line: p.line, col: p.col };
    }
  }
  return {};
}

/** Files named in the config are relative to the config file, like `file:` secrets. */
function resolvePaths(cfg: Config, file: string): Config {
  const f = cfg.calendar.override_file;
  if (f && !isAbsolute(f)) cfg.calendar.override_file = resolve(dirname(resolve(file)), f);
  for (const check of cfg.targets.flatMap((t) => t.checks))
    if (check.kind === "snmp" && check.profiles_dir !== undefined)
      check.profiles_dir = resolve(dirname(resolve(file)), check.profiles_dir);
  return cfg;
}

/** Every profile an SNMP check names exists, and the profile files themselves are valid. */
function checkSnmpProfiles(cfg: Config, file: string, doc: Document, lines: LineCounter): void {
  const issues: ConfigIssue[] = [];
  const broken = new Set<string>();
  for (const [i, target] of cfg.targets.entries())
    for (const [j, check] of target.checks.entries()) {
      if (check.kind !== "snmp" || broken.has(check.profiles_dir ?? "")) continue;
      let registry: ProfileRegistry;
      try {
        registry = loadProfiles(check.profiles_dir);
      } catch (e) {
        if (!(e instanceof ProfileLoadError)) throw e;
        issues.push(...e.issues); // with the profile file's own positions
        broken.add(check.profiles_dir ?? "");
        continue;
      }
      const known = [...registry.names(), "auto"];
      const at = ["targets", i, "checks", j, "profile"];
      const list = isSeq(doc.getIn(at));
      for (const [k, name] of (check.profile ?? []).entries()) {
        if (known.includes(name)) continue;
        const path = list ? [...at, k] : at;
        issues.push({
          file,
          ...position(doc, lines, path),
          path: formatPath(path),
          message: `unknown profile "${name}" (known: ${known.join(", ")})`,
        });
      }
    }
  if (issues.length > 0) throw new ConfigError(issues);
}

function duplicateIds(cfg: Config): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  const seen = new Set<string>();
  cfg.targets.forEach((t, i) => {
    if (seen.has(t.id)) out.push({ path: ["targets", i, "id"], message: `duplicate target id "${t.id}"` });
    seen.add(t.id);
    const checks = new Set<string>();
    t.checks.forEach((c, j) => {
      if (checks.has(c.id))
        out.push({
          path: ["targets", i, "checks", j, "id"],
          message: `duplicate check id "${c.id}" in target`,
        });
      checks.add(c.id);
    });
  });
  const agents = new Set<string>();
  cfg.server?.agents.forEach((a, i) => {
    if (agents.has(a.id))
      out.push({ path: ["server", "agents", i, "id"], message: `duplicate agent id "${a.id}"` });
    agents.add(a.id);
  });
  return out;
}

/** Inspection plans: unique ids, and every target they name exists and is inspected by the plan. */
function inspectionReferences(cfg: Config): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  const targets = new Map(cfg.targets.map((t) => [t.id, t]));
  const plans = new Set<string>();
  cfg.inspections.forEach((plan, i) => {
    const at = (...rest: PropertyKey[]) => ["inspections", i, ...rest];
    if (plans.has(plan.id))
      out.push({ path: at("id"), message: `duplicate inspection plan id "${plan.id}"` });
    plans.add(plan.id);
    const inspected = new Set<string>();
    plan.targets?.forEach((id, j) => {
      if (!targets.has(id)) out.push({ path: at("targets", j), message: `no target "${id}"` });
      else if (inspected.has(id))
        out.push({ path: at("targets", j), message: `target "${id}" is listed twice` });
      inspected.add(id);
    });
    if (!plan.targets) for (const id of targets.keys()) inspected.add(id);
    if (inspected.size === 0 && !plan.targets)
      out.push({ path: at(), message: "the plan inspects nothing: the config has no targets" });
    const items = new Set<string>();
    plan.manual_items.forEach((item, k) => {
      if (items.has(item.id))
        out.push({
          path: at("manual_items", k, "id"),
          message: `duplicate manual item id "${item.id}" in plan`,
        });
      items.add(item.id);
      item.targets?.forEach((id, l) => {
        const path = at("manual_items", k, "targets", l);
        if (!targets.has(id)) out.push({ path, message: `no target "${id}"` });
        else if (!inspected.has(id))
          out.push({ path, message: `target "${id}" is not inspected by this plan` });
      });
      const clash = (item.targets ?? [...inspected]).find((id) => {
        const target = targets.get(id);
        return target !== undefined && inspectionChecklist(target).some((d) => d.id === item.id);
      });
      if (clash)
        out.push({
          path: at("manual_items", k, "id"),
          message: `"${item.id}" is an automatic item of target "${clash}": choose another id`,
        });
    });
  });
  return out;
}
