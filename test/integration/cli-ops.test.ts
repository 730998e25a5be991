// The operator commands (fault, maintenance, indicators, import) as an operator runs them: each a
// child `node dist/cli/opswatch.js …` talking HTTP to a real `opswatch server` child.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";

const OPERATOR = `op-${randomBytes(12).toString("hex")}`;
const VIEWER = `view-${randomBytes(12).toString("hex")}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let url: string;
let server: OpswatchProcess;

/** One CLI child; the token (if any) only through OPSWATCH_TOKEN, as an operator's shell would. */
async function cli(args: string[], token?: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPSWATCH_SERVER: url };
  delete env.OPSWATCH_TOKEN;
  if (token !== undefined) env.OPSWATCH_TOKEN = token;
  let r: Run;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env });
    r = { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    r = { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
  // Whatever happens: no token and no stack trace on the screen.
  for (const out of [r.stdout, r.stderr]) {
    expect(out).not.toContain(OPERATOR);
    expect(out).not.toContain(VIEWER);
    expect(out).not.toMatch(/\n\s+at /);
  }
  return r;
}

/** An ISO time with the site's +08:00 offset, `ms` from now. */
function shanghai(ms: number): string {
  return `${new Date(Date.now() + ms + 8 * 3_600_000).toISOString().slice(0, 16)}+08:00`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "opswatch-cli-ops-"));
  const port = await freePort("tcp");
  url = `http://127.0.0.1:${port}`;
  const config = join(dir, "opswatch.yaml");
  writeFileSync(
    config,
    `site:
  name: test site
  timezone: Asia/Shanghai
log_level: warn
server:
  listen: 127.0.0.1:${port}
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${join(dir, "opswatch.db")}
  api_tokens:
    - name: op-alice
      token: ${OPERATOR}
      role: operator
    - name: viewer-bob
      token: ${VIEWER}
      role: viewer
targets:
  - id: portal
    name: 区政府门户网站
    group: web
    indicators:
      - id: website_uptime
      - id: response_time
    checks:
      - id: home
        kind: http
        url: http://127.0.0.1:9/
`,
  );
  server = runOpswatch(["server", "-c", config]);
  await waitReady(server, `${url}/readyz`);
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
});

