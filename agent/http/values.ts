// The values an HTTP response or failure contributes to a result (docs/http.md).
import type { Values } from "../../protocol/messages.js";
import type { HttpPhases } from "./failure.js";
import type { HttpResponse } from "./request.js";
import { tlsValues } from "./tls-info.js";

const ms = (x: number) => Math.round(x * 1000) / 1000;

/** http.phase.<phase>_ms, blackbox_exporter's probe_http_duration_seconds{phase}. */
export function phaseValues(p: HttpPhases): Values {
  return {
    "http.phase.dns_ms": ms(p.dns),
    "http.phase.connect_ms": ms(p.connect),
    "http.phase.tls_ms": ms(p.tls),
    "http.phase.processing_ms": ms(p.processing),
    "http.phase.transfer_ms": ms(p.transfer),
  };
}

/** http.status, http.redirects, http.content_length, http.version, the phases and tls.* (https). */
export function responseValues(res: HttpResponse, now: number): Values {
  const values: Values = {
    "http.status": res.status,
    "http.redirects": res.redirects,
    "http.content_length": res.bodyBytes,
    "http.version": res.httpVersion,
    ...phaseValues(res.phases),
  };
  return res.tls ? Object.assign(values, tlsValues(res.tls, now)) : values;
}
