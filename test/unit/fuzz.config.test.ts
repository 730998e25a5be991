// 10,000 random and mutated config files through loadConfig: each either loads, or throws a
// ConfigError whose every issue names the file and a key (or, for broken YAML, a line) — never any
// other exception. The mutants start from the shipped config/opswatch.example.yaml and config/demo.yaml:
// keys deleted, values of the wrong type, random strings, unknown keys, and text-level damage.
//
// Speed (10,000 runs in under 20 s): YAML parsing dominates (~15 ms for the 17 KB example on a loaded
// machine), so mutants start from a copy trimmed to one or two targets and a random subset of the
// top-level sections, and are mostly written as JSON —
// valid YAML, parsed ~3× faster by the same loader; 1 in 20 is block YAML, 3 in 20 damaged text.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ConfigError, loadConfig } from "../../config/load.js";

const RUNS = 10_000;
const dir = mkdtempSync(join(tmpdir(), "opswatch-fuzz-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The example's secrets come from the environment, as at a real site (see config.test.ts).
const SECRETS = [
  "OPSWATCH_TOKEN_AGENT_DC1",
  "OPSWATCH_TOKEN_AGENT_OUTSIDE",
  "OPSWATCH_SNMP_COMMUNITY",
  "OPSWATCH_UPS1_AUTH_KEY",
  "OPSWATCH_UPS1_PRIV_KEY",
  "OPSWATCH_FW_COMMUNITY",
  "OPSWATCH_TRAP_COMMUNITY",
  "OPSWATCH_TRAP_AUTH_KEY",
  "OPSWATCH_TRAP_PRIV_KEY",
  "OPSWATCH_OA_PASSWORD",
  "OPSWATCH_WECOM_KEY",
  "OPSWATCH_DINGTALK_TOKEN",
  "OPSWATCH_DINGTALK_SECRET",
  "OPSWATCH_FEISHU_HOOK",
  "OPSWATCH_FEISHU_SECRET",
  "OPSWATCH_WEBHOOK_TOKEN",
  "OPSWATCH_WEBHOOK_HMAC",
  "OPSWATCH_SMTP_PASSWORD",
];
const saved = new Map(SECRETS.map((k) => [k, process.env[k]]));
beforeAll(() => {
  for (const k of SECRETS) process.env[k] = `${k.toLowerCase()}-value-1`;
});
afterAll(() => {
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

type Node = unknown;
const bases = ["opswatch.example.yaml", "demo.yaml"].map((f) =>
  parse(readFileSync(join(import.meta.dirname, "../../config", f), "utf8")),
) as Record<string, Node>[];

/** Every key path in the document (object keys and array indexes), parents before children. */
function paths(node: Node, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(node)) return node.flatMap((v, i) => [[...at, i], ...paths(v, [...at, i])]);
  if (node && typeof node === "object")
    return Object.entries(node).flatMap(([k, v]) => [[...at, k], ...paths(v, [...at, k])]);
  return [];
}

const tricky = fc.constantFrom(
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a config file's reference to an unset variable
  "${OPSWATCH_NOT_SET}",
  "file:does-not-exist.token",
  "1e999",
  "-1",
  "0x10",
  "null",
  "~",
  "yes",
  "60s",
  "-5m",
  "1.5ms",
  "127.0.0.1:99999",
  "ws://",
  "http://[::1",
  "",
  " ",
  "0 0 * *",
  "Asia/Atlantis",
  "代理-1",
  "a".repeat(300),
);
/** A value of some type: the mutation puts it where another type (or another value) belongs. */
const anyValue: fc.Arbitrary<Node> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  tricky,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.integer(), { maxKeys: 2 }),
);

type Mutation =
  | { op: "delete"; at: number }
  | { op: "set"; at: number; value: Node }
  | { op: "extra"; at: number; key: string; value: Node };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: anyValue }),
  fc.record({
    op: fc.constant("extra" as const),
    at: fc.nat(),
    key: fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom("<<", "__proto__", "?", "- x")),
    value: anyValue,
  }),
);

