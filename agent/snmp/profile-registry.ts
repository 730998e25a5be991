// Profile files on disk: the built-in ones (config/profiles/) and, optionally, a site's own directory
// whose files add profiles or replace built-ins of the same name. Read once per directory per process.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import { Profile } from "../../config/profile.js";
import { type CompiledProfile, compileProfiles } from "./profile-compile.js";

/** config/profiles/ at the package root, from the sources (agent/snmp) or the build (dist/agent/snmp). */
const builtinCandidates = ["../../config/profiles", "../../../config/profiles"].map((rel) =>
  fileURLToPath(new URL(rel, import.meta.url)),
);
export const BUILTIN_PROFILES_DIR =
  builtinCandidates.find((dir) => existsSync(dir)) ?? (builtinCandidates[0] as string);

export interface ProfileIssue {
  file: string;
  line?: number;
  col?: number;
  /** key path inside the profile file ("" for the whole file) */
  path: string;
  message: string;
}

export class ProfileLoadError extends Error {
  constructor(readonly issues: ProfileIssue[]) {
    super(
      issues
        .map(
          (i) => `${i.line ? `${i.file}:${i.line}:${i.col}` : i.file}: ${i.path || "(file)"}: ${i.message}`,
        )
        .join("\n"),
    );
    this.name = "ProfileLoadError";
  }
}

export class ProfileRegistry {
  constructor(readonly profiles: ReadonlyMap<string, Profile>) {}

  names(): string[] {
    return [...this.profiles.keys()].sort();
  }

  /** Profiles `profile: auto` may pick (those with a `detect` section). */
  candidates(): Profile[] {
    return [...this.profiles.values()].filter((p) => p.detect !== undefined);
  }

  compile(names: readonly string[]): CompiledProfile {
    return compileProfiles(names, (n) => this.profiles.get(n));
  }
}

const cache = new Map<string, ProfileRegistry>();

/** The built-in profiles plus those of `dir` (absolute); throws ProfileLoadError listing every problem. */
export function loadProfiles(dir?: string): ProfileRegistry {
  const key = dir ?? "";
  let registry = cache.get(key);
  if (registry === undefined) {
    registry = readRegistry([BUILTIN_PROFILES_DIR, ...(dir ? [dir] : [])]);
    cache.set(key, registry);
  }
  return registry;
}

function readRegistry(dirs: readonly string[]): ProfileRegistry {
  const issues: ProfileIssue[] = [];
  const profiles = new Map<string, Profile>();
  const files = new Map<string, string>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    } catch (e) {
      issues.push({
        file: dir,
        path: "",
        message: `cannot read profile directory: ${(e as NodeJS.ErrnoException).code}`,
      });
      continue;
    }
    for (const entry of entries.sort()) {
      const file = path.join(dir, entry);
      const profile = readProfile(file, issues);
      if (profile) {
        profiles.set(profile.name, profile);
        files.set(profile.name, file);
      }
    }
  }
  const registry = new ProfileRegistry(profiles);
  // Includes and alarm counts are only checkable once every file is read.
  for (const [name, file] of files) {
    try {
      registry.compile([name]);
    } catch (e) {
      issues.push({ file, path: "", message: (e as Error).message });
    }
  }
  if (issues.length > 0) throw new ProfileLoadError(issues);
  return registry;
}

function readProfile(file: string, issues: ProfileIssue[]): Profile | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      issues.push({
        file,
        line: pos?.line,
        col: pos?.col,
        path: "",
        message: `YAML: ${e.message.split("\n")[0]}`,
      });
    }
    return undefined;
  }
  const parsed = Profile.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // an unknown key is pointed at itself, not at its parent
      const unknown = issue.code === "unrecognized_keys";
      const at = unknown ? [...issue.path, issue.keys[0] as string] : issue.path;
      const message = unknown ? `unknown key(s) ${issue.keys.join(", ")}` : issue.message;
      issues.push({ file, ...position(doc, lines, at), path: formatPath(at), message });
    }
    return undefined;
  }
  const expected = path.basename(file).replace(/\.ya?ml$/, "");
  if (parsed.data.name !== expected) {
    issues.push({
      file,
      ...position(doc, lines, ["name"]),
      path: "name",
      message: `must be "${expected}" (the file name)`,
    });
    return undefined;
  }
  return parsed.data;
}

/** Line and column of the deepest existing key (or node) on `at`. */
function position(doc: Document, lines: LineCounter, at: PropertyKey[]): { line?: number; col?: number } {
  for (let n = at.length; n >= 0; n--) {
    const parent = n > 0 ? doc.getIn(at.slice(0, n - 1) as (string | number)[], true) : undefined;
    const pair = isMap(parent)
      ? parent.items.find((p) => isScalar(p.key) && p.key.value === at[n - 1])
      : undefined;
    const node =
      pair && isScalar(pair.key) ? pair.key : doc.getIn(at.slice(0, n) as (string | number)[], true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    if (offset !== undefined) return lines.linePos(offset);
  }
  return {};
}

function formatPath(at: PropertyKey[]): string {
  return at
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}
