// TLS on any TCP port (LDAPS, SMTPS, …): connect, handshake, then judge the chain, the host name and
// the earliest expiry — the certificate part of an https probe without HTTP.
import type { TlsCheck } from "../../config/schema.js";
import type { Values } from "../../protocol/messages.js";
import { openConnection } from "../http/connect.js";
import { HttpFailure, type HttpPhases } from "../http/failure.js";
import { withRun } from "../http/run.js";
import { daysLeft, type TlsInfo, tlsValues } from "../http/tls-info.js";
import type { ProbeOutcome, Prober } from "./types.js";

const ms = (x: number) => Math.round(x * 1000) / 1000;

export class TlsProber implements Prober<TlsCheck> {
  readonly kind = "tls";

  async probe(check: TlsCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    const options = {
      origin: check.address,
      https: true,
      tls: { verify: check.verify, ca: check.ca, servername: check.server_name },
    };
    try {
      const { phases, tls } = await withRun(signal, async (run) => {
        (await openConnection(options, run)).destroy();
        return { phases: { ...run.phases }, tls: run.tls as TlsInfo };
      });
      const now = Date.now();
      const values = { ...handshakeValues(phases), ...tlsValues(tls, now) };
      const days = daysLeft(tls, now);
      if (days >= check.min_days_left) return { ok: true, values };
      const error =
        days < 0
          ? `certificate expired ${(-days).toFixed(2)} days ago`
          : `certificate expires in ${days.toFixed(2)} days (min_days_left ${check.min_days_left})`;
      return { ok: false, error, values };
    } catch (e) {
      if (!(e instanceof HttpFailure)) throw e;
      // Connect and handshake times only mean something once the handshake was reached.
      const values: Values = e.reason === "tls" ? handshakeValues(e.phases) : {};
      if (e.tls) Object.assign(values, tlsValues(e.tls, Date.now()));
      return { ok: false, error: e.message, values };
    }
  }
}

const handshakeValues = (p: HttpPhases): Values => ({
  "tcp.connect_ms": ms(p.connect),
  "tls.handshake_ms": ms(p.tls),
});
