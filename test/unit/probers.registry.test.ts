import net from "node:net";
import { describe, expect, it } from "vitest";
import { createProbers, proberFor, runProbe } from "../../agent/probers/index.js";
import { Check } from "../../config/schema.js";

describe("prober registry", () => {
  it("has one prober per kind", () => {
    const probers = createProbers();
    expect([...probers.keys()].sort()).toEqual([
      "dns",
      "host",
      "http",
      "icmp",
      "operation",
      "snmp",
      "tcp",
      "tls",
    ]);
    for (const [kind, prober] of probers) expect(prober.kind).toBe(kind);
    expect(proberFor("snmp").kind).toBe("snmp");
  });

  it("dispatches a check to the prober of its kind", async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const probers = createProbers();
    try {
      const check = Check.parse({ id: "web", kind: "tcp", address: `127.0.0.1:${port}` });
      const out = await runProbe(probers, check, AbortSignal.timeout(2000));
      expect(out.ok).toBe(true);
      expect(Object.keys(out.values)).toEqual(["tcp.connect_ms"]);
    } finally {
      for (const p of probers.values()) p.close?.();
      server.close();
    }
  });
});
