// SNMP v1/v2c GET of a check's named OIDs, all in one request (one round trip per poll).
import snmp from "net-snmp";
import type { SnmpCheck } from "../../config/schema.js";
import type { Values } from "../../protocol/messages.js";
import type { ProbeOutcome, Prober } from "./types.js";

type Value = Values[string];
const { ObjectType } = snmp;
const maxString = 1024; // protocol limit for string values

export class SnmpProber implements Prober<SnmpCheck> {
  readonly kind = "snmp";
  /** One UDP socket per device and settings, reused across polls (a UPS card is polled every 30 s). */
  readonly #sessions = new Map<string, snmp.Session>();

  probe(check: SnmpCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    const { host, port } = check.address;
    const entries = Object.entries(check.oids).map(([name, oid]) => [name, oid.replace(/^\./, "")] as const);
    const timeoutError = `timeout (no SNMP answer from ${host}:${port}; wrong community also looks like this)`;
    return new Promise((resolve) => {
      const finish = (outcome: ProbeOutcome) => {
        signal.removeEventListener("abort", onAbort);
        resolve(outcome);
      };
      const onAbort = () => finish({ ok: false, error: timeoutError, values: {} });
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      // The callback runs inside net-snmp's socket handlers: nothing may throw out of it.
      this.#session(check).get(
        entries.map(([, oid]) => oid),
        (err, varbinds) => {
          try {
            const error = err ? describeRequestError(err, entries, timeoutError) : undefined;
            finish(error ? { ok: false, error, values: {} } : toOutcome(entries, varbinds ?? []));
          } catch (e) {
            finish({ ok: false, error: `SNMP response not understood: ${(e as Error).message}`, values: {} });
          }
        },
      );
    });
  }

  close(): void {
    for (const session of this.#sessions.values()) session.close();
    this.#sessions.clear();
  }

  #session(check: SnmpCheck): snmp.Session {
    const { host, port } = check.address;
    // Timeout and retries are fixed per session in net-snmp, so they are part of the key too.
    const key = [host, port, check.version, check.community, check.timeout, check.retries].join(":");
    let session = this.#sessions.get(key);
    if (session === undefined) {
      session = snmp.createSession(host, check.community, {
        port,
        version: check.version === "1" ? snmp.Version1 : snmp.Version2c,
        retries: check.retries,
        // All attempts fit in the check's timeout.
        timeout: Math.max(50, Math.floor(check.timeout / (check.retries + 1))),
      });
      const created = session;
      const forget = () => {
        if (this.#sessions.get(key) === created) this.#sessions.delete(key);
      };
      // An undecodable datagram is emitted as "error"; without a listener it would crash the agent.
      // Drop the session so the next poll starts on a fresh socket.
      created.on("error", () => {
        forget();
        created.close();
      });
      created.on("close", forget);
      this.#sessions.set(key, created);
    }
    return session;
  }
}

function toOutcome(
  entries: ReadonlyArray<readonly [string, string]>,
  varbinds: snmp.Varbind[],
): ProbeOutcome {
  const values: Values = {};
  const errors: string[] = [];
  entries.forEach(([name, oid], i) => {
    const vb = varbinds[i];
    if (vb === undefined) errors.push(`${name} (${oid}): missing in response`);
    else if (snmp.isVarbindError(vb))
      errors.push(`${name} (${oid}): ${lowerFirst(ObjectType[vb.type ?? 0])}`);
    else {
      const value = toValue(vb);
      if (value === undefined) errors.push(`${name} (${oid}): unsupported type ${ObjectType[vb.type ?? 0]}`);
      else values[name] = value;
    }
  });
  return errors.length > 0 ? { ok: false, error: errors.join("; "), values } : { ok: true, values };
}

function toValue({ type, value }: snmp.Varbind): Value | undefined {
  switch (type) {
    case ObjectType.Integer:
    case ObjectType.Counter:
    case ObjectType.Gauge:
    case ObjectType.TimeTicks:
      return Number(value);
    case ObjectType.Counter64:
      // Big-endian bytes; above 2^53 precision is lost, fine for octet counters and rates.
      return Buffer.isBuffer(value) ? value.reduce((n, byte) => n * 256 + byte, 0) : Number(value);
    case ObjectType.OctetString:
      return (Buffer.isBuffer(value) ? value.toString("utf8") : String(value)).slice(0, maxString);
    case ObjectType.OID:
    case ObjectType.IpAddress:
      return String(value);
    case ObjectType.Boolean:
      return Boolean(value);
    default:
      return undefined;
  }
}

function describeRequestError(
  err: Error,
  entries: ReadonlyArray<readonly [string, string]>,
  timeoutError: string,
): string {
  if (err.name === "RequestTimedOutError") return timeoutError; // not declared as a class in @types
  // SNMPv1 fails the whole request: "NoSuchName: 1.3.6.1.2.1.33.1.2.4.0".
  const failed = err instanceof snmp.RequestFailedError ? /^(\w+): ([\d.]+)$/.exec(err.message) : null;
  const name = failed && entries.find(([, oid]) => oid === failed[2])?.[0];
  if (failed && name) return `${name} (${failed[2]}): ${lowerFirst(failed[1] ?? "")}`;
  return `SNMP error: ${err.message}`;
}

/** RFC spelling of error names: NoSuchObject → noSuchObject. */
const lowerFirst = (s = "") => s.charAt(0).toLowerCase() + s.slice(1);
