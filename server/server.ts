import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config, ServerConfig } from "../config/schema.js";
import type { Logger } from "../lib/log.js";
import { createApp } from "./api.js";
import { Ingest } from "./ingest.js";
import { LiveView } from "./live.js";
import { ServerMetrics } from "./metrics.js";
import { SqliteStore } from "./store/sqlite.js";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Opens the store, rebuilds the live view from it, and serves HTTP + agent ingest on one port. */
export async function startServer(
  config: Config & { server: ServerConfig },
  logger: Logger,
): Promise<RunningServer> {
  const sc = config.server;
  const store = new SqliteStore(sc.database, { synchronous: sc.synchronous });
  const live = new LiveView(config.targets);
  for (const r of await store.latest()) live.update(r);
  const metrics = new ServerMetrics(
    live,
    sc.agents.map((a) => a.id),
  );
  let ready = false;
  const http = createServer(createApp({ live, store, metrics, ready: () => ready }));
  const ingest = new Ingest(
    { store, live, metrics, agents: sc.agents, maxFrameBytes: sc.max_frame_bytes, logger },
    http,
  );
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(sc.listen.port, sc.listen.host, () => resolve());
  });
  ready = true;
  const port = (http.address() as AddressInfo).port;
  const host = sc.listen.host.includes(":") ? `[${sc.listen.host}]` : sc.listen.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, database: sc.database, targets: config.targets.length }, "server listening");
  return {
    url,
    port,
    async close() {
      ready = false;
      await ingest.close();
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
      await store.close();
      logger.info("server stopped");
    },
  };
}
