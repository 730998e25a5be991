import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../config/json-schema.js";
import { ConfigError, loadConfig, parseConfig } from "../../config/load.js";

const fixture = (name: string) => join(import.meta.dirname, "../fixtures/config", name);

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n");
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("config loading", () => {
  it("names file, line, key path and expectation for every problem at once", () => {
    const file = fixture("bad-types.yaml");
    const lines = issues(() => loadConfig(file));
    expect(lines).toHaveLength(3);
    expect(lines).toContain(
      `${file}:13:9: targets[0].checks[0].interval: a duration such as 500ms, 30s, 5m, 1h (got "30 seconds")`,
    );
    expect(lines).toContain(`${file}:18:9: targets[0].checks[1].url: expected string, got 3`);
    expect(lines).toContain(`${file}:9:5: targets[0]: unknown key(s) "colour"`);
  });

  it("reports malformed YAML with its position", () => {
    const file = fixture("malformed.yaml");
    const [line] = issues(() => loadConfig(file));
    expect(line).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: \\(file\\): YAML: `),
    );
  });

  it("applies defaults and converts durations and addresses", () => {
    const cfg = parseConfig(
      `targets:
  - id: fw
    name: FW
    checks:
      - { id: t, kind: tcp, address: "10.0.0.1:443", interval: 1.5m }`,
      "inline.yaml",
    );
    const check = cfg.targets[0]?.checks[0];
    expect(check).toMatchObject({
      kind: "tcp",
      address: { host: "10.0.0.1", port: 443 },
      interval: 90_000,
      timeout: 10_000,
    });
    expect(cfg.site.timezone).toBe("Asia/Shanghai");
    expect(cfg.targets[0]?.group).toBe("default");
  });

  it("resolves secrets from the environment and from files next to the config", () => {
    const dir = mkdtempSync(join(tmpdir(), "opswatch-cfg-"));
    writeFileSync(join(dir, "token.txt"), "from-file\n");
    process.env.OPSWATCH_TEST_TOKEN = "from-env";
    const file = join(dir, "c.yaml");
    writeFileSync(
      file,
      `server:
  agents:
    - { id: a, token: "\${OPSWATCH_TEST_TOKEN}" }
    - { id: b, token: "file:token.txt" }`,
    );
    expect(loadConfig(file).server?.agents.map((a) => a.tokens)).toEqual([["from-env"], ["from-file"]]);
    writeFileSync(file, `server:\n  agents:\n    - { id: a, token: "\${OPSWATCH_UNSET_VAR}" }`);
    expect(issues(() => loadConfig(file))).toEqual([
      `${file}:3:16: server.agents[0].token: environment variable OPSWATCH_UNSET_VAR is not set (got "\${OPSWATCH_UNSET_VAR}")`,
    ]);
  });

  it("resolves only the secrets of the sections the reading process uses", () => {
    const text = `server:
  agents: [{ id: a, token: "\${OPSWATCH_SERVER_ONLY_SECRET}" }]
agent:
  id: a
  server: ws://127.0.0.1:8080/ws/agent
  token: literal-agent-token`;
    // The agent never sees the server's secrets, so it needs none of them in its environment.
    expect(parseConfig(text, "shared.yaml", "agent").agent?.token).toBe("literal-agent-token");
    expect(parseConfig(text, "shared.yaml", "agent").server).toBeUndefined();
    // The server, and a check of the whole file, must resolve them.
    expect(issues(() => parseConfig(text, "shared.yaml", "server"))[0]).toMatch(
      /OPSWATCH_SERVER_ONLY_SECRET is not set/,
    );
    expect(issues(() => parseConfig(text, "shared.yaml"))[0]).toMatch(
      /OPSWATCH_SERVER_ONLY_SECRET is not set/,
    );
  });

  it("rejects duplicate ids and bad cron expressions", () => {
    const lines = issues(() =>
      parseConfig(
        `targets:
  - { id: a, name: A, checks: [{ id: c, kind: host }, { id: c, kind: host, schedule: "61 * * * *" }] }
  - { id: a, name: A2, checks: [{ id: c, kind: host }] }`,
        "dup.yaml",
      ),
    );
    expect(lines.some((l) => l.includes("targets[0].checks[1].schedule: a cron expression"))).toBe(true);
    const dups = issues(() =>
      parseConfig(
        `targets:
  - { id: a, name: A, checks: [{ id: c, kind: host }, { id: c, kind: host }] }
  - { id: a, name: A2, checks: [{ id: c, kind: host }] }`,
        "dup.yaml",
      ),
    );
    expect(dups).toEqual([
      'dup.yaml:2:57: targets[0].checks[1].id: duplicate check id "c" in target',
      'dup.yaml:3:7: targets[1].id: duplicate target id "a"',
    ]);
  });

  it("ships example and demo configs that validate", () => {
    // the example takes its secrets from the environment, as a real site would
    Object.assign(process.env, {
      OPSWATCH_TOKEN_AGENT_DC1: "t1",
      OPSWATCH_TOKEN_AGENT_OUTSIDE: "t2",
      OPSWATCH_SNMP_COMMUNITY: "c",
      OPSWATCH_UPS1_AUTH_KEY: "auth-key-1",
      OPSWATCH_UPS1_PRIV_KEY: "priv-key-1",
      OPSWATCH_FW_COMMUNITY: "f",
      OPSWATCH_TRAP_COMMUNITY: "t",
      OPSWATCH_TRAP_AUTH_KEY: "auth-key-2",
      OPSWATCH_TRAP_PRIV_KEY: "priv-key-2",
      OPSWATCH_OA_PASSWORD: "oa-password",
      // notification channels
      OPSWATCH_WECOM_KEY: "k",
      OPSWATCH_DINGTALK_TOKEN: "t",
      OPSWATCH_DINGTALK_SECRET: "s",
      OPSWATCH_FEISHU_HOOK: "h",
      OPSWATCH_FEISHU_SECRET: "s",
      OPSWATCH_WEBHOOK_TOKEN: "w",
      OPSWATCH_WEBHOOK_HMAC: "m",
      OPSWATCH_SMTP_PASSWORD: "p",
    });
    for (const f of ["opswatch.example.yaml", "demo.yaml"]) {
      expect(() => loadConfig(join(import.meta.dirname, "../../config", f))).not.toThrow();
    }
  });

  it("commits a JSON Schema that matches the zod schemas", () => {
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../config/opswatch.schema.json"), "utf8"),
    );
    expect(committed).toEqual(configJsonSchema());
  });
});
