// Backfill: historical results as NDJSON, one JSON object a line (docs/import.md). Idempotent: a line's
// key is derived from its content, so importing the same file twice stores nothing new.
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { z } from "zod";
import type { Target } from "../config/schema.js";
import { Id, PROTOCOL_VERSION, type Result, Values } from "../protocol/messages.js";
import type { Evaluator } from "./evaluator.js";
import type { Store } from "./store/store.js";

export const ImportLine = z.strictObject({
  target: Id,
  check: Id.optional(),
  agent: Id.default("import"),
  ts: z
    .string()
    .regex(/(Z|[+-]\d\d:\d\d)$/, "an ISO 8601 time with offset (Z or +08:00)")
    .refine((s) => !Number.isNaN(Date.parse(s)), "a valid ISO 8601 time"),
  ok: z.boolean(),
  duration_ms: z.number().nonnegative(),
  error: z.string().max(2048).nullable().optional(),
  values: Values.default({}),
});

export interface ImportSummary {
  lines: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** The first 100 rejected lines with their reasons. */
  errors: { line: number; reason: string }[];
}

const CHUNK = 5000;

/** Reads NDJSON from a stream, commits valid lines in chunks, then brings the rollups up to date. */
export async function importResults(
  input: Readable,
  deps: { targets: readonly Target[]; store: Store; evaluator: Evaluator },
  progress: (s: ImportSummary) => void = () => {},
): Promise<ImportSummary> {
  const targets = new Map(deps.targets.map((t) => [t.id, t]));
  const s: ImportSummary = { lines: 0, imported: 0, duplicates: 0, rejected: 0, errors: [] };
  let chunk: Result[] = [];
  let lineOf = new Map<Result, number>();
  const reject = (line: number, reason: string) => {
    s.rejected++;
    if (s.errors.length < 100) s.errors.push({ line, reason });
  };
  const commit = async () => {
    for (let attempt = 0; chunk.length && attempt < 8; attempt++) {
      const [o] = await deps.store.commit([chunk]);
      const fresh = new Set(o?.fresh);
      s.imported += fresh.size;
      await deps.evaluator.apply(o?.fresh ?? [], "import");
      // Not stored: a replay of the same line (duplicate), a different result already stored for the
      // same time (conflict: never silently replaced), or another line with the same 48-bit key
      // (collision: retried under the next key).
      const retry: Result[] = [];
      const stale = chunk.filter((r) => !fresh.has(r));
      const stored = new Map<string, Result>();
      for (const agent of new Set(stale.map((r) => r.agent)))
        for (const r of await deps.store.byKeys(
          agent,
          stale.filter((x) => x.agent === agent).map((x) => x.seq),
        ))
          stored.set(`${agent}\0${r.seq}`, r);
      for (const r of stale) {
        const old = stored.get(`${r.agent}\0${r.seq}`);
        if (old && old.target === r.target && old.check === r.check && old.ts === r.ts) {
          if (sameResult(old, r)) s.duplicates++;
          else
            reject(
              lineOf.get(r) ?? 0,
              "a different result for this target, check and time is already stored (kept, not replaced)",
            );
        } else {
          const next = { ...r, seq: r.seq + 1 };
          lineOf.set(next, lineOf.get(r) ?? 0);
          retry.push(next);
        }
      }
      chunk = retry;
    }
    for (const r of chunk) reject(lineOf.get(r) ?? 0, "could not find a free key (report this)");
    chunk = [];
    lineOf = new Map();
    progress(s);
  };
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    const n = ++s.lines;
    if (text.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      reject(n, "not JSON");
      continue;
    }
    const p = ImportLine.safeParse(json);
    if (!p.success) {
      const i = p.error.issues[0];
      reject(n, `${i?.path.join(".") || "line"}: ${i?.message}`);
      continue;
    }
    const l = p.data;
    const target = targets.get(l.target);
    if (!target) {
      reject(n, `target: no target "${l.target}" in the config`);
      continue;
    }
    const check = l.check
      ? target.checks.find((c) => c.id === l.check)
      : target.checks.length === 1
        ? target.checks[0]
        : undefined;
    if (!check) {
      reject(
        n,
        l.check
          ? `check: no check "${l.check}" in target "${l.target}"`
          : "check: required (the target has several)",
      );
      continue;
    }
    const agent = `import-${l.agent}`.slice(0, 64);
    const ts = Date.parse(l.ts);
    const result: Result = {
      v: PROTOCOL_VERSION,
      agent,
      seq: contentSeq(l.target, check.id, agent, ts),
      target: l.target,
      check: check.id,
      kind: check.kind,
      ts,
      duration_ms: l.duration_ms,
      ok: l.ok,
      ...(l.error ? { error: l.error } : {}),
      values: l.values,
    };
    chunk.push(result);
    lineOf.set(result, n);
    if (chunk.length >= CHUNK) await commit();
  }
  await commit();
  await deps.evaluator.rebuild(deps.store);
  return s;
}

function sameResult(a: Result, b: Result): boolean {
  return (
    a.ok === b.ok &&
    a.duration_ms === b.duration_ms &&
    (a.error ?? null) === (b.error ?? null) &&
    JSON.stringify(a.values) === JSON.stringify(b.values)
  );
}

/** A stable 48-bit key for an imported result: the same line always maps to the same (agent, seq). */
export function contentSeq(target: string, check: string, agent: string, ts: number): number {
  const h = createHash("sha256").update(`${target}\0${check}\0${agent}\0${ts}`).digest();
  return h.readUIntBE(0, 6) + 1;
}
