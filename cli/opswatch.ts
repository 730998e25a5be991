#!/usr/bin/env node
// The one opswatch command: server, agent, start (both + demo simulators), check-config, schema, and the
// operator commands (fault, maintenance, indicators, import), thin HTTP clients of the server API.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { configJsonSchema } from "../config/json-schema.js";
import { ConfigError, type ConfigRole, loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { createLogger, type Logger } from "../lib/log.js";
import { VERSION } from "../lib/version.js";
import { describeDatabase } from "../server/store/open.js";
import { registerBackupCommands } from "./backup.js";
import { registerFaultCommands } from "./faults.js";
import { registerImportCommand } from "./import.js";
import { registerIndicatorsCommand } from "./indicators.js";
import { registerMaintenanceCommands } from "./maintenance.js";
import { reloadOnSighup } from "./reload.js";
import { registerReportCommand } from "./report.js";
import { registerSimulateCommand } from "./simulate.js";
import { registerTokenCommands } from "./tokens.js";
import { registerUserCommands } from "./users.js";

// Server, agent and simulators load only for the commands that run them: the API client commands
// (fault, maintenance, indicators, import) then start in a fraction of the time.
const startServer = async (...a: Parameters<typeof import("../server/server.js").startServer>) =>
  (await import("../server/server.js")).startServer(...a);
const startAgent = async (...a: Parameters<typeof import("../agent/agent.js").startAgent>) =>
  (await import("../agent/agent.js")).startAgent(...a);
const startDemoSimulators = async (...a: Parameters<typeof import("../sim/demo.js").startDemoSimulators>) =>
  (await import("../sim/demo.js")).startDemoSimulators(...a);

const DEMO_CONFIG = fileURLToPath(new URL("../../config/demo.yaml", import.meta.url));

/** Loads a config or exits 1 with every problem listed (file:line:col: key: expectation), never a stack. */
function load(file: string, role?: ConfigRole): Config {
  try {
    return loadConfig(file, role);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n${e.issues.length} problem(s) in ${file}\n`);
    process.exit(1);
  }
}

function need<C extends Config, K extends "server" | "agent">(
  cfg: C,
  key: K,
  file: string,
): C & Required<Pick<Config, K>> {
  if (!cfg[key]) {
    process.stderr.write(`${file}: ${key}: section missing (needed by this command)\n`);
    process.exit(1);
  }
  return cfg as C & Required<Pick<Config, K>>;
}

/** Runs until SIGINT/SIGTERM, then stops the parts in reverse order. */
function untilSignal(log: Logger, stops: (() => Promise<void>)[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    for (const s of stops.reverse()) await s().catch((e) => log.error({ err: e }, "error while stopping"));
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

const program = new Command()
  .name("opswatch")
  .description("Prove, minute by minute and month by month, that a data center meets its service targets.")
  .version(VERSION)
  .showHelpAfterError();

program
  .command("server")
  .description("run the server: agent ingest (ws), store, /metrics and the API")
  .requiredOption("-c, --config <file>", "config file (YAML)")
  .action(async (o: { config: string }) => {
    const cfg = need(load(o.config, "server"), "server", o.config);
    const log = createLogger(cfg.log_level, "opswatch-server");
    const srv = await startServer(cfg, log);
    reloadOnSighup(o.config, "server", log, (next) => {
      if (!next.server) throw new Error("server: section missing");
      return srv.reload({ ...next, server: next.server });
    });
    untilSignal(log, [() => srv.close()]);
  });

program
  .command("agent")
  .description("run an agent: probe the targets on schedule, spool results, stream them to the server")
  .requiredOption("-c, --config <file>", "config file (YAML)")
  .action(async (o: { config: string }) => {
    const cfg = need(load(o.config, "agent"), "agent", o.config);
    const log = createLogger(cfg.log_level, "opswatch-agent");
    const agent = await startAgent(cfg, log);
    reloadOnSighup(o.config, "agent", log, (next) => {
      if (!next.agent) throw new Error("agent: section missing");
      agent.reload(next.agent);
    });
    untilSignal(log, [() => agent.stop()]);
  });

program
  .command("start")
  .description(
    "run server and an embedded agent together; with no --config, the demo with built-in simulators",
  )
  .option("-c, --config <file>", "config file (YAML)", DEMO_CONFIG)
  .action(async (o: { config: string }) => {
    const cfg = need(need(load(o.config), "server", o.config), "agent", o.config);
    const log = createLogger(cfg.log_level);
    const stops: (() => Promise<void>)[] = [];
    try {
      if (cfg.demo) stops.push(await startDemoSimulators(cfg.demo, log));
      const srv = await startServer(cfg, log);
      stops.push(() => srv.close());
      const agent = await startAgent(cfg, log);
      stops.push(() => agent.stop());
      reloadOnSighup(o.config, undefined, log, async (next) => {
        if (!next.server || !next.agent) throw new Error("server and agent sections are both needed");
        await srv.reload({ ...next, server: next.server });
        agent.reload(next.agent);
      });
      process.stdout.write(
        [
          "",
          `opswatch ${VERSION} is running (Ctrl-C stops it)`,
          `  status    ${srv.url}/status`,
          `  console   ${srv.url}/console${cfg.demo?.users.length ? ` (logins: ${cfg.demo.users.map((u) => `${u.name} / ${u.password}`).join(", ")})` : ""}`,
          `  metrics   ${srv.url}/metrics`,
          `  targets   ${srv.url}/api/v1/targets`,
          `  health    ${srv.url}/healthz`,
          `  data      ${describeDatabase(cfg.server.database)} (server store), ${cfg.agent.spool} (agent spool)`,
          `  config    ${o.config}`,
          "",
        ].join("\n"),
      );
    } catch (e) {
      log.fatal({ err: e }, "could not start");
      for (const s of stops.reverse()) await s().catch(() => {});
      process.exit(1);
    }
    untilSignal(log, stops);
  });

program
  .command("check-config")
  .description("validate config files; prints every problem with file, line, key and what was expected")
  .argument("<files...>", "config files (YAML)")
  .action((files: string[]) => {
    let bad = 0;
    for (const f of files) {
      try {
        const cfg = loadConfig(f);
        const checks = cfg.targets.reduce((n, t) => n + t.checks.length, 0);
        process.stdout.write(`ok: ${f} (${cfg.targets.length} targets, ${checks} checks)\n`);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        bad++;
        process.stderr.write(`${e.message}\n`);
      }
    }
    process.exit(bad ? 1 : 0);
  });

program
  .command("schema")
  .description(
    "print (or write) the JSON Schema of the config file (or, with --report, of the monthly report), generated from the zod schemas",
  )
  .option("-o, --out <file>", "write to this file instead of stdout")
  .option("--report", "the report model's schema (docs/report-schema.json) instead of the config's")
  .action(async (o: { out?: string; report?: boolean }) => {
    const schema = o.report
      ? (await import("../server/report/model.js")).reportJsonSchema()
      : configJsonSchema();
    const text = `${JSON.stringify(schema, null, 2)}\n`;
    if (o.out) writeFileSync(o.out, text);
    else process.stdout.write(text);
  });

registerFaultCommands(program);
registerMaintenanceCommands(program);
registerIndicatorsCommand(program);
registerImportCommand(program);
registerReportCommand(program);
registerSimulateCommand(program);
registerUserCommands(program);
registerTokenCommands(program);
registerBackupCommands(program);

await program.parseAsync();
