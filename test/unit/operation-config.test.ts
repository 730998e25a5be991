import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../config/load.js";
import type { OperationCheck } from "../../config/schema.js";

/** A config with one operation check whose extra keys and steps are given as YAML flow text. */
const yaml = (steps: string, extra = "") => `targets:
  - id: biz
    name: 业务系统
    checks:
      - { id: login, kind: operation, ${extra} steps: ${steps} }
`;

function issues(text: string): string[] {
  try {
    parseConfig(text, "op.yaml");
  } catch (e) {
    if (e instanceof ConfigError)
      return e.message.split("\n").map((l) => l.replace(/^op\.yaml:\d+:\d+: /, ""));
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("operation config", () => {
  it("applies defaults and resolves secrets", () => {
    process.env.OPSWATCH_TEST_OP_SECRET = "from-env";
    const cfg = parseConfig(
      yaml(
        '[{ id: page, url: "https://biz.example/login" }, { id: api, url: "https://biz.example/api?s={{pw}}", max_redirects: 0 }]',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config secret from the environment
        'secrets: { pw: "${OPSWATCH_TEST_OP_SECRET}" },',
      ),
      "op.yaml",
    );
    const check = cfg.targets[0]?.checks[0] as OperationCheck;
    expect(check).toMatchObject({
      timeout: 30_000,
      max_redirects: 5,
      max_body_bytes: 10 * 1024 * 1024,
      tls: { verify: true },
      secrets: { pw: "from-env" },
    });
    expect(check.steps[0]).toMatchObject({ method: "GET", headers: {}, assertions: [], capture: {} });
    expect(check.steps[1]?.max_redirects).toBe(0);
  });

  it("names every step problem at its key", () => {
    const lines = issues(
      yaml(
        `[
          { id: Page, url: "https://biz.example/{{csrf}}", capture: { csrf: { regex: "value=\\\\w+" } } },
          { id: page, url: "ftp://biz.example/" },
          { id: page, url: "https://biz.example/", body: "t={{token}}", headers: { X-Csrf: "{{late}}" },
            capture: { late: { header: location }, pw: { json_path: "$.pw" } } }
        ]`,
        'secrets: { pw: "x" },',
      ),
    );
    expect(lines).toEqual([
      `targets[0].checks[0].steps[0].id: lower-case letters, digits and '_' (got "Page")`,
      'targets[0].checks[0].steps[0].capture.csrf.regex: needs a group ( … ): the value is group 1 (got "value=\\\\w+")',
      'targets[0].checks[0].steps[1].url: an http:// or https:// URL ({{name}} placeholders allowed) (got "ftp://biz.example/")',
      'targets[0].checks[0].steps[0].url: {{csrf}} is neither a secret nor captured by an earlier step (got "https://biz.example/{{csrf}}")',
      'targets[0].checks[0].steps[2].id: step id page is used twice (got "page")',
      'targets[0].checks[0].steps[2].body: {{token}} is neither a secret nor captured by an earlier step (got "t={{token}}")',
      'targets[0].checks[0].steps[2].headers.X-Csrf: {{late}} is neither a secret nor captured by an earlier step (got "{{late}}")',
      'targets[0].checks[0].steps[2].capture.pw: pw is the name of a secret (got {"json_path":"$.pw"})',
    ]);
  });

  it("says when a secret's environment variable is missing", () => {
    delete process.env.OPSWATCH_TEST_OP_UNSET;
    const lines = issues(
      yaml(
        '[{ id: page, url: "https://biz.example/" }]',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config secret from the environment
        'secrets: { pw: "${OPSWATCH_TEST_OP_UNSET}" },',
      ),
    );
    expect(lines).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config text quoted back
      'targets[0].checks[0].secrets.pw: environment variable OPSWATCH_TEST_OP_UNSET is not set (got "${OPSWATCH_TEST_OP_UNSET}")',
    ]);
  });
});
