// The notifications section of the config: defaults, per-kind fields, secrets and mistakes.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../config/load.js";

function issues(text: string): string[] {
  try {
    parseConfig(text, "n.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n");
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("notifications config", () => {
  it("defaults to no channels, a 10 s group window, a 10 min dedupe window and a 1 min overdue check", () => {
    expect(parseConfig("", "n.yaml").notifications).toEqual({
      group_wait: 10_000,
      dedupe_window: 600_000,
      overdue_check: 60_000,
      timeout: 10_000,
      retries: 5,
      retry_backoff: 2000,
      channels: [],
    });
  });

  it("takes each kind's fields, resolves secrets from the environment and trims base URLs", () => {
    process.env.OPSWATCH_TEST_WECOM = "wecom-from-env";
    const n = parseConfig(
      `notifications:
  channels:
    - { id: w, kind: wecom, key: "\${OPSWATCH_TEST_WECOM}", base_url: "http://127.0.0.1:9/", severities: [P1], rate_limit: { messages: 10 } }
    - { id: d, kind: dingtalk, access_token: t, secret: SECx, events: [opened, attached] }
    - { id: f, kind: feishu, hook: h }
    - { id: m, kind: email, host: smtp.example, from: "a <a@example.gov.cn>", to: [b@example.gov.cn] }`,
      "n.yaml",
    ).notifications;
    expect(n.channels[0]).toEqual({
      id: "w",
      kind: "wecom",
      key: "wecom-from-env",
      base_url: "http://127.0.0.1:9",
      severities: ["P1"],
      rate_limit: { messages: 10, per: 60_000 },
    });
    expect(n.channels[1]).toMatchObject({
      base_url: "https://oapi.dingtalk.com",
      events: ["opened", "attached"],
    });
    expect(n.channels[2]).toMatchObject({ base_url: "https://open.feishu.cn" });
    expect(n.channels[3]).toMatchObject({ secure: false, tls_verify: true });
  });

  it("names every mistake with its position", () => {
    const lines = issues(`notifications:
  console_url: https://console.example/faults
  channels:
    - { id: a, kind: wecom, key: k }
    - { id: a, kind: webhook, url: "ftp://x" }
    - { id: b, kind: sms, to: x }
    - { id: c, kind: email, host: h, from: "x <x@y.cn>", to: [not-an-address] }
    - { id: d, kind: wecom, key: k, events: [paged] }`);
    expect(
      lines.some((l) =>
        /^n\.yaml:2:3: notifications\.console_url: an http\(s\) URL containing \{id\}/.test(l),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith("n.yaml:5:") && l.includes("notifications.channels[1].url"))).toBe(
      true,
    );
    expect(lines.some((l) => l.includes("notifications.channels[2].kind"))).toBe(true);
    expect(lines.some((l) => l.includes("notifications.channels[3].to[0]"))).toBe(true);
    expect(lines.some((l) => l.includes("notifications.channels[4].events[0]"))).toBe(true);
    expect(
      issues(`notifications:
  channels:
    - { id: a, kind: wecom, key: k }
    - { id: a, kind: feishu, hook: h }`),
    ).toEqual(['n.yaml:4:9: notifications.channels[1].id: duplicate channel id "a" (got "a")']);
  });
});