function apply(doc: Node, mutation: Mutation): Node {
  // A copy: fast-check may hand the same value to two mutations, and one must not end up inside the other.
  const m = structuredClone(mutation);
  const all = paths(doc);
  if (all.length === 0) return m.op === "set" ? m.value : doc;
  const path = all[m.at % all.length] as (string | number)[];
  const parentPath = path.slice(0, -1);
  const parent = parentPath.reduce<Node>((n, k) => (n as Record<string | number, Node>)[k], doc) as
    | Record<string, Node>
    | Node[];
  const key = path[path.length - 1] as string | number;
  if (m.op === "delete") {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (m.op === "set") {
    (parent as Record<string | number, Node>)[key] = m.value;
  } else {
    const target = (parent as Record<string | number, Node>)[key];
    if (target && typeof target === "object" && !Array.isArray(target))
      (target as Record<string, Node>)[m.key] = m.value;
    else if (!Array.isArray(parent)) parent[m.key] = m.value;
  }
  return doc;
}

type Render =
  | "json"
  | "yaml"
  | { cut: number }
  | { dropLine: number }
  | { dupLine: number }
  | { junk: string; at: number };
const render: fc.Arbitrary<Render> = fc.oneof(
  { weight: 16, arbitrary: fc.constant("json" as const) },
  { weight: 1, arbitrary: fc.constant("yaml" as const) },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.record({ cut: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ dropLine: fc.nat() }),
      fc.record({ dupLine: fc.nat() }),
      fc.record({
        junk: fc.oneof(
          fc.constantFrom(
            "\t",
            ": :",
            "- ",
            "&a *a",
            "{",
            "]",
            '"',
            "\u0000",
            "\ufeff",
            "!!binary x",
            "\n  x: 1\n",
          ),
          fc.string({ maxLength: 4 }),
        ),
        at: fc.nat(),
      }),
    ),
  },
);

/** JSON is YAML too, and parses ~3× faster; text damage is done to it as to any YAML text. */
function text(doc: Node, r: Render): string {
  if (r === "yaml") return stringify(doc);
  const json = JSON.stringify(doc, null, 1) ?? "null";
  if (r === "json") return json;
  const lines = json.split("\n");
  if ("cut" in r) return json.slice(0, Math.floor(r.cut * json.length));
  if ("dropLine" in r) return lines.filter((_, i) => i !== r.dropLine % lines.length).join("\n");
  if ("dupLine" in r)
    return lines.flatMap((l, i) => (i === r.dupLine % lines.length ? [l, l] : [l])).join("\n");
  const at = r.at % (json.length + 1);
  return json.slice(0, at) + r.junk + json.slice(at);
}

const cases = fc.record({
  base: fc.nat({ max: bases.length - 1 }),
  /** Targets kept from the base (a trimmed copy is a valid config, and parses faster). */
  keep: fc.array(fc.nat(), { minLength: 0, maxLength: 2 }),
  /** Top-level sections dropped before mutating (bit i drops the i-th): smaller files, every section still fuzzed. */
  drop: fc.nat({ max: 255 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  render,
  /** 1 in 20: not a mutant but random text. */
  random: fc.oneof(
    { weight: 19, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
  ),
});

describe("config fuzzing", () => {
  it("ships bases that load (so mutants start from a valid config)", () => {
    for (const f of ["opswatch.example.yaml", "demo.yaml"])
      expect(() => loadConfig(join(import.meta.dirname, "../../config", f))).not.toThrow();
  });

  it(`loads or refuses ${RUNS.toLocaleString("en")} mutated configs, always with a ConfigError naming file and key`, () => {
    const outcomes = { loaded: 0, refused: 0, random: 0 };
    let n = 0;
    fc.assert(
      fc.property(cases, (c) => {
        let content: string;
        if (c.random !== null) {
          content = c.random;
          outcomes.random++;
        } else {
          const base = bases[c.base] as Record<string, Node>;
          const doc = structuredClone(
            Object.fromEntries(Object.entries(base).filter((_, i) => ((c.drop >> i) & 1) === 0)),
          ) as Record<string, Node>;
          const targets = (base.targets as Node[] | undefined) ?? [];
          doc.targets =
            c.keep.length === 0 ? targets.slice(0, 1) : c.keep.map((i) => targets[i % targets.length]);
          // A target kept twice is a duplicate id: a fine mutant too.
          let mutated: Node = doc;
          for (const m of c.mutations) mutated = apply(mutated, m);
          content = text(mutated, c.render);
        }
        const file = join(dir, `case-${++n}.yaml`);
        writeFileSync(file, content);
        try {
          loadConfig(file);
          outcomes.loaded++;
        } catch (e) {
          if (!(e instanceof ConfigError))
            throw new Error(`not a ConfigError: ${(e as Error)?.stack ?? e}\n---\n${content.slice(0, 500)}`);
          expect(e.issues.length).toBeGreaterThan(0);
          expect(e.message).toContain(file);
          for (const i of e.issues) {
            expect(i.file).toBe(file);
            // Where: a key path, or a line (YAML that does not parse has no key to name).
            expect(i.path !== "" || i.line !== undefined, i.message).toBe(true);
            // What: a key path; with none, broken YAML, a root that is not a mapping, or the unknown root key by name.
            if (i.path === "") expect(i.message).toMatch(/^YAML: |^expected object|^unknown key\(s\) "/);
          }
          outcomes.refused++;
        } finally {
          rmSync(file);
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    console.log("config fuzz:", outcomes);
    expect(outcomes.loaded + outcomes.refused).toBe(RUNS);
    expect(outcomes.random).toBeLessThan(RUNS / 10); // ~1 in 20: the rest are mutants of the shipped files
  }, 60_000);
});
