// One net-snmp session (one UDP socket, and for v3 the discovered engine and its time) per device and
// settings, reused across polls. A session that emits "error" is replaced.
import snmp from "net-snmp";
import type { Logger } from "../../lib/log.js";
import type { SnmpDevice } from "./client.js";
import { type SessionKnowledge, undecodableFailure } from "./errors.js";

export interface SessionEntry {
  readonly session: snmp.Session;
  /** A request on this session has succeeded. */
  answered: boolean;
  /** Closed by the client: the requests this cancels were aborted, not failed. */
  closing: boolean;
}

/** net-snmp internals the engine relies on (index.js; not in @types/net-snmp). */
interface SessionInternals {
  reqs: Record<string, { responseCb: unknown }>;
  unregisterRequest(id: string): unknown;
  /** Set once a v3 engine answered discovery (a report). */
  msgSecurityParameters?: unknown;
}
const internals = (session: snmp.Session) => session as unknown as SessionInternals;

export class SessionPool {
  readonly #entries = new Map<string, SessionEntry>();
  /** Keys of device objects already seen: a check reuses its device object poll after poll. */
  readonly #keys = new WeakMap<SnmpDevice, string>();

  constructor(private readonly log?: Logger) {}

  /** The device's session, created on first use. */
  acquire(device: SnmpDevice): SessionEntry {
    let key = this.#keys.get(device);
    if (key === undefined) {
      key = sessionKey(device);
      this.#keys.set(device, key);
    }
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = this.#open(key, device);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Forgets a request net-snmp still holds (retry timers, the v3 discovery round) after an abort. */
  cancel(entry: SessionEntry, callback: unknown): void {
    const session = internals(entry.session);
    for (const id in session.reqs)
      if (session.reqs[id]?.responseCb === callback) session.unregisterRequest(id);
  }

  closeAll(): void {
    for (const entry of this.#entries.values()) {
      entry.closing = true;
      entry.session.close();
    }
    this.#entries.clear();
  }

  #open(key: string, device: SnmpDevice): SessionEntry {
    const session = createSession(device);
    const entry: SessionEntry = { session, answered: false, closing: false };
    const forget = () => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    };
    // net-snmp emits "error" for a datagram it cannot decode (e.g. an unknown value type); without a
    // listener that would crash the agent. The answer most likely belonged to a request of this
    // device: fail those now rather than let them time out, and start the next poll on a new socket.
    session.on("error", (err: unknown) => {
      this.log?.warn({ device: `${device.host}:${device.port}`, err: String(err) }, "SNMP session dropped");
      forget();
      session.cancelRequests(undecodableFailure(device, err));
      session.close();
    });
    session.on("close", forget);
    return entry;
  }
}

/** What the session has seen of the device, for the failure message. */
export function knowledge(entry: SessionEntry): SessionKnowledge {
  const engineKnown = internals(entry.session).msgSecurityParameters !== undefined;
  return { engineKnown, answered: entry.answered };
}

/** Everything that is fixed per net-snmp session; secrets stay in memory only. */
function sessionKey(d: SnmpDevice): string {
  const v3 = d.v3;
  const security =
    d.version === "3" && v3
      ? [v3.user, v3.level, v3.auth_protocol, v3.auth_key, v3.priv_protocol, v3.priv_key, v3.context]
      : [d.community];
  return JSON.stringify([d.host, d.port, d.version, d.timeout, d.retries, ...security]);
}

function createSession(d: SnmpDevice): snmp.Session {
  const common = {
    port: d.port,
    transport: d.host.includes(":") ? ("udp6" as const) : ("udp4" as const),
    retries: d.retries,
    // net-snmp times each attempt; all of them fit in the device's timeout. (v3 discovery adds a
    // round trip the first time: the client's own deadline still bounds the whole request.)
    timeout: Math.max(1, Math.floor(d.timeout / (d.retries + 1))),
  };
  if (d.version !== "3") {
    const version = d.version === "1" ? snmp.Version1 : snmp.Version2c;
    return snmp.createSession(d.host, d.community, { ...common, version });
  }
  const v3 = d.v3;
  if (v3 === undefined) throw new Error(`SNMP device ${d.host}:${d.port}: version 3 needs v3 options`);
  const level = snmp.SecurityLevel[v3.level];
  const user: snmp.User = { name: v3.user, level };
  if (level !== snmp.SecurityLevel.noAuthNoPriv) {
    user.authProtocol = snmp.AuthProtocols[v3.auth_protocol ?? "sha"];
    user.authKey = v3.auth_key ?? "";
  }
  if (level === snmp.SecurityLevel.authPriv) {
    user.privProtocol = snmp.PrivProtocols[v3.priv_protocol ?? "aes"];
    user.privKey = v3.priv_key ?? "";
  }
  return snmp.createV3Session(d.host, user, { ...common, version: snmp.Version3, context: v3.context ?? "" });
}
