// The SNMP edge of the device simulators: a net-snmp agent on a UDP port that serves a declared MIB shape
// (scalars and tables) and takes whole snapshots of values, so the device models stay pure functions.
import dgram from "node:dgram";
import snmp from "net-snmp";

export const T = snmp.ObjectType;

/** A value as the models produce it: bigint for Counter64, string for OctetString / OID / IpAddress. */
export type SnmpValue = number | string | bigint;

export interface ScalarDef {
  name: string;
  /** The object's OID, without the `.0` instance. */
  oid: string;
  type: snmp.ObjectType;
}

export interface ColumnDef {
  name: string;
  /** Column number under the entry OID; 0 for an index that lives in another table (e.g. ifIndex). */
  number: number;
  type: snmp.ObjectType;
  /** Part of the row index, in column order; "hidden" ones are not-accessible (not served). */
  index?: "served" | "hidden";
}

export interface TableDef {
  name: string;
  /** The entry OID (e.g. ifEntry 1.3.6.1.2.1.2.2.1), not the table's. */
  oid: string;
  columns: ColumnDef[];
}

export interface MibShape {
  scalars: ScalarDef[];
  tables: TableDef[];
}

export type Row = Record<string, SnmpValue>;

/** Every scalar's value and every table's rows (keyed by column name) at one instant. */
export interface Snapshot {
  scalars: Record<string, SnmpValue>;
  tables: Record<string, Row[]>;
}

export interface SnmpAgent {
  port: number;
  /** Serves exactly this snapshot from now on: rows missing from it disappear, new ones appear. */
  apply(snapshot: Snapshot): void;
  close(): Promise<void>;
}

// The parts of net-snmp's untyped agent API used here.
type MibCell = number | string | Buffer;
interface Mib {
  registerProvider(provider: object): void;
  setScalarValue(name: string, value: MibCell): void;
  addTableRow(name: string, row: MibCell[]): void;
  setTableSingleCell(name: string, column: number, rowIndex: MibCell[], value: MibCell): void;
  deleteTableRow(name: string, rowIndex: MibCell[]): void;
}
interface Agent {
  getMib(): Mib;
  close(onSocketClosed?: () => void): void;
}

const readOnly = snmp.MaxAccess["read-only"];
const notAccessible = snmp.MaxAccess["not-accessible"];

/** net-snmp encodes a Counter64 from an 8-byte big-endian buffer only. */
function cell(type: snmp.ObjectType, value: SnmpValue): MibCell {
  if (type !== T.Counter64) return typeof value === "bigint" ? Number(value) : value;
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt.asUintN(64, BigInt(value)));
  return buffer;
}

/**
 * Serves `shape`, starting with `initial`, on host:port (UDP, v1/v2c, any community); port 0 picks a free
 * port. Resolves once the agent answers, so callers never race its asynchronous bind.
 */
export async function startSnmpAgent(
  shape: MibShape,
  initial: Snapshot,
  { host = "127.0.0.1", port = 0 }: { host?: string; port?: number } = {},
): Promise<SnmpAgent> {
  // net-snmp's agent turns port 0 into 161, so find a free port first.
  const udpPort = port === 0 ? await freeUdpPort(host) : port;
  let bindError: Error | undefined;
  const agent: Agent = snmp.createAgent(
    { port: udpPort, address: host, disableAuthorization: true },
    // Socket errors and undecodable packets land here; only a failed bind matters to a simulator.
    (error: Error | null) => {
      bindError ??= error ?? undefined;
    },
  );
  const mib = agent.getMib();
  for (const s of shape.scalars) {
    mib.registerProvider({
      name: s.name,
      type: snmp.MibProviderType.Scalar,
      oid: s.oid,
      scalarType: s.type,
      maxAccess: readOnly,
    });
  }
  for (const t of shape.tables) {
    mib.registerProvider({
      name: t.name,
      type: snmp.MibProviderType.Table,
      oid: t.oid,
      maxAccess: notAccessible,
      tableColumns: t.columns.map((c) => ({
        number: c.number,
        name: c.name,
        type: c.type,
        maxAccess: c.index === "hidden" ? notAccessible : readOnly,
      })),
      tableIndex: t.columns.filter((c) => c.index).map((c) => ({ columnName: c.name })),
    });
  }

  // Rows currently in the MIB, per table: index key → index values.
  const present = new Map<string, Map<string, MibCell[]>>(shape.tables.map((t) => [t.name, new Map()]));
  const apply = (snapshot: Snapshot) => {
    for (const s of shape.scalars) {
      const value = snapshot.scalars[s.name];
      if (value === undefined) throw new Error(`snapshot lacks scalar ${s.name}`);
      mib.setScalarValue(s.name, cell(s.type, value));
    }
    for (const t of shape.tables) {
      const rows = snapshot.tables[t.name] ?? [];
      const old = present.get(t.name) as Map<string, MibCell[]>;
      const next = new Map<string, MibCell[]>();
      for (const row of rows) {
        const values = t.columns.map((c) => {
          const v = row[c.name];
          if (v === undefined) throw new Error(`${t.name} row lacks ${c.name}`);
          return cell(c.type, v);
        });
        const index = t.columns.flatMap((c, i) => (c.index ? [values[i] as MibCell] : []));
        const key = index.join(".");
        next.set(key, index);
        if (!old.has(key)) mib.addTableRow(t.name, values);
        else
          t.columns.forEach((c, i) => {
            if (!c.index) mib.setTableSingleCell(t.name, c.number, index, values[i] as MibCell);
          });
      }
      for (const [key, index] of old) if (!next.has(key)) mib.deleteTableRow(t.name, index);
      present.set(t.name, next);
    }
  };

  apply(initial);
  const close = () => new Promise<void>((resolve) => agent.close(() => resolve()));
  if (!(await answers(host, udpPort))) {
    await close();
    throw new Error(`SNMP agent did not start on ${host}:${udpPort}: ${bindError?.message ?? "no answer"}`);
  }
  return { port: udpPort, apply, close };
}

/** The agent binds asynchronously and reports bind errors only to its callback: ask it. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const session = snmp.createSession(host, "public", {
      port,
      version: snmp.Version2c,
      timeout: 50,
      retries: 20,
    });
    session.on("error", () => {});
    session.getNext(["1.3.6.1"], (error) => {
      session.close();
      resolve(!error);
    });
  });
}

function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
