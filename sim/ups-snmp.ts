// A UPS on the network for the demo and tests: net-snmp's agent serving RFC 1628 UPS-MIB values that
// drift a little, like a healthy UPS on mains (answers v1/v2c GETs with any community).
import dgram from "node:dgram";
import snmp from "net-snmp";

const ups = "1.3.6.1.2.1.33.1";

/** Value name → OID for a demo `snmp` check against this simulator. */
export const UPS_DEMO_OIDS = {
  "battery.status": `${ups}.2.1.0`,
  "battery.seconds_on_battery": `${ups}.2.2.0`,
  "battery.runtime_minutes": `${ups}.2.3.0`,
  "battery.charge": `${ups}.2.4.0`,
  "input.line_bads": `${ups}.3.1.0`,
  "input.voltage": `${ups}.3.3.1.3.1`,
  "ups.output_source": `${ups}.4.1.0`,
  "ups.load": `${ups}.4.4.1.5.1`,
  "ups.alarms_present": `${ups}.6.1.0`,
} as const satisfies Record<string, string>;

export interface UpsSimulator {
  port: number;
  close(): Promise<void>;
}

// The parts of net-snmp's untyped agent API used here.
interface Mib {
  registerProvider(provider: object): void;
  setScalarValue(name: string, value: string | number): void;
  addTableRow(name: string, row: number[]): void;
  setTableSingleCell(name: string, column: number, rowIndex: number[], value: number): void;
}
interface Agent {
  getMib(): Mib;
  close(onSocketClosed?: () => void): void;
}

const T = snmp.ObjectType;
const readOnly = snmp.MaxAccess["read-only"];
const scalars: Array<[name: string, oid: string, type: snmp.ObjectType]> = [
  ["sysDescr", "1.3.6.1.2.1.1.1", T.OctetString],
  ["sysObjectID", "1.3.6.1.2.1.1.2", T.OID],
  ["sysUpTime", "1.3.6.1.2.1.1.3", T.TimeTicks],
  ["upsBatteryStatus", `${ups}.2.1`, T.Integer],
  ["upsSecondsOnBattery", `${ups}.2.2`, T.Integer],
  ["upsEstimatedMinutesRemaining", `${ups}.2.3`, T.Integer],
  ["upsEstimatedChargeRemaining", `${ups}.2.4`, T.Integer],
  ["upsInputLineBads", `${ups}.3.1`, T.Counter],
  ["upsOutputSource", `${ups}.4.1`, T.Integer],
  ["upsAlarmsPresent", `${ups}.6.1`, T.Gauge],
];
/** A one-line table (entry OID, index column 1 not-accessible as in the RFC) with one value column. */
const table = (name: string, entry: string, column: number) => ({
  name,
  type: snmp.MibProviderType.Table,
  oid: entry,
  maxAccess: snmp.MaxAccess["not-accessible"],
  tableColumns: [
    { number: 1, name: `${name}Index`, type: T.Integer, maxAccess: snmp.MaxAccess["not-accessible"] },
    { number: column, name: `${name}Value`, type: T.Integer, maxAccess: readOnly },
  ],
  tableIndex: [{ columnName: `${name}Index` }],
});

/** Serves the UPS on 127.0.0.1:port (UDP); port 0 or omitted picks a free port. */
export async function startUpsSimulator({ port = 0 }: { port?: number } = {}): Promise<UpsSimulator> {
  // net-snmp's agent turns port 0 into 161, so find a free port first.
  const udpPort = port === 0 ? await freeUdpPort() : port;
  let bindError: Error | undefined;
  const agent: Agent = snmp.createAgent(
    { port: udpPort, address: "127.0.0.1", disableAuthorization: true },
    // Socket errors and undecodable packets land here; only a failed bind matters to a simulator.
    (error: Error | null) => {
      bindError ??= error ?? undefined;
    },
  );
  const mib = agent.getMib();
  for (const [name, oid, scalarType] of scalars) {
    mib.registerProvider({ name, type: snmp.MibProviderType.Scalar, oid, scalarType, maxAccess: readOnly });
  }
  mib.registerProvider(table("upsInputVoltage", `${ups}.3.3.1`, 3));
  mib.registerProvider(table("upsOutputPercentLoad", `${ups}.4.4.1`, 5));
  mib.addTableRow("upsInputVoltage", [1, 220]);
  mib.addTableRow("upsOutputPercentLoad", [1, 40]);
  mib.setScalarValue("sysDescr", "opswatch UPS simulator (RFC 1628 UPS-MIB)");
  mib.setScalarValue("sysObjectID", "1.3.6.1.2.1.33");
  mib.setScalarValue("upsBatteryStatus", 2); // normal
  mib.setScalarValue("upsSecondsOnBattery", 0);
  mib.setScalarValue("upsInputLineBads", 0);
  mib.setScalarValue("upsOutputSource", 3); // normal
  mib.setScalarValue("upsAlarmsPresent", 0);

  const started = Date.now();
  const refresh = () => {
    const seconds = (Date.now() - started) / 1000;
    const jitter = (amplitude: number) => (Math.random() * 2 - 1) * amplitude;
    const charge = Math.round(97.5 + 2.5 * Math.sin(seconds / 600)); // 95–100 over about an hour
    const load = Math.round(40 + 4 * Math.sin(seconds / 120) + jitter(1)); // 35–45 %
    mib.setScalarValue("sysUpTime", Math.floor((Date.now() - started) / 10)); // centiseconds
    mib.setScalarValue("upsEstimatedChargeRemaining", charge);
    mib.setScalarValue("upsEstimatedMinutesRemaining", Math.round((charge * 0.6 * 40) / load));
    mib.setTableSingleCell("upsInputVoltage", 3, [1], Math.round(220 + jitter(3)));
    mib.setTableSingleCell("upsOutputPercentLoad", 5, [1], load);
  };
  refresh();
  const timer = setInterval(refresh, 1000).unref();
  const close = () =>
    new Promise<void>((resolve) => {
      clearInterval(timer);
      agent.close(() => resolve());
    });

  if (!(await answers(udpPort))) {
    await close();
    throw new Error(
      `UPS simulator did not start on 127.0.0.1:${udpPort}: ${bindError?.message ?? "no answer"}`,
    );
  }
  return { port: udpPort, close };
}

/** The agent binds asynchronously and reports bind errors only to its callback: ask it. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const session = snmp.createSession("127.0.0.1", "public", {
      port,
      version: snmp.Version2c,
      timeout: 50,
      retries: 20,
    });
    session.on("error", () => {});
    session.get(["1.3.6.1.2.1.1.3.0"], (error) => {
      session.close();
      resolve(!error);
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
