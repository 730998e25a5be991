// Why an HTTP request chain failed, with the phase timings measured up to the failure.
import type { TlsInfo } from "./tls-info.js";

/** Milliseconds per phase, summed over redirects (blackbox_exporter's probe_http_duration_seconds{phase}). */
export interface HttpPhases {
  dns: number;
  connect: number;
  tls: number;
  processing: number;
  transfer: number;
}

export type HttpFailureReason =
  | "timeout"
  | "dns"
  | "connect"
  | "tls"
  | "proxy"
  | "protocol"
  | "too_many_redirects"
  | "redirect_loop"
  | "aborted";

export class HttpFailure extends Error {
  constructor(
    readonly reason: HttpFailureReason,
    message: string,
    readonly phases: HttpPhases,
    readonly tls?: TlsInfo,
  ) {
    super(message);
    this.name = "HttpFailure";
  }
}

export const zeroPhases = (): HttpPhases => ({ dns: 0, connect: 0, tls: 0, processing: 0, transfer: 0 });
