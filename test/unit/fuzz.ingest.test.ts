// 10,000 random and mutated ingest frames against the real server's agent WebSocket (the server
// in-process on a real port and SQLite file, one for the file). Every frame is invalid by construction,
// so each must get exactly one reply that says why — an error frame with a reason, or (for a batch whose
// envelope is fine but whose one result is not) an ack rejecting that result — the server must keep
// answering, and its rejection counter must grow by exactly 10,000.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { parseConfig } from "../../config/load.js";
import { createLogger } from "../../lib/log.js";
import { AGENT_WS_PATH, ErrorReason, ServerMessage } from "../../protocol/messages.js";
import { type RunningServer, startServer } from "../../server/server.js";

const RUNS = 10_000;
let srv: RunningServer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-fuzz-ingest-"));
  const cfg = parseConfig(
    `server:
  listen: 127.0.0.1:0
  database: ${join(dir, "s.db")}
  synchronous: normal
  max_frame_bytes: 1048576
  agents: [{ id: a1, token: tok-1 }]
targets:
  - { id: web, name: Web, checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 60s }] }`,
    "fuzz.yaml",
  );
  srv = await startServer(
    cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
    createLogger("silent"),
  );
});
afterAll(async () => {
  await srv?.close();
});

// --- frames -------------------------------------------------------------------------------------

/** Stands for a number JSON can spell but not hold (1e400 parses to Infinity). */
const HUGE = "__huge__";
type Json = unknown;
type Obj = Record<string, Json>;

const hello = (): Obj => ({
  type: "hello",
  v: 1,
  agent: "a1",
  token: "tok-1",
  version: "fuzz",
  spool_depth: 0,
  clock_ms: Date.now(),
});
const result = (): Obj => ({
  v: 1,
  agent: "a1",
  seq: 1,
  target: "web",
  check: "home",
  kind: "http",
  ts: 1_700_000_000_000,
  duration_ms: 5,
  ok: true,
  values: { "http.status": 200 },
});
const batch = (r: Obj): Obj => ({ type: "batch", id: 1, spool_depth: 0, results: [r] });

const notString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.constant({}),
);
const notNumber = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({ n: 1 }),
);
const notInteger = fc.oneof(
  notNumber,
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  fc.constant(2 ** 60), // not a safe integer
  fc.constant(HUGE),
);
const negative = fc.integer({ max: -1 });
/** Not an Id: empty, too long, a bad first character, unicode, or not a string at all. */
const notId = fc.oneof(
  notString,
  fc.constant(""),
  fc.string({ minLength: 65, maxLength: 80 }).map((s) => `a${s.replace(/[^A-Za-z0-9]/g, "x")}`),
  fc.constantFrom("-lead", "_x", ".x", "代理", "a b", "a/b", "ä", "a\u0000", "🚀", "a1\n"),
);
/** Stands for an array nested n deep, spliced into the text (JSON.stringify would overflow the stack). */
const deep = fc.integer({ min: 200, max: 20_000 }).map((n) => `__deep_${n}__`);

/** Per key of a message: values that make it invalid there. */
const wrong: Record<string, fc.Arbitrary<Json>> = {
  type: fc.oneof(fc.constantFrom("welcome", "ack", "HELLO", "", "error"), notString),
  v: fc.oneof(
    fc.integer().filter((x) => x !== 1),
    fc.constant("1"),
    fc.constant(null),
    fc.constant(HUGE),
  ),
  agent: notId,
  token: fc.oneof(notString, fc.constant(""), fc.constant("x".repeat(4097))),
  version: fc.oneof(notString, fc.string({ minLength: 65, maxLength: 100 })),
  spool_depth: fc.oneof(notInteger, negative),
  clock_ms: notInteger,
  id: fc.oneof(notInteger, negative),
  results: fc.oneof(
    fc.constant([]),
    notString.filter((x) => !Array.isArray(x) || x.length === 0),
    fc.string(),
  ),
  seq: fc.oneof(notInteger, fc.constant(0), negative),
  target: notId,
  check: notId,
  kind: fc.oneof(fc.constantFrom("ping", "HTTP", "", "snmpv3"), notString),
  ts: fc.oneof(notInteger, negative),
  duration_ms: fc.oneof(notNumber, negative, fc.constant(HUGE)),
  ok: fc.oneof(fc.constantFrom(0, 1, "true", "yes"), fc.constant(null)),
  error: fc.oneof(notString, fc.constant("e".repeat(2049))),
  values: fc.oneof(
    notString.filter((x) => x !== null && typeof x !== "object"),
    fc.constant(null),
    fc.constant([1]),
    fc.constantFrom({ "Bad Name": 1 }, { "http.status": null }, { "a.b": { nested: 1 } }, { "": 1 }),
    deep.map((d) => ({ "x.y": d })),
    fc.constant({ "http.body": "b".repeat(1025) }),
  ),
};

