// Wire protocol between agent and server (JSON text frames over one WebSocket).
// These zod schemas are the only definition: both sides import the types from here.
import { z } from "zod";

export const PROTOCOL_VERSION = 1;

/** Identifier of a target, check or agent: bounded, label-safe (also used as Prometheus label values). */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '_', '.', '-' (starting with a letter or digit)");

export const ProbeKind = z.enum(["http", "tcp", "snmp", "icmp", "host", "dns", "tls", "operation"]);
export type ProbeKind = z.infer<typeof ProbeKind>;

/**
 * What produced a result: a probe, or the agent's SNMP trap receiver ("trap": an event, stored and
 * listed but never counted toward indicators, live state or probe gauges). A superset of ProbeKind, so
 * results of agents that predate traps stay valid.
 */
export const ResultKind = z.enum([...ProbeKind.options, "trap"]);
export type ResultKind = z.infer<typeof ResultKind>;

/** `trap.name` of the notifications the agent knows (docs/snmp.md "Traps"); others carry their OID. */
export const TRAP_NAMES = [
  "coldStart",
  "warmStart",
  "linkDown",
  "linkUp",
  "authenticationFailure",
  "egpNeighborLoss",
  "upsTrapOnBattery",
  "upsTrapTestCompleted",
  "upsTrapAlarmEntryAdded",
  "upsTrapAlarmEntryRemoved",
] as const;
export type TrapName = (typeof TRAP_NAMES)[number];

/** Typed measurement values, named in the Network UPS Tools / blackbox style: `battery.charge`, `http.status`. */
export const ValueName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, "dotted lower-case name such as battery.charge");
export const Values = z.record(ValueName, z.union([z.number(), z.string().max(1024), z.boolean()]));
export type Values = z.infer<typeof Values>;

/** One probe outcome. `seq` increases by one per result of an agent and never repeats. */
export const Result = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  agent: Id,
  seq: z.number().int().positive(),
  target: Id,
  check: Id,
  kind: ResultKind,
  ts: z.number().int().nonnegative(), // probe start, agent clock, ms since epoch (UTC)
  duration_ms: z.number().nonnegative(),
  ok: z.boolean(),
  error: z.string().max(2048).optional(),
  values: Values,
});
export type Result = z.infer<typeof Result>;

export const Hello = z.strictObject({
  type: z.literal("hello"),
  v: z.literal(PROTOCOL_VERSION),
  agent: Id,
  token: z.string().min(1).max(4096),
  version: z.string().max(64), // agent software version
  spool_depth: z.number().int().nonnegative(),
  clock_ms: z.number().int(), // agent clock at send time: lets the server estimate clock offset
});

/**
 * Results are validated one by one on the server (see ResultBatchLoose), so a single bad result
 * cannot poison the batch; the envelope is strict.
 */
export const Batch = z.strictObject({
  type: z.literal("batch"),
  id: z.number().int().nonnegative(),
  spool_depth: z.number().int().nonnegative(),
  results: z.array(z.unknown()).min(1).max(10_000),
});

export const AgentMessage = z.discriminatedUnion("type", [Hello, Batch]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export type Hello = z.infer<typeof Hello>;
export type Batch = z.infer<typeof Batch>;

export const Welcome = z.strictObject({
  type: z.literal("welcome"),
  v: z.literal(PROTOCOL_VERSION),
  server_time_ms: z.number().int(),
  /** Highest seq of this agent the server has committed (0 if none). */
  last_seq: z.number().int().nonnegative(),
});

export const Rejection = z.strictObject({ seq: z.number().int().nonnegative(), reason: z.string() });

/** Sent only after the transaction holding the batch committed. */
export const Ack = z.strictObject({
  type: z.literal("ack"),
  id: z.number().int().nonnegative(),
  committed: z.number().int().nonnegative(), // newly stored
  duplicates: z.number().int().nonnegative(), // already stored before (replays)
  rejected: z.array(Rejection), // invalid results: never stored, the agent keeps them aside
});

export const ErrorReason = z.enum([
  "bad_json",
  "bad_message",
  "not_authenticated",
  "bad_token",
  "too_large",
  "store_unavailable",
  "rate_limited",
]);
export type ErrorReason = z.infer<typeof ErrorReason>;

export const ErrorMessage = z.strictObject({
  type: z.literal("error"),
  reason: ErrorReason,
  message: z.string(),
  id: z.number().int().nonnegative().optional(), // batch id when the error concerns one batch
});

export const ServerMessage = z.discriminatedUnion("type", [Welcome, Ack, ErrorMessage]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type Welcome = z.infer<typeof Welcome>;
export type Ack = z.infer<typeof Ack>;
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** WebSocket close codes used by the server. */
export const CloseCode = {
  unauthorized: 4401,
  protocolError: 4400,
  serverShutdown: 1001,
} as const;

export const AGENT_WS_PATH = "/ws/agent";
