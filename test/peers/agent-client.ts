// A raw agent for integration tests: authenticates over the real WebSocket protocol and sends results
// batch by batch, continuing the sequence the server reports on welcome (like a reconnecting agent).
import { WebSocket } from "ws";
import { AGENT_WS_PATH, type Result } from "../../protocol/messages.js";

export type Outcome = Pick<Result, "target" | "check" | "kind" | "ts" | "ok" | "values"> & {
  duration_ms?: number;
};

export interface AgentClient {
  /** Sends the results as one batch; resolves with the server's reply (an ack, or an error frame). */
  send(results: readonly Outcome[]): Promise<Record<string, unknown>>;
  /** Sends the last batch again, as an agent does after a lost ack. */
  replay(): Promise<Record<string, unknown>>;
  close(): void;
}

export async function connectAgent(
  port: number,
  { agent = "a1", token = "agent-token", clockMs = Date.now() } = {},
): Promise<AgentClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${AGENT_WS_PATH}`);
  const inbox: ((m: Record<string, unknown>) => void)[] = [];
  ws.on("message", (d) => inbox.shift()?.(JSON.parse(d.toString())));
  const next = () => new Promise<Record<string, unknown>>((r) => inbox.push(r));
  await new Promise((r, j) => ws.once("open", r).once("error", j));
  ws.send(
    JSON.stringify({ type: "hello", v: 1, agent, token, version: "test", spool_depth: 0, clock_ms: clockMs }),
  );
  const welcome = await next();
  if (welcome.type !== "welcome") throw new Error(`no welcome: ${JSON.stringify(welcome)}`);
  let seq = Number(welcome.last_seq);
  let last = "";
  return {
    send(results) {
      const batch = results.map((r) => ({ v: 1, agent, seq: ++seq, duration_ms: 5, ...r }));
      last = JSON.stringify({ type: "batch", id: seq, spool_depth: 0, results: batch });
      ws.send(last);
      return next();
    },
    replay() {
      ws.send(last);
      return next();
    },
    close: () => ws.close(),
  };
}
