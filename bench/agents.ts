// Worker thread running some of the simulated agents. Each agent: hello → welcome, then keeps `window`
// batches in flight and times each batch from send to ack. Ack latencies and committed counts are kept
// only between the parent's "measure" and "stop" messages; on "stop" the agents send nothing new,
// wait for their outstanding acks, close, and the worker posts an AgentsReport.
import { parentPort, workerData } from "node:worker_threads";
import { WebSocket } from "ws";
import {
  AGENT_WS_PATH,
  type AgentMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../protocol/messages.js";
import { makeBatch } from "./results.js";

export interface AgentsInput {
  url: string; // http://host:port of the server
  agents: { id: string; token: string }[];
  batch: number;
  window: number;
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

const input = workerData as AgentsInput;
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
const post = (m: FromAgents) => parentPort?.postMessage(m);

function runAgent(id: string, token: string, onWelcome: () => void): Promise<void> {
  const ws = new WebSocket(input.url.replace(/^http/, "ws") + AGENT_WS_PATH, { perMessageDeflate: false });
  const inFlight = new Map<number, number>(); // batch id → send time (performance.now)
  let seq = 0;
  let nextId = 0;

  const sendBatch = () => {
    const results = makeBatch(id, seq + 1, input.batch);
    seq += input.batch;
    const msg: AgentMessage = { type: "batch", id: nextId, spool_depth: 0, results };
    inFlight.set(nextId++, performance.now());
    ws.send(JSON.stringify(msg));
  };

  return new Promise<void>((done) => {
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
        seq = msg.last_seq;
        onWelcome();
        for (let i = 0; i < input.window; i++) sendBatch();
      } else if (msg.type === "ack") {
        const sent = inFlight.get(msg.id);
        inFlight.delete(msg.id);
        report.totalCommitted += msg.committed;
        report.duplicates += msg.duplicates;
        report.rejected += msg.rejected.length;
        if (measuring && sent !== undefined) {
          report.latenciesMs.push(performance.now() - sent);
          report.measuredCommitted += msg.committed;
        }
        if (!stopping) sendBatch();
        finishIfDrained();
      } else {
        report.errors.push(`${id}: ${msg.reason}: ${msg.message}`);
        inFlight.delete(msg.id ?? -1);
      }
    });
    ws.on("error", (e) => report.errors.push(`${id}: ${e.message}`));
    ws.on("close", () => {
      clearInterval(stopCheck);
      if (!stopping) report.errors.push(`${id}: connection closed by the server`);
      done();
    });
  });
}

let welcomed = 0;
const all = input.agents.map((a) =>
  runAgent(a.id, a.token, () => {
    if (++welcomed === input.agents.length) post({ type: "ready" });
  }),
);
parentPort?.on("message", (m: ToAgents) => {
  if (m.type === "measure") measuring = true;
  else {
    measuring = false;
    stopping = true;
  }
});
await Promise.all(all);
post({ type: "report", report });
parentPort?.close();
