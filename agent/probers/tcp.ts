// TCP connect check: the port accepts a connection (blackbox_exporter's tcp_connect without TLS).
import net from "node:net";
import type { TcpCheck } from "../../config/schema.js";
import type { ProbeOutcome, Prober } from "./types.js";

const socketWords: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "DNS lookup failed",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
};

/**
 * A Node socket/DNS/TLS error in operator words, keeping the code for searching logs:
 * "connection refused (ECONNREFUSED)". Also used by the HTTP prober (fetch hides it in error.cause).
 */
export function describeNetError(err: unknown): string {
  const e = err as { message?: string; code?: string; errors?: Array<{ code?: string }> };
  // Happy-eyeballs connects fail with an AggregateError whose code sits on the attempts.
  const code = e.code ?? e.errors?.[0]?.code;
  if (code === undefined) return e.message ?? String(err);
  if (code in socketWords) return `${socketWords[code]} (${code})`;
  if (/CERT|SELF_SIGNED|TLS/.test(code)) return `TLS certificate error (${code})`;
  return `${e.message ?? "network error"} (${code})`;
}

export class TcpProber implements Prober<TcpCheck> {
  readonly kind = "tcp";

  probe(check: TcpCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const started = performance.now();
      const socket = net.connect({ host: check.address.host, port: check.address.port });
      const finish = (outcome: ProbeOutcome) => {
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        resolve(outcome);
      };
      const onAbort = () => finish({ ok: false, error: `timeout after ${check.timeout} ms`, values: {} });
      socket.once("connect", () => {
        const ms = Math.round((performance.now() - started) * 10) / 10;
        finish({ ok: true, values: { "tcp.connect_ms": ms } });
      });
      // `on`, not `once`: a second error event without a listener would crash the process.
      socket.on("error", (err) => finish({ ok: false, error: describeNetError(err), values: {} }));
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
