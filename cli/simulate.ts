// opswatch simulate ups|firewall: a simulated device answering SNMP on loopback, whose state a person
// (commands on stdin) or a test (HTTP control endpoint) flips at runtime. The simulators load only here.
import { type Command, InvalidArgumentError, Option } from "commander";
import { createLogger, type Logger } from "../lib/log.js";
import type { SimDevice } from "../sim/device.js";

interface Address {
  host: string;
  port: number;
}

function address(value: string): Address {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new InvalidArgumentError("expected host:port, e.g. 127.0.0.1:16161");
  return { host: (m[1] as string).replace(/^\[|\]$/g, ""), port };
}

interface CommonOptions {
  listen: Address;
  name?: string;
  control?: Address;
  trap?: Address;
  logLevel: string;
}

const UPS_HELP = `
State commands (stdin: one line of words, e.g. "mains=fail"; HTTP: POST /state with a JSON object
{"mains":"fail"} or query parameters ?mains=fail; GET /state or the stdin line "state" shows the state):
  mains=fail        mains failure: on battery (output source 5), alarms OnBattery + InputBad, input voltage
                    and frequency 0, seconds on battery counting up, charge draining (a full battery lasts
                    30 min), upsInputLineBads + 1; sends upsTrapOnBattery, repeated every minute
  mains=normal      mains back (the charge recovers 1 %/min)
  battery=low       battery status low (3), alarm LowBattery, charge at most 20 %     battery=normal
  output=off        output off: output source none (2), alarm UpsOutputOff, output 0 V     output=on
  bypass=on         on bypass: output source 4, alarm OnBypass                        bypass=off
  overload=on       load 115 %, alarm OutputOverload                                  overload=off
  alarms=A,B        extra RFC 1628 alarms by name (e.g. ShutdownImminent,UpsSystemOff); alarms= clears
  reset             back to normal: on mains, battery normal, output on, full charge, no alarms
Precedence of the output source: output off > mains failure (battery) > bypass > normal.
With --trap, alarm rows added/removed also send upsTrapAlarmEntryAdded/Removed (RFC 1628 only).
Vendors: rfc1628 serves MIB-II system + UPS-MIB (ident, battery, input, output, bypass, alarm table,
config); apc serves MIB-II system + PowerNet (upsBasic*/upsAdv*: output status 2 onLine 3 onBattery
7 off 9 switchedBypass, capacity, runtime as TimeTicks, line voltage, load) and no UPS-MIB.
`;

const FIREWALL_HELP = `
State commands (stdin: one line of words, e.g. "if.GigabitEthernet1/0/1=down"; HTTP: POST /state with a
JSON object {"if.GigabitEthernet1/0/1":"down"} or query parameters; GET /state or the stdin line "state"
shows the state):
  if.<ifName|ifAlias|ifIndex>=down|up   ifOperStatus 2 / 1 (traffic stops / resumes); sends linkDown/linkUp
  reboot            sysUpTime restarts from 0, traffic counters from 0; sends coldStart
  ha=master|backup  vrrpOperState 3 / 2 on every VRRP group (priority 120 / 100)
  cpu=high|normal|N CPU use 95 % / about 20 % / N %        mem=high|normal|N  memory 93 % / about 45 % / N %
  reset             all interfaces up, CPU and memory normal, the --role given at start
Interfaces: 1 GigabitEthernet0/0/0 (mgmt), 2 GigabitEthernet1/0/1 (uplink-internet), 3 GigabitEthernet1/0/2
(downlink-core), 4 GigabitEthernet1/0/3 (ha-heartbeat), 1 Gbit/s each; VRRP groups: VRID 1 on ifIndex 2,
VRID 2 on ifIndex 3. Served: MIB-II system, ifNumber, ifTable, ifXTable (ifHC*Octets as Counter64),
vrrpNodeVersion, vrrpOperTable, and the vendor's CPU/memory: huawei hwEntityCpuUsage/hwEntityMemUsage
(1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5/.7; main board entPhysicalIndex 16842753, chassis 16777216 reads 0),
h3c hh3cEntityExtCpuUsage/MemUsage (1.3.6.1.4.1.25506.2.6.1.1.1.1.6/.8; board 2, chassis 1 reads 0).
`;

