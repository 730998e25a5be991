// Every way an SNMP request fails, as one typed error whose message says the likely cause. Pure.
//
// What the protocol lets us tell apart: SNMPv3 agents answer some security failures with a USM report
// (net-snmp turns those into ResponseInvalidError messages named after the usmStats counter), but drop
// a request they cannot decrypt (wrong privacy key) or that has a wrong v1/v2c community without a
// word. Those look exactly like a dead device — except that a v3 agent which answered engine discovery
// on this very session is alive, which narrows a later silence down to the privacy key (or context).
import type snmp from "net-snmp";
import type { SnmpDevice } from "./client.js";

export type SnmpFailureReason =
  | "timeout"
  | "auth_failure"
  | "unknown_user"
  | "unknown_engine_id"
  | "decryption_error"
  | "not_in_time_window"
  | "request_failed"
  | "transport"
  | "aborted";

/** Every failure of a request is one of these (never an exception lost in an event listener). */
export class SnmpFailure extends Error {
  override readonly name = "SnmpFailure";
  constructor(
    readonly reason: SnmpFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What the session has seen of the device, for telling silences apart. */
export interface SessionKnowledge {
  /** v3: the device answered engine discovery on this session (so it is up and speaks SNMPv3). */
  engineKnown: boolean;
  /** A request on this session has succeeded. */
  answered: boolean;
}

const where = (d: SnmpDevice) => (d.host.includes(":") ? `[${d.host}]:${d.port}` : `${d.host}:${d.port}`);
const userAt = (d: SnmpDevice) => `user "${d.v3?.user}" at level ${d.v3?.level}`;

export function timeoutFailure(device: SnmpDevice, known: SessionKnowledge, ms: number): SnmpFailure {
  return new SnmpFailure(
    "timeout",
    `timeout: no answer from ${where(device)} in ${ms} ms (${silence(device, known)})`,
  );
}

function silence(device: SnmpDevice, { engineKnown, answered }: SessionKnowledge): string {
  const dropped = "SNMP agents drop those silently";
  if (device.version !== "3") return `device down, or wrong community: ${dropped}`;
  const context = device.v3?.context ? `an unknown context "${device.v3.context}"` : undefined;
  const causes = [
    device.v3?.level === "authPriv"
      ? "wrong v3 privacy key or protocol (priv_key, priv_protocol)"
      : undefined,
    context,
  ]
    .filter(Boolean)
    .join(" or ");
  if (engineKnown && !answered)
    return `the device answered SNMPv3 engine discovery but not the request${causes ? `: likely ${causes}; ${dropped}` : ""}`;
  return causes ? `device down, or ${causes}: ${dropped}` : "device down or unreachable";
}

/** Where a request was when its caller gave up: the device had it (with what the session knew), it waited for a slot, or it never started. */
export type AbortStage = SessionKnowledge | { queuedFor: number; slots: number } | "not started";

/** A request the caller gave up on: its signal's timeout reads as a timeout, anything else as aborted. */
export function abortFailure(
  device: SnmpDevice,
  reason: unknown,
  stage: AbortStage,
  elapsedMs: number,
): SnmpFailure {
  const timedOut = reason instanceof Error && reason.name === "TimeoutError";
  if (!timedOut) {
    const why = reason instanceof Error ? reason.message : String(reason ?? "no reason given");
    return new SnmpFailure("aborted", `aborted: request to ${where(device)} cancelled (${why})`);
  }
  if (stage === "not started")
    return new SnmpFailure(
      "timeout",
      `timeout: the poll ran out of time before its request to ${where(device)}`,
    );
  if ("slots" in stage)
    return new SnmpFailure(
      "timeout",
      `timeout: the request to ${where(device)} waited ${stage.queuedFor} ms for one of the ${stage.slots} concurrent SNMP request slots and was never sent (too many slow or dead devices polled at once)`,
    );
  return timeoutFailure(device, stage, elapsedMs);
}

export const closedFailure = (device: SnmpDevice) =>
  new SnmpFailure("aborted", `aborted: request to ${where(device)} cancelled (SNMP client closed)`);

/** The device sent a datagram net-snmp cannot decode (its "error" event). */
export const undecodableFailure = (device: SnmpDevice, err: unknown) =>
  new SnmpFailure(
    "request_failed",
    `undecodable response from ${where(device)}: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );

/** Any error net-snmp hands a request callback. */
export function describeError(err: unknown, device: SnmpDevice, known: SessionKnowledge): SnmpFailure {
  if (err instanceof SnmpFailure) return err;
  if (!(err instanceof Error)) return new SnmpFailure("request_failed", `SNMP error: ${String(err)}`);
  const at = where(device);
  switch (err.name) {
    case "RequestTimedOutError":
      return timeoutFailure(device, known, device.timeout);
    case "ResponseInvalidError":
      return invalidResponse(err as snmp.ResponseInvalidError, device, at);
    case "RequestFailedError": {
      const status = (err as snmp.RequestFailedError).status;
      if (status === authorizationError) {
        const who = device.version === "3" ? userAt(device) : "this community";
        return new SnmpFailure(
          "auth_failure",
          `authorization error: ${at} refused access for ${who} (its access rules need a higher security level or exclude these OIDs)`,
          { cause: err },
        );
      }
      return new SnmpFailure("request_failed", `${at} answered ${rfcName(err.message)}`, { cause: err });
    }
    case "RequestInvalidError":
      return new SnmpFailure("request_failed", `invalid request to ${at}: ${err.message}`, { cause: err });
  }
  if (typeof (err as NodeJS.ErrnoException).code === "string" || err.message === "Socket forcibly closed")
    return new SnmpFailure("transport", `transport error talking to ${at}: ${err.message}`, { cause: err });
  return new SnmpFailure("request_failed", `SNMP error from ${at}: ${err.message}`, { cause: err });
}

/** RFC 3416 error-status 16; @types/net-snmp only declares the first few statuses. */
const authorizationError = 16;

type Explain = (at: string, d: SnmpDevice) => [SnmpFailureReason, string];
const user = (d: SnmpDevice) => `user "${d.v3?.user}"`;

/** The USM reports net-snmp passes on (its UsmStats messages), by what the operator must fix. */
const usmReports: Record<string, Explain> = {
  "Wrong Digest (incorrect password, community or key)": (at, d) => [
    "auth_failure",
    `authentication failure: ${at} rejected the key of ${user(d)} (usmStatsWrongDigests: wrong auth_key or auth_protocol)`,
  ],
  "Unknown User Name": (at, d) => [
    "unknown_user",
    `unknown user: ${at} has no SNMPv3 ${user(d)} (usmStatsUnknownUserNames)`,
  ],
  "Unknown Engine ID": (at) => [
    "unknown_engine_id",
    `unknown engine ID: ${at} rejected the engine ID it was sent (usmStatsUnknownEngineIDs: device replaced or reconfigured)`,
  ],
  "Not In Time Window": (at) => [
    "not_in_time_window",
    `not in time window: ${at} rejected the request's engine time (usmStatsNotInTimeWindows: device rebooted or its clock jumped)`,
  ],
  "Decryption Error": (at) => [
    "decryption_error",
    `decryption error: ${at} could not decrypt the request (usmStatsDecryptionErrors: wrong priv_key or priv_protocol)`,
  ],
  "Unsupported Security Level": (at, d) => [
    "auth_failure",
    `unsupported security level: ${at} does not allow ${userAt(d)} (usmStatsUnsupportedSecLevels)`,
  ],
};

/** net-snmp's own checks of a response, by ResponseInvalidCode (@types/net-snmp lacks some codes). */
const responseChecks: Record<number, Explain> = {
  4: (at) => [
    "decryption_error",
    `decryption error: the response from ${at} could not be decrypted (wrong priv_key or priv_protocol)`,
  ],
  // EAuthFailure without a report: the response's digest does not match
  5: (at, d) => [
    "auth_failure",
    `authentication failure: the response from ${at} does not carry a valid digest for ${user(d)} (wrong auth_key or auth_protocol)`,
  ],
  11: (at, d) => [
    "request_failed",
    `${at} answered with a report this client does not know (an unknown context${d.v3?.context ? ` "${d.v3.context}"` : ""}?)`,
  ],
  14: (at) => [
    "not_in_time_window",
    `not in time window: the response from ${at} is outside the SNMPv3 time window (device rebooted or its clock jumped)`,
  ],
};

function invalidResponse(err: snmp.ResponseInvalidError, device: SnmpDevice, at: string): SnmpFailure {
  const code: number = err.code;
  const explain = (code === 5 ? usmReports[err.message] : undefined) ?? responseChecks[code];
  const [reason, message] = explain?.(at, device) ?? [
    "request_failed",
    `invalid response from ${at}: ${err.message}`,
  ];
  return new SnmpFailure(reason, message, { cause: err });
}

/** net-snmp's "NoSuchName: 1.3.6…" → RFC spelling "noSuchName: 1.3.6…". */
const rfcName = (message: string) => message.charAt(0).toLowerCase() + message.slice(1);
