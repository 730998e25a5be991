// The server under test, in its own process so its CPU and RSS can be read from /proc/<pid>.
// argv[2]: JSON { database, synchronous, agents: [{ id, token }] }. Prints "listening <url>" on stdout;
// on SIGTERM closes the server (last commits and acks, then the SQLite file) and exits.
import { pino } from "pino";
import { Config } from "../config/schema.js";
import { startServer } from "../server/server.js";
import { benchTargets } from "./results.js";

interface ChildArgs {
  database: string;
  synchronous: "normal" | "full";
  agents: { id: string; token: string }[];
}

const args = JSON.parse(process.argv[2] ?? "") as ChildArgs;
const config = Config.parse({
  log_level: "error",
  server: {
    listen: "127.0.0.1:0",
    database: args.database,
    synchronous: args.synchronous,
    agents: args.agents,
  },
  targets: benchTargets,
});
if (!config.server) throw new Error("unreachable: server config missing");

// Logs go to stderr so that stdout carries only the URL line.
const logger = pino({ level: config.log_level }, pino.destination(2));
const server = await startServer({ ...config, server: config.server }, logger);
process.stdout.write(`listening ${server.url}\n`);

process.once("SIGTERM", () => {
  server.close().then(
    () => process.exit(0),
    (e) => {
      logger.error({ err: e }, "close failed");
      process.exit(1);
    },
  );
});
