// The SNMP check's transport settings: version 3 with a USM block whose keys match its level.
import { describe, expect, it } from "vitest";
import { Check, type SnmpCheck } from "../../config/schema.js";

const base = {
  id: "ups1",
  kind: "snmp",
  address: "10.1.1.20:161",
  oids: { "sys.uptime": "1.3.6.1.2.1.1.3.0" },
};
const problems = (fields: Record<string, unknown>) => {
  const parsed = Check.safeParse({ ...base, ...fields });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("SNMP check transport config", () => {
  it("defaults to v2c, 20 repetitions per GETBULK, no v3 block", () => {
    const check = Check.parse(base) as SnmpCheck;
    expect([check.version, check.max_repetitions, check.v3]).toEqual(["2c", 20, undefined]);
  });

  it("reads YAML's numeric versions 1 and 3, and refuses 2", () => {
    expect((Check.parse({ ...base, version: 1 }) as SnmpCheck).version).toBe("1");
    expect(problems({ version: 2 })).toEqual(["version: 1, 2c or 3"]);
  });

  it("takes a v3 user with secret keys from the environment", () => {
    process.env.TEST_UPS_PRIV = "privpass123";
    const check = Check.parse({
      ...base,
      version: 3,
      v3: {
        user: "ops",
        auth_protocol: "sha256",
        auth_key: "authpass123",
        priv_protocol: "aes256b",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${ENV} secret syntax
        priv_key: "${TEST_UPS_PRIV}",
      },
    }) as SnmpCheck;
    expect(check.v3).toEqual({
      user: "ops",
      level: "authPriv", // the default
      auth_protocol: "sha256",
      auth_key: "authpass123",
      priv_protocol: "aes256b",
      priv_key: "privpass123",
    });
  });

  it("names the key that is missing, short or not used at the level", () => {
    expect(problems({ version: "3" })).toEqual(["v3: required with version 3 (user, level, keys)"]);
    expect(problems({ version: "2c", v3: { user: "ops", level: "noAuthNoPriv" } })).toEqual([
      "v3: only for version 3 (version is 2c)",
    ]);
    expect(problems({ version: "3", v3: { user: "ops", auth_key: "authpass123" } })).toEqual([
      "v3.priv_key: required for level authPriv",
    ]);
    // RFC 3414 passphrases: 8 characters or more ("short12" has 7)
    expect(
      problems({ version: "3", v3: { user: "ops", auth_key: "short12", priv_key: "privpass123" } }),
    ).toEqual(["v3.auth_key: at least 8 characters (SNMPv3 USM)"]);
    expect(
      problems({
        version: "3",
        v3: { user: "ops", level: "authNoPriv", auth_key: "authpass123", priv_key: "privpass123" },
      }),
    ).toEqual(["v3.priv_key: not used at level authNoPriv: remove it or raise the level"]);
    expect(problems({ version: "3", v3: { user: "ops", level: "noAuthNoPriv" } })).toEqual([]);
  });

  it("bounds max_repetitions", () => {
    expect(problems({ max_repetitions: 0 })).toHaveLength(1);
    expect((Check.parse({ ...base, max_repetitions: 2 }) as SnmpCheck).max_repetitions).toBe(2);
  });
});
