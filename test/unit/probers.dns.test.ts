import { describe, expect, it } from "vitest";
import { firstNameserver, judge, queryName } from "../../agent/probers/dns.js";
import { Check, type DnsCheck } from "../../config/schema.js";

const parse = (fields: Record<string, unknown>) =>
  Check.safeParse({ id: "dns", kind: "dns", name: "a.b", ...fields });

describe("DNS check config", () => {
  it("takes a server as host, host:port or IPv6 (port 53 by default)", () => {
    const server = (s: string) => (parse({ server: s }).data as DnsCheck | undefined)?.server;
    expect(server("10.0.0.53")).toEqual({ host: "10.0.0.53", port: 53 });
    expect(server("127.0.0.1:5353")).toEqual({ host: "127.0.0.1", port: 5353 });
    expect(server("[fd00::53]:5353")).toEqual({ host: "fd00::53", port: 5353 });
    expect(server("fd00::53")).toEqual({ host: "fd00::53", port: 53 });
    expect(server("10.0.0.53:70000")).toBeUndefined();
    expect(server("1::2::3")).toBeUndefined();
  });

  it("queries international names in punycode and rejects what is no name", () => {
    expect((parse({ name: "北京.政务" }).data as DnsCheck).name).toBe("xn--1lq90i.xn--zfr164b");
    expect(parse({ name: "a b.cn" }).error?.issues[0]?.message).toBe(
      "a domain name such as www.example.gov.cn",
    );
  });

  it("has the contract's defaults: A over UDP, NOERROR, 5 s", () => {
    expect(parse({}).data).toMatchObject({
      type: "A",
      protocol: "udp",
      expect_rcode: "NOERROR",
      timeout: 5000,
    });
  });

  it("rejects an expected answer that is not a regular expression", () => {
    expect(parse({ expect_answers: ["("] }).error?.issues[0]?.message).toMatch(
      /^not a valid regular expression: /,
    );
  });
});

describe("DNS prober helpers", () => {
  it("finds the first nameserver of resolv.conf", () => {
    const conf = "# generated\nsearch example.gov.cn\n  nameserver 10.0.0.53\nnameserver 10.0.0.54\n";
    expect(firstNameserver(conf)).toBe("10.0.0.53");
    expect(firstNameserver("search x\n")).toBeUndefined();
  });

  it("turns an IP address into its reverse name for PTR only", () => {
    expect(queryName("10.1.2.3", "PTR")).toBe("3.2.1.10.in-addr.arpa");
    // fd00::1 = fd00:0000:…:0001: 32 nibbles, reversed.
    expect(queryName("fd00::1", "PTR")).toBe(`1.${"0.".repeat(27)}0.0.d.f.ip6.arpa`);
    // ::ffff:1.2.3.4 = ::ffff:0102:0304.
    expect(queryName("::ffff:1.2.3.4", "PTR")).toBe(`4.0.3.0.2.0.1.0.f.f.f.f.${"0.".repeat(20)}ip6.arpa`);
    expect(queryName("www.example.gov.cn.", "A")).toBe("www.example.gov.cn");
  });

  it("keeps dns.answers within 1024 characters", () => {
    // 200 answers "10.0.0.0"…"10.0.0.199": 10 × 8 + 90 × 9 + 100 × 10 + 199 commas = 2089 characters.
    const answers = Array.from({ length: 200 }, (_, i) => ({
      type: "A" as const,
      name: "a.b",
      data: `10.0.0.${i}`,
    }));
    const out = judge(
      { type: "A", expect_rcode: "NOERROR", expect_answers: [] },
      { answers, flags: 0x8180 } as never,
      1,
    );
    expect(out.ok).toBe(true);
    expect(out.values["dns.answer_count"]).toBe(200);
    expect(String(out.values["dns.answers"])).toHaveLength(1024);
    expect(String(out.values["dns.answers"]).endsWith("…")).toBe(true);
  });
});