/** Adds the options both devices share. */
function common(cmd: Command, defaultPort: number): Command {
  return cmd
    .addOption(
      new Option("-l, --listen <host:port>", "SNMP address (UDP; v1/v2c, any community)")
        .argParser(address)
        .default(address(`127.0.0.1:${defaultPort}`), `127.0.0.1:${defaultPort}`),
    )
    .option("--name <name>", "sysName")
    .option(
      "--control <host:port>",
      "HTTP control endpoint: GET /state, POST /state (off by default; stdin always works)",
      address,
    )
    .option("--trap <host:port>", "send SNMPv2c traps (community public) here", address)
    .addOption(
      new Option("--log-level <level>", "log level")
        .choices(["debug", "info", "warn", "error"])
        .default("info"),
    );
}

/** Runs the device with stdin and the optional control endpoint until SIGINT/SIGTERM. */
async function run(kind: string, o: CommonOptions, start: (log: Logger) => Promise<SimDevice>) {
  const log = createLogger(o.logLevel, `opswatch-simulate-${kind}`);
  const { readCommands, startControlServer } = await import("../sim/control.js");
  let device: SimDevice;
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
  try {
    device = await start(log);
    control = o.control ? await startControlServer({ [kind]: device }, o.control, log) : undefined;
  } catch (e) {
    process.stderr.write(`opswatch simulate ${kind}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  log.info(
    {
      snmp: `${o.listen.host}:${device.port}`,
      control: control?.url,
      trap: o.trap && `${o.trap.host}:${o.trap.port}`,
    },
    `${kind} simulator running (commands on stdin, e.g. "reset"; Ctrl-C stops it)`,
  );
  const stopReading = readCommands(process.stdin, device, process.stdout);
  const stop = async () => {
    stopReading();
    await control?.close();
    await device.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

export function registerSimulateCommand(program: Command): void {
  const simulate = program
    .command("simulate")
    .description("run a simulated UPS or firewall (SNMP on loopback) whose state can be flipped at runtime");

  common(simulate.command("ups").description("a UPS: RFC 1628 UPS-MIB (or APC PowerNet)"), 16161)
    .addOption(new Option("--vendor <vendor>", "MIB served").choices(["rfc1628", "apc"]).default("rfc1628"))
    .addHelpText("after", UPS_HELP)
    .action(async (o: CommonOptions & { vendor: "rfc1628" | "apc" }) => {
      const { startUpsSimulator } = await import("../sim/ups-snmp.js");
      await run("ups", o, (log) =>
        startUpsSimulator({ ...o.listen, vendor: o.vendor, name: o.name, trap: o.trap, log }),
      );
    });

  common(
    simulate.command("firewall").description("a boundary firewall: IF-MIB, VRRP, vendor CPU/memory"),
    16163,
  )
    .addOption(
      new Option("--vendor <vendor>", "vendor MIBs served").choices(["huawei", "h3c"]).default("huawei"),
    )
    .addOption(
      new Option("--role <role>", "VRRP role at start").choices(["master", "backup"]).default("master"),
    )
    .addHelpText("after", FIREWALL_HELP)
    .action(async (o: CommonOptions & { vendor: "huawei" | "h3c"; role: "master" | "backup" }) => {
      const { startFirewallSimulator } = await import("../sim/firewall-snmp.js");
      await run("firewall", o, (log) =>
        startFirewallSimulator({
          ...o.listen,
          vendor: o.vendor,
          name: o.name,
          role: o.role,
          trap: o.trap,
          log,
        }),
      );
    });
}