/** Keys absent from every schema, whatever the case: a strict object refuses them. */
const extraKey = fc.oneof(
  fc.constantFrom("__proto__x", "constructor", "extra", "seq2", "Type", "🦀"),
  fc.string({ minLength: 1, maxLength: 10 }).map((s) => `x_${s}`),
);

/** One structural mutation of `o` that makes it invalid for its schema. */
function mutated(o: Obj, optional: readonly string[] = []): fc.Arbitrary<Obj> {
  const keys = Object.keys(o);
  const required = keys.filter((k) => !optional.includes(k));
  return fc.oneof(
    fc.constantFrom(...required).map((k) => {
      const { [k]: _gone, ...rest } = o;
      return rest;
    }),
    fc.constantFrom(...keys).chain((k) => (wrong[k] ?? notString).map((v) => ({ ...o, [k]: v }))),
    fc.tuple(extraKey, fc.jsonValue()).map(([k, v]) => ({ ...o, [k]: v })),
  );
}

const text = (o: Obj) =>
  JSON.stringify(o)
    .replaceAll(`"${HUGE}"`, "1e400")
    .replace(/"__deep_(\d+)__"/g, (_, n) => `${"[".repeat(Number(n))}${"]".repeat(Number(n))}`);

/** Which connection a frame needs: a batch frame on an unauthenticated one only earns "not_authenticated". */
interface Frame {
  data: string | Uint8Array;
  binary: boolean;
  /** Sent on an authenticated connection (batches must be, to reach their own validation). */
  authed: boolean;
  /** "closes": a wrong token ends the connection after the error. */
  closes: boolean;
  label: string;
}

const frame = (data: string, authed: boolean, label: string, closes = false): Frame => ({
  data,
  binary: false,
  authed,
  closes,
  label,
});

const frames: fc.Arbitrary<Frame> = fc.oneof(
  // a hello with one field wrong, missing or extra
  { weight: 3, arbitrary: mutated(hello()).map((o) => frame(text(o), false, "hello")) },
  // a well-formed hello with a wrong token or an unknown agent
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc
          .string({ minLength: 1, maxLength: 50 })
          .filter((t) => t !== "tok-1")
          .map((token) => ({ ...hello(), token })),
        fc.constantFrom("a2", "agent-x", "A1").map((agent) => ({ ...hello(), agent })),
      )
      .map((o) => frame(text(o), false, "hello-token", true)),
  },
  // a batch envelope with one field wrong, missing or extra
  { weight: 3, arbitrary: mutated(batch(result())).map((o) => frame(text(o), true, "batch")) },
  // a sound envelope carrying one bad result (or another agent's)
  {
    weight: 4,
    arbitrary: fc
      .oneof(mutated(result(), ["error"]), fc.constant({ ...result(), agent: "a2" }))
      .map((r) => frame(text(batch(r)), true, "result")),
  },
  // valid messages cut short, or followed by junk
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(text(hello()), text(batch(result()))),
        fc.double({ min: 0, max: 1, noNaN: true }),
      )
      .map(([t, f]) => frame(t.slice(0, Math.floor(f * (t.length - 1))), false, "truncated")),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(text(hello()), text(batch(result()))),
        fc.constantFrom("x", ",", "}", "\u0000", "💥", "]"),
      )
      .map(([t, junk]) => frame(t + junk, false, "trailing junk")),
  },
  // random JSON, random unicode text, deep nesting, binary frames
  { weight: 2, arbitrary: fc.jsonValue().map((v) => frame(JSON.stringify(v) ?? "null", false, "json")) },
  {
    weight: 2,
    arbitrary: fc.string({ unit: "binary", maxLength: 200 }).map((s) => frame(s, false, "unicode")),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom("[", '{"a":'))
      .map(([n, open]) =>
        frame(open.repeat(n) + (open === "[" ? "]".repeat(n) : `1${"}".repeat(n)}`), false, "deep"),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 300 })
      .map((data) => ({ data, binary: true, authed: false, closes: false, label: "binary" })),
  },
);

