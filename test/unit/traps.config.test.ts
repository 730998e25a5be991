// agent.traps in the config: defaults, secrets, and the problems check-config reports.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../config/load.js";

const agent = (traps: string) => `agent:
  id: a1
  server: ws://127.0.0.1:8080/ws/agent
  token: t
${traps}
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, "opswatch.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n");
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("agent.traps config", () => {
  it("is off by default, with a 5-minute dedup window", () => {
    const cfg = parseConfig(agent(""), "opswatch.yaml");
    expect(cfg.agent?.traps).toEqual({ communities: [], users: [], dedup_window: 300_000 });
  });

  it("reads listen, secret communities, v3 users and a fixed engine id", () => {
    process.env.OPSWATCH_TEST_TRAP_COMMUNITY = "s3cret";
    const cfg = parseConfig(
      agent(`  traps:
    listen: 0.0.0.0:162
    communities: ["\${OPSWATCH_TEST_TRAP_COMMUNITY}"]
    users:
      - { user: trapuser, level: authPriv, auth_protocol: sha256, auth_key: authpass123, priv_protocol: aes256b, priv_key: privpass123 }
      - { user: plain, level: noAuthNoPriv }
    engine_id: "0x8000B98380AABBCCDDEEFF0011"
    dedup_window: 90s`),
      "opswatch.yaml",
    );
    const t = cfg.agent?.traps;
    expect(t?.listen).toEqual({ host: "0.0.0.0", port: 162 });
    expect(t?.communities).toEqual(["s3cret"]);
    expect(t?.users.map((u) => [u.user, u.level])).toEqual([
      ["trapuser", "authPriv"],
      ["plain", "noAuthNoPriv"],
    ]);
    expect(t?.engine_id).toBe("0x8000B98380AABBCCDDEEFF0011");
    expect(t?.dedup_window).toBe(90_000);
  });

  it("names each problem with its key", () => {
    const lines = problems(
      agent(`  traps:
    listen: 127.0.0.1:1162
    users:
      - { user: u1, level: authPriv, auth_key: authpass123 }
      - { user: u2, level: noAuthNoPriv, auth_key: authpass123 }
    engine_id: xyz`),
    );
    const unquoted = problems(agent("  traps: { engine_id: 0x8000B98380AABBCCDDEEFF0011 }"));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/agent\.traps\.users\[0\]\.priv_key: required for level authPriv/),
        expect.stringMatching(/agent\.traps\.users\[1\]\.auth_key: not used at level noAuthNoPriv/),
        expect.stringMatching(/agent\.traps\.engine_id: hex, 5 to 32 octets/),
      ]),
    );
    expect(unquoted).toEqual([expect.stringMatching(/agent\.traps\.engine_id: put it in quotes/)]);
    expect(problems(agent("  traps: { listen: 127.0.0.1:1162 }"))).toEqual([
      expect.stringMatching(/agent\.traps\.communities: listen needs at least one community or user/),
    ]);
  });
});
