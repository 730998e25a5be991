// A fleet of agent uplinks in one process, for the reconnect-storm test: N real Uplink + Spool pairs
// (the built agent/uplink.js, so the backoff under test is the agent's own), each with its own agent
// id and token. Prints one JSON line per connection change: {"i":7,"up":true,"t":<ms>}.
// Usage: node uplinks.mjs <dist dir> <port> <count> <reconnect max ms>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, port, count, reconnectMax] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(dist, p)).href);
const { Uplink } = await load("agent/uplink.js");
const { Spool } = await load("agent/spool.js");
const { createLogger } = await load("lib/log.js");

const logger = createLogger("silent");
const fleet = Array.from({ length: Number(count) }, (_, k) => {
  const agent = `s${k + 1}`;
  const spool = new Spool(":memory:");
  return new Uplink({
    url: `ws://127.0.0.1:${port}/ws/agent`,
    agent,
    token: `${agent}-t0ken`,
    version: "storm",
    spool,
    batchMax: 50,
    batchDelayMs: 20,
    inFlight: 1,
    reconnectMaxMs: Number(reconnectMax),
    logger,
  });
});
const up = fleet.map(() => false);
for (const u of fleet) u.start();
// Connection state is polled every 10 ms: the times are this precise, enough for 100-ms buckets.
setInterval(() => {
  const t = Date.now();
  fleet.forEach((u, i) => {
    if (u.connected !== up[i]) {
      up[i] = u.connected;
      process.stdout.write(`${JSON.stringify({ i, up: u.connected, t })}\n`);
    }
  });
}, 10);
process.on("SIGTERM", () => {
  Promise.all(fleet.map((u) => u.stop())).finally(() => process.exit(0));
});
