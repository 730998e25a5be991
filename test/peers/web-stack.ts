// A whole opswatch for browser tests, started as an operator would: `opswatch start -c <config>` (server +
// embedded agent + the demo's UPS SNMP simulator, portal simulator and sim_control endpoint), on free
// loopback ports, SQLite in a temp dir, 1-s checks; console users and API tokens made with the CLI first.
//
//     const stack = await startWebStack();
//     await stack.outage(30);            // the portal answers 503 for 30 s
//     await stack.ups("mains=fail");     // POST /ups/state?mains=fail
//     await stack.stop();
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { CLI, type OpswatchProcess, runOpswatch, waitReady } from "./opswatch.js";
import { freePort } from "./ports.js";

const run = promisify(execFile);

export type Role = "viewer" | "operator" | "admin";

export interface WebStack {
  /** e.g. "http://127.0.0.1:41234" (no trailing slash). */
  url: string;
  /** The simulators' control endpoint, e.g. "http://127.0.0.1:41235" (POST /ups/state?mains=fail). */
  simControl: string;
  /** The portal simulator's home page (the "portal" target's URL). */
  siteUrl: string;
  site: { name: string; timezone: string };
  /**
   * The Chinese data of the config (site name, target names, inspection names and items): shown as is
   * in English too — pass them, plus whatever the test typed, to englishLeak().
   */
  dataTexts: string[];
  /** Console logins: admin, operator, viewer (name = role). */
  users: Record<Role, { name: string; password: string }>;
  /** API bearer tokens per role (made with `opswatch token create`). */
  tokens: Record<Role, string>;
  /** The generated config file and the temp dir holding it, the database and the spool. */
  configPath: string;
  dir: string;
  /** Makes the portal answer 503 for `seconds` (POST /sim/outage on the portal simulator). */
  outage(seconds: number): Promise<void>;
  /** POST /ups/state?<query> on the simulator control endpoint, e.g. "mains=fail" or "reset". */
  ups(query: string): Promise<unknown>;
  /** fetch against the API with a role's bearer token; JSON body when given. */
  api(role: Role, pathname: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  /** Runs `opswatch <args> -c <config>` and returns its stdout. */
  cli(args: string[]): Promise<string>;
  process: OpswatchProcess;
  stop(): Promise<void>;
}

export interface WebStackOptions {
  /** server.status_page (default true). */
  statusPage?: boolean;
  /** server.anonymous_read (default false: the API needs a login or token, the status page is public). */
  anonymousRead?: boolean;
  /** Last word on the generated config (an object as YAML would parse it). */
  edit?: (config: Record<string, unknown>) => void;
}

export const SITE = { name: "测试区政务数据中心", timezone: "Asia/Shanghai" } as const;

/** Starts the stack; resolves once /healthz answers and the UI is served. */
export async function startWebStack(o: WebStackOptions = {}): Promise<WebStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "opswatch-web-"));
  const [port, upsPort, sitePort, controlPort] = await Promise.all([
    freePort("tcp"),
    freePort("udp"),
    freePort("tcp"),
    freePort("tcp"),
  ]);
  const agentToken = "web-test-agent-token";
  const config: Record<string, unknown> = {
    site: { ...SITE },
    log_level: "warn",
    demo: {
      ups_snmp: `127.0.0.1:${upsPort}`,
      http_site: `127.0.0.1:${sitePort}`,
      sim_control: `127.0.0.1:${controlPort}`,
    },
    server: {
      listen: `127.0.0.1:${port}`,
      database: path.join(dir, "opswatch.db"),
      anonymous_read: o.anonymousRead ?? false,
      status_page: o.statusPage ?? true,
      indicator_refresh: "2s",
      synchronous: "normal",
      agents: [{ id: "web-agent", token: agentToken }],
    },
    agent: {
      id: "web-agent",
      server: `ws://127.0.0.1:${port}/ws/agent`,
      token: agentToken,
      spool: path.join(dir, "spool.db"),
    },
    targets: [
      {
        id: "portal",
        name: "区政府门户网站",
        group: "web",
        indicators: [{ id: "website_uptime" }, { id: "response_time" }],
        checks: [
          {
            id: "home",
            kind: "http",
            url: `http://127.0.0.1:${sitePort}/`,
            interval: "1s",
            timeout: "900ms",
            keyword: "区政府门户网站",
          },
        ],
      },
      {
        id: "ups-1",
        name: "1号机房 UPS",
        group: "power",
        indicators: [{ id: "ups_power_stability" }, { id: "room_power_stability" }],
        checks: [
          {
            id: "snmp",
            kind: "snmp",
            address: `127.0.0.1:${upsPort}`,
            interval: "1s",
            timeout: "900ms",
            profile: "ups-rfc1628",
          },
        ],
      },
    ],
    inspections: [
      {
        id: "daily",
        name: "每日巡检",
        schedule: "0 9 * * *",
        manual_items: [{ id: "room_temp", text: "机房温度正常", targets: ["ups-1"] }],
      },
    ],
  };
  o.edit?.(config);
  const configPath = path.join(dir, "opswatch.yaml");
  writeFileSync(configPath, stringify(config));

  const cli = async (args: string[]) =>
    (await run(process.execPath, [CLI, ...args, "-c", configPath], { cwd: dir })).stdout;

  const roles: Role[] = ["admin", "operator", "viewer"];
  const users = {} as WebStack["users"];
  const tokens = {} as WebStack["tokens"];
  try {
    for (const role of roles) {
      const password = `${role}-password-for-tests`;
      const file = path.join(dir, `${role}.password`);
      writeFileSync(file, `${password}\n`, { mode: 0o600 });
      await cli(["user", "add", role, "--role", role, "--password-file", file]);
      users[role] = { name: role, password };
      tokens[role] = (await cli(["token", "create", "--name", `test-${role}`, "--role", role])).trim();
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const proc = runOpswatch(["start", "-c", configPath], { logFile: path.join(dir, "opswatch.log") });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(proc, `${url}/healthz`);
    await waitReady(proc, `${url}/`);
  } catch (e) {
    await stop();
    throw e;
  }
  const simControl = `http://127.0.0.1:${controlPort}`;
  const siteUrl = `http://127.0.0.1:${sitePort}/`;
  const targets = config.targets as { name: string }[];
  const inspections = config.inspections as { name: string; manual_items?: { text: string }[] }[];
  const dataTexts = [
    (config.site as { name: string }).name,
    ...targets.map((t) => t.name),
    ...inspections.flatMap((i) => [i.name, ...(i.manual_items ?? []).map((m) => m.text)]),
  ];
  return {
    url,
    simControl,
    dataTexts,
    siteUrl,
    site: { ...SITE },
    users,
    tokens,
    configPath,
    dir,
    process: proc,
    cli,
    async outage(seconds) {
      const r = await fetch(`${siteUrl}sim/outage?seconds=${seconds}`, { method: "POST" });
      if (!r.ok) throw new Error(`portal simulator outage: ${r.status}`);
    },
    async ups(query) {
      const r = await fetch(`${simControl}/ups/state?${query}`, { method: "POST" });
      const body = await r.json();
      if (!r.ok) throw new Error(`ups simulator ${query}: ${r.status} ${JSON.stringify(body)}`);
      return body;
    },
    api(role, pathname, init = {}) {
      return fetch(`${url}${pathname}`, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers: {
          authorization: `Bearer ${tokens[role]}`,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    },
    stop,
  };
}
