// Child process (forked, with an IPC channel) running some of the simulated agents.
// Each agent: hello → welcome, then streams batches with at most `window` in flight and times each batch
// until its ack. Closed loop (rate 0): a batch is sent as soon as the window allows, latency counts from
// the send. Open loop (rate > 0): batches are due at a fixed pace and latency counts from when a batch
// was due, so time spent waiting for a window slot is included (no coordinated omission).
// Latencies and committed counts are kept only between the parent's "measure" and "stop"; on "stop" the
// agents send nothing new, wait for their outstanding acks, close, and the process reports.
import { WebSocket } from "ws";
import {
  AGENT_WS_PATH,
  type AgentMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../protocol/messages.js";
import { ResultSource } from "./results.js";

export interface AgentsInput {
  url: string; // http://host:port of the server
  agents: { id: string; token: string }[];
  batch: number;
  window: number;
  batchesPerSec: number; // per agent; 0 = closed loop
  spreadMs: number;
}

export interface AgentsReport {
  latenciesMs: number[]; // one per batch acked while measuring
  measuredCommitted: number; // results acked as committed while measuring
  totalCommitted: number; // over the whole run, for the SELECT count(*) check
  duplicates: number;
  rejected: number;
  errors: string[];
}

export type FromAgents = { type: "ready" } | { type: "report"; report: AgentsReport };
export type ToAgents = { type: "measure" } | { type: "stop" };

const input = JSON.parse(process.argv[2] ?? "") as AgentsInput;
const report: AgentsReport = {
  latenciesMs: [],
  measuredCommitted: 0,
  totalCommitted: 0,
  duplicates: 0,
  rejected: 0,
  errors: [],
};
let measuring = false;
let stopping = false;

function runAgent(id: string, token: string, onWelcome: () => void): Promise<void> {
  const ws = new WebSocket(input.url.replace(/^http/, "ws") + AGENT_WS_PATH, { perMessageDeflate: false });
  const inFlight = new Map<number, number>(); // batch id → start of its latency (performance.now)
  const due: number[] = []; // open loop: times at which batches became due and were not sent yet
  let source: ResultSource | undefined;
  let nextId = 0;

  const pump = () => {
    while (source && !stopping && ws.readyState === WebSocket.OPEN && inFlight.size < input.window) {
      const start = input.batchesPerSec > 0 ? due.shift() : performance.now();
      if (start === undefined) return;
      const msg: AgentMessage = {
        type: "batch",
        id: nextId,
        spool_depth: due.length * input.batch,
        results: source.batch(input.batch),
      };
      inFlight.set(nextId++, start);
      ws.send(JSON.stringify(msg));
    }
  };

  return new Promise<void>((done) => {
    let ticker: NodeJS.Timeout | undefined;
    const finishIfDrained = () => {
      if (stopping && inFlight.size === 0) ws.close(1000);
    };
    const stopCheck = setInterval(finishIfDrained, 50);
    ws.on("open", () => {
      const hello: AgentMessage = {
        type: "hello",
        v: PROTOCOL_VERSION,
        agent: id,
        token,
        version: "bench",
        spool_depth: 0,
        clock_ms: Date.now(),
      };
      ws.send(JSON.stringify(hello));
    });
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString()) as ServerMessage;
      if (msg.type === "welcome") {
        source = new ResultSource(id, msg.last_seq, input.spreadMs);
        onWelcome();
        if (input.batchesPerSec > 0) {
          // Agents start at random phases so their batches do not arrive in lockstep.
          const interval = 1000 / input.batchesPerSec;
          let next = performance.now() + Math.random() * interval;
          ticker = setInterval(() => {
            for (const now = performance.now(); next <= now; next += interval) due.push(next);
            pump();
          }, 2);
        }
        pump();
      } else if (msg.type === "ack") {
        const start = inFlight.get(msg.id);
        inFlight.delete(msg.id);
        report.totalCommitted += msg.committed;
        report.duplicates += msg.duplicates;
        report.rejected += msg.rejected.length;
        if (measuring && start !== undefined) {
          report.latenciesMs.push(performance.now() - start);
          report.measuredCommitted += msg.committed;
        }
        pump();
        finishIfDrained();
      } else {
        report.errors.push(`${id}: ${msg.reason}: ${msg.message}`);
        inFlight.delete(msg.id ?? -1);
      }
    });
    ws.on("error", (e) => report.errors.push(`${id}: ${e.message}`));
    ws.on("close", () => {
      clearInterval(stopCheck);
      clearInterval(ticker);
      if (!stopping) report.errors.push(`${id}: connection closed by the server`);
      done();
    });
  });
}

let welcomed = 0;
const all = input.agents.map((a) =>
  runAgent(a.id, a.token, () => {
    if (++welcomed === input.agents.length) process.send?.({ type: "ready" } satisfies FromAgents);
  }),
);
process.on("message", (m: ToAgents) => {
  measuring = m.type === "measure";
  stopping = m.type === "stop";
});
await Promise.all(all);
// Disconnect only once the (possibly large) report is written, or the channel would drop it.
process.send?.({ type: "report", report } satisfies FromAgents, undefined, {}, () => process.disconnect());