// --- one connection at a time, replies read in order -------------------------------------------

interface Conn {
  ws: WebSocket;
  authed: boolean;
  reply(): Promise<ServerMessage | "closed">;
}

async function open(): Promise<Conn> {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${AGENT_WS_PATH}`);
  const inbox: (ServerMessage | "closed")[] = [];
  const waiting: ((m: ServerMessage | "closed") => void)[] = [];
  const deliver = (m: ServerMessage | "closed") => {
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  };
  ws.on("message", (d) => deliver(ServerMessage.parse(JSON.parse(d.toString()))));
  ws.on("close", () => deliver("closed"));
  await new Promise((r, j) => ws.once("open", r).once("error", j));
  return {
    ws,
    authed: false,
    reply: () =>
      new Promise((r, j) => {
        const m = inbox.shift();
        if (m) return r(m);
        const t = setTimeout(() => j(new Error("no reply within 5 s")), 5000);
        waiting.push((x) => {
          clearTimeout(t);
          r(x);
        });
      }),
  };
}

async function rejected(): Promise<number> {
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  return metrics
    .split("\n")
    .filter((l) => l.startsWith("opswatch_ingest_rejected_total{"))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

describe("ingest fuzzing", () => {
  it(`answers ${RUNS.toLocaleString("en")} invalid frames each with a reason, and counts every one`, async () => {
    const before = await rejected();
    let conn = await open();
    const counts = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(frames, async (f) => {
        if (conn.ws.readyState !== WebSocket.OPEN) conn = await open();
        if (f.authed && !conn.authed) {
          conn.ws.send(JSON.stringify(hello()));
          expect((await conn.reply()) as ServerMessage).toMatchObject({ type: "welcome" });
          conn.authed = true;
        }
        conn.ws.send(f.data, { binary: f.binary });
        const m = await conn.reply();
        if (m === "closed") throw new Error(`${f.label}: connection closed without a reply`);
        if (m.type === "error") {
          expect(ErrorReason.options).toContain(m.reason);
          expect(m.message.length).toBeGreaterThan(0);
          expect(m.reason).not.toBe("not_authenticated"); // frames went where they could be judged
        } else if (m.type === "ack") {
          expect(f.label).toBe("result");
          expect(m.committed).toBe(0);
          expect(m.rejected).toHaveLength(1);
          expect(m.rejected[0]?.reason.length).toBeGreaterThan(0);
        } else throw new Error(`${f.label}: accepted (${m.type}): ${String(f.data).slice(0, 200)}`);
        const key = m.type === "ack" ? "ack(rejected result)" : m.reason;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (f.closes) {
          expect(m).toMatchObject({ type: "error", reason: "bad_token" });
          expect(await conn.reply()).toBe("closed");
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    conn.ws.close();
    console.log("replies:", Object.fromEntries(counts));
    // Every frame rejected once: 10,000 on the counter (the hellos that authenticate are not counted).
    expect((await rejected()) - before).toBe(RUNS);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