describe("operator CLI against a real server", { timeout: 90_000 }, () => {
  it("has --help on every new command", async () => {
    const commands = [
      "fault",
      "fault list",
      "fault show",
      "fault open",
      "fault ack",
      "fault resolve",
      "fault reopen",
      "fault escalate",
      "maintenance",
      "maintenance list",
      "maintenance create",
      "maintenance cancel",
      "indicators",
      "import",
    ];
    const runs = await Promise.all(commands.map((c) => cli([...c.split(" "), "--help"])));
    runs.forEach((r, i) => {
      expect(r.code, commands[i]).toBe(0);
      expect(r.stdout).toContain(`Usage: opswatch ${commands[i]}`);
      if (commands[i]?.includes(" ") || commands[i] === "indicators" || commands[i] === "import") {
        expect(r.stdout).toContain("--server <url>");
        expect(r.stdout).toContain("--token-file <file>");
        expect(r.stdout).not.toMatch(/--token </);
      }
    });
  });

  it("fault open → list → ack → show records the acknowledgement by the token's name; then escalate, resolve, reopen", async () => {
    const opened = await cli(
      [
        "fault",
        "open",
        "--target",
        "portal",
        "--title",
        "首页打不开 home page down",
        "--severity",
        "P3",
        "--json",
      ],
      OPERATOR,
    );
    expect(opened.code, opened.stderr).toBe(0);
    const id = String(JSON.parse(opened.stdout).id);

    const list = await cli(["fault", "list"]);
    expect(list.code, list.stderr).toBe(0);
    const row = list.stdout.split("\n").find((l) => l.startsWith(`${id} `));
    expect(row).toMatch(/P3\s+portal\s+首页打不开 home page down\s+open\s+\d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(row).toMatch(/pending\s+pending$/);
    expect(list.stdout).toContain("times in Asia/Shanghai");

    const ack = await cli(["fault", "ack", id, "--note", "on site, checking the web server"], OPERATOR);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toContain("acknowledged by op-alice: on site, checking the web server");

    const show = await cli(["fault", "show", id]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(
      /acknowledged\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d by op-alice: on site, checking the web server/,
    );
    expect(show.stdout).toMatch(/response: met/);
    const json = JSON.parse((await cli(["fault", "show", id, "--json"])).stdout);
    expect(json.acknowledged).toMatchObject({ actor: "op-alice", note: "on site, checking the web server" });

    const escalated = await cli(["fault", "escalate", id, "--severity", "P1"], OPERATOR);
    expect(escalated.code, escalated.stderr).toBe(0);
    expect(escalated.stdout).toContain("escalated to P1 by op-alice");
    const resolved = await cli(["fault", "resolve", id, "--note", "restarted nginx"], OPERATOR);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toMatch(/fault \d+ {2}P1 {2}resolved/);
    expect((await cli(["fault", "list", "--state", "open"])).stdout).not.toMatch(new RegExp(`^${id} `, "m"));
    const reopened = await cli(["fault", "reopen", id, "--note", "down again"], OPERATOR);
    expect(reopened.code, reopened.stderr).toBe(0);
    expect(reopened.stdout).toContain("reopened by op-alice: down again");
    expect((await cli(["fault", "list", "--state", "open", "--target", "portal"])).stdout).toMatch(
      new RegExp(`^${id} `, "m"),
    );

    // The server's refusal, as its message.
    const again = await cli(["fault", "escalate", id, "--severity", "P2"], OPERATOR);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("P2 is not more severe than P1");
    const unknown = await cli(["fault", "show", "999999"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no fault 999999");
  });

  it("a viewer token is refused with the server's message; no token says how to give one; --token-file works", async () => {
    const viewer = await cli(
      ["fault", "open", "--target", "portal", "--title", "x", "--severity", "P4"],
      VIEWER,
    );
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain('needs role operator, token "viewer-bob" has viewer');

    const none = await cli(["fault", "open", "--target", "portal", "--title", "x", "--severity", "P4"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: no API token: set OPSWATCH_TOKEN or pass --token-file FILE/);

    const wrong = await cli(
      ["fault", "open", "--target", "portal", "--title", "x", "--severity", "P4"],
      "not-a-token",
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("HTTP 401");

    const file = join(dir, "token");
    writeFileSync(file, `${OPERATOR}\n`, { mode: 0o600 });
    const viaFile = await cli([
      "fault",
      "open",
      "--target",
      "portal",
      "--title",
      "reported with a token file",
      "--severity",
      "P4",
      "--token-file",
      file,
    ]);
    expect(viaFile.code, viaFile.stderr).toBe(0);
    const missingFile = await cli(["fault", "list", "--token-file", join(dir, "nope")]);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toContain("--token-file: cannot read");
  });

  it("says which URL refused the connection", async () => {
    const closed = `http://127.0.0.1:${await freePort("tcp")}`;
    const r = await cli(["fault", "list", "--server", closed]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot connect to ${closed}: connection refused`);
  });

  it("maintenance create (future one-off) → list → cancel; a time without offset names --start", async () => {
    const start = shanghai(2 * 86_400_000);
    const end = shanghai(2 * 86_400_000 + 2 * 3_600_000);
    const created = await cli(
      [
        "maintenance",
        "create",
        "--target",
        "portal",
        "--start",
        start,
        "--end",
        end,
        "--reason",
        "web server upgrade",
        "--approved-by",
        "Director Wang",
      ],
      OPERATOR,
    );
    expect(created.code, created.stderr).toBe(0);
    const id = /maintenance window (\d+) created: targets portal/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(created.stderr).toBe("");

    const list = await cli(["maintenance", "list"]);
    expect(list.code, list.stderr).toBe(0);
    const row = list.stdout.split("\n").find((l) => l.startsWith(`${id} `));
    expect(row).toContain("targets portal");
    expect(row).toContain(start.slice(0, 10));
    expect(row).toMatch(/web server upgrade\s+Director Wang\s+op-alice\s+active$/);

    const cancelled = await cli(["maintenance", "cancel", id as string], OPERATOR);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`maintenance window ${id} cancelled`);
    const after = await cli(["maintenance", "list", "--json"]);
    const w = JSON.parse(after.stdout).windows.find((x: { id: string }) => x.id === id);
    expect(w).toMatchObject({ cancelledBy: "op-alice" });
    const twice = await cli(["maintenance", "cancel", id as string], OPERATOR);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("already cancelled");

    const bare = await cli(
      [
        "maintenance",
        "create",
        "--target",
        "portal",
        "--start",
        "2030-01-01T02:00",
        "--end",
        "2030-01-01T04:00+08:00",
        "--reason",
        "r",
        "--approved-by",
        "a",
      ],
      OPERATOR,
    );
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('--start: "2030-01-01T02:00" has no UTC offset');
    expect(bare.stderr).toContain("2030-01-01T02:00+08:00");

    const recurring = await cli(
      [
        "maintenance",
        "create",
        "--group",
        "web",
        "--every",
        "week",
        "--weekdays",
        "1,3",
        "--at",
        "02:00",
        "--duration",
        "2h",
        "--from",
        "2030-01-01",
        "--reason",
        "weekly patching",
        "--approved-by",
        "Director Wang",
      ],
      OPERATOR,
    );
    expect(recurring.code, recurring.stderr).toBe(0);
    expect(recurring.stdout).toContain("groups web, every week on Mon,Wed at 02:00 for 2h, from 2030-01-01");
  });

  it("import: 5 valid and 2 invalid lines → exit 1 naming the rejected lines; again → 0 imported, 5 duplicates", async () => {
    const now = Date.now();
    const valid = (i: number) =>
      JSON.stringify({
        target: "portal",
        check: "home",
        ts: new Date(now - (10 - i) * 60_000).toISOString(),
        ok: true,
        duration_ms: 100 + i,
      });
    const lines = [
      valid(0),
      valid(1),
      JSON.stringify({ target: "portal", ts: "2025-01-01T00:00:00", ok: true, duration_ms: 1 }), // line 3: no offset
      valid(2),
      valid(3),
      "{not json", // line 6
      valid(4),
    ];
    const file = join(dir, "backfill.ndjson");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const first = await cli(["import", file], OPERATOR);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/^lines\s+7$/m);
    expect(first.stdout).toMatch(/^imported\s+5$/m);
    expect(first.stdout).toMatch(/^duplicates\s+0$/m);
    expect(first.stdout).toMatch(/^rejected\s+2$/m);
    expect(first.stdout).toContain("line 3: ts: an ISO 8601 time with offset (Z or +08:00)");
    expect(first.stdout).toContain("line 6: not JSON");
    expect(first.stderr).toContain("2 line(s)");

    const second = await cli(["import", file, "--json"], OPERATOR);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ lines: 7, imported: 0, duplicates: 5, rejected: 2 });

    const viewer = await cli(["import", file], VIEWER);
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain("needs role operator");
    const missing = await cli(["import", join(dir, "missing.ndjson")], OPERATOR);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("ENOENT");
  });

  it("indicators: --json has the configured indicators; the table in zh-CN (default) and en", async () => {
    const json = await cli(["indicators", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const ids = (JSON.parse(json.stdout).indicators as { id: string }[]).map((i) => i.id);
    expect(ids).toEqual(
      expect.arrayContaining(["website_uptime", "fault_response_rate", "fault_completion_rate"]),
    );

    const zh = await cli(["indicators"]);
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout).toMatch(/指标\s+目标值\s+实际值\s+是否达标/);
    expect(zh.stdout).toMatch(/网站正常运行率 website_uptime\s+≥ 98\.00%\s+\d+\.\d\d%\s+(达标|未达标)/);
    expect(zh.stdout).toMatch(/区政府门户网站 \(portal\): \d+\.\d\d%; 覆盖率 \d+\.\d\d%/);
    expect(zh.stdout).toMatch(/系统对用户操作的响应时间 response_time\s+p95 ≤ 3000 ms\s+p95 \d+ ms/);

    const en = await cli(["indicators", "--lang", "en"]);
    expect(en.code, en.stderr).toBe(0);
    const table = en.stdout.split("\n\n")[1] ?? "";
    for (const id of [
      "website_uptime",
      "response_time",
      "ups_power_stability",
      "room_power_stability",
      "firewall_stability",
      "fault_response_rate",
      "fault_completion_rate",
      "inspection_pass_rate",
    ])
      expect(table).toMatch(new RegExp(` ${id}\\s+(≥|p95|—)`));
    expect(en.stdout).toMatch(/indicator\s+objective\s+actual\s+met/);
    expect(en.stdout).toMatch(
      /UPS power stability ups_power_stability\s+≥ 100\.00%\s+n\/a\s+pending \(n\/a\)/,
    );

    const bad = await cli(["indicators", "--month", "2025-13"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--month: "2025-13" is not a month YYYY-MM');
    const bare = await cli(["indicators", "--from", "2025-03-01"]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("--from");
    expect(bare.stderr).toContain("+08:00");
  });
});
