// The opswatch configuration: one YAML file, validated by these schemas. They are the single source of
// truth for the TypeScript types, for `opswatch check-config` and for the committed JSON Schema.
import { isIP, isIPv6 } from "node:net";
import { domainToASCII } from "node:url";
import { validate as validCron } from "node-cron";
import { z } from "zod";
import { Id, ValueName } from "../protocol/messages.js";
import { Assertions, Pattern, StatusCode } from "./assertions.js";
import { Duration } from "./duration.js";
import { CaFile, HttpAuth, HttpHeaders, HttpMethod, HttpProxy, HttpTls, IpFamily } from "./http.js";
import { Calendar, Indicators, ServiceTime, Severities, TargetIndicator } from "./indicators.js";
import { InspectionKind, InspectionPlan } from "./inspections.js";
import { Notifications } from "./notifications.js";
import { checkOperation, OperationFields } from "./operation.js";
import { NameSegment, ProfileName } from "./profile.js";
import { configPath, Secret } from "./secrets.js";

/** The monthly report job (月度运维报告): last month's report files, then an optional "ready" POST. */
export const Reports = z
  .strictObject({
    schedule: z
      .string()
      .refine((s) => validCron(s), 'a cron expression such as "0 8 1 * *" (minute hour day month weekday)')
      .default("0 8 1 * *")
      .describe("when last month's report is written, in the site time zone (default the 1st at 08:00)"),
    enabled: z.boolean().default(true).describe("false: no scheduled report (the API and CLI still work)"),
    dir: z.string().default("reports").describe("where report files go (relative to the working directory)"),
    formats: z
      .array(z.enum(["json", "md", "csv", "html", "xlsx"]))
      .min(1)
      .default(["json", "html", "xlsx"])
      .describe("one file each; csv: a directory with one file per section"),
    lang: z.enum(["zh-CN", "en"]).default("zh-CN"),
    webhook: Secret.pipe(z.url({ protocol: /^https?$/ }))
      .optional()
      .describe(
        'POSTed {"type":"report.ready",…} when the files are written; a secret, as it may hold a token',
      ),
  })
  .prefault({});
export type ReportsConfig = z.infer<typeof Reports>;

const HostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "host:port, e.g. 127.0.0.1:8080")
  .transform((s) => {
    const i = s.lastIndexOf(":");
    return { host: s.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(s.slice(i + 1)) };
  });

const Oid = z.string().regex(/^\.?\d+(\.\d+)+$/, "a numeric OID such as 1.3.6.1.2.1.1.3.0");

const CheckBase = {
  id: Id,
  interval: Duration.prefault("60s").describe("time between two runs; first run at a random offset"),
  schedule: z
    .string()
    .refine((s) => validCron(s), 'a cron expression such as "0 9 * * *" (minute hour day month weekday)')
    .optional()
    .describe("cron expression in the site time zone; replaces interval when given"),
  timeout: Duration.prefault("10s"),
  agents: z.array(Id).optional().describe("agents that run this check; default: every agent"),
  confirm: z
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe("consecutive failures before DOWN; default 3 for snmp/host, 2 for the others"),
  counts: z.boolean().default(true).describe("false: shown, but not counted in the target's indicators"),
  member: Id.optional().describe(
    "HA pair: which device of the target this check watches (firewall_stability is met while any member is up and active)",
  ),
};

const HttpCheck = z.strictObject({
  ...CheckBase,
  // The national government-website check fails a page that is not open after 15 s.
  timeout: Duration.prefault("15s"),
  kind: z.literal("http"),
  url: z.url({ protocol: /^https?$/ }),
  method: HttpMethod.default("GET"),
  headers: HttpHeaders,
  body: z.string().optional().describe("request body (set content-type in headers)"),
  auth: HttpAuth.optional(),
  proxy: HttpProxy.optional(),
  ip: IpFamily.optional(),
  tls: HttpTls.describe("https: { verify, ca, server_name }"),
  max_redirects: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(5)
    .describe("0: redirects are not followed (the 3xx is the response)"),
  max_body_bytes: z
    .number()
    .int()
    .min(1)
    .max(256 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .describe("body bytes kept for assertions; the rest is read and discarded"),
  assertions: Assertions,
  expect_status: z
    .array(StatusCode)
    .optional()
    .describe("shorthand for a first assertion { type: status, in: [...] }; default any 2xx or 3xx"),
  keyword: z.string().min(1).optional().describe("shorthand for { type: body_contains, text }"),
});

/** TLS on any TCP port (LDAPS, SMTPS, a database …): handshake, chain, host name, expiry. */
const TlsCheck = z.strictObject({
  ...CheckBase,
  kind: z.literal("tls"),
  address: HostPort,
  server_name: z
    .string()
    .min(1)
    .optional()
    .describe("SNI and the name the certificate must carry; default the host"),
  verify: z
    .boolean()
    .default(true)
    .describe("false: an untrusted chain or other name does not fail the probe"),
  ca: CaFile.optional(),
  min_days_left: z.number().default(0).describe("fails when the earliest expiry in the chain is nearer"),
});

/** `\r`, `\n`, `\t` and `\\` written literally (plain or single-quoted YAML) become the characters. */
const unescapeControls = (s: string) =>
  s.replace(/\\([rnt\\])/g, (_, c: string) => ({ r: "\r", n: "\n", t: "\t" })[c] ?? c);

const TcpCheck = z.strictObject({
  ...CheckBase,
  kind: z.literal("tcp"),
  address: HostPort,
  send: z
    .string()
    .min(1)
    .transform(unescapeControls)
    .optional()
    .describe('written once connected, e.g. "PING\\r\\n" (\\r \\n \\t escapes)'),
  expect: Pattern.optional().describe(
    "must match the first line the server sends (after `send`): read up to a newline or 4 KiB; value tcp.banner",
  ),
});

/** Response codes a DNS check can expect (RFC 1035, 2136): index = the 4-bit RCODE. */
export const DnsRcode = z.enum([
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
]);

/** "10.0.0.53", "10.0.0.53:5353", "[fd00::53]:5353" or "fd00::53"; port 53 when absent. */
export const DnsServer = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F]*:[0-9a-fA-F:.]*:[0-9a-fA-F:.]*|[A-Za-z0-9.-]+(:\d{1,5})?)$/,
    "host or host:port, e.g. 10.0.0.53 or 127.0.0.1:5353 ([fd00::53]:53 for IPv6)",
  )
  .transform((s, ctx) => {
    // A bare IPv6 address carries no port: its last group would read as one.
    const m = /^(?:\[(.+)\]|([^:]+))(?::(\d+))?$/.exec(s);
    const host = m ? ((m[1] ?? m[2]) as string) : s;
    const port = Number(m?.[3] ?? 53);
    if (host.includes(":") && !isIPv6(host))
      ctx.addIssue({ code: "custom", message: `${host} is not an IPv6 address` });
    if (port < 1 || port > 65535) ctx.addIssue({ code: "custom", message: "port 1-65535" });
    return { host, port };
  });

/** A name to look up, in ASCII (IDN such as 北京.政务 → punycode); for PTR also an IP address. */
const DnsName = z
  .string()
  .min(1)
  .max(253)
  .transform((s, ctx) => {
    const ascii = isIP(s) ? s : domainToASCII(s);
    if (ascii === "") ctx.addIssue({ code: "custom", message: "a domain name such as www.example.gov.cn" });
    return ascii;
  });

const DnsCheck = z.strictObject({
  ...CheckBase,
  timeout: Duration.prefault("5s"),
  kind: z.literal("dns"),
  name: DnsName.describe("the name to query; with type PTR an IP address is turned into its reverse name"),
  type: z.enum(["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "PTR", "SRV"]).default("A"),
  server: DnsServer.optional().describe("default: the first nameserver of /etc/resolv.conf"),
  protocol: z
    .enum(["udp", "tcp"])
    .default("udp")
    .describe("udp: one retry after half the timeout, TCP when the answer is truncated"),
  expect_rcode: DnsRcode.default("NOERROR"),
  expect_answers: z
    .array(Pattern)
    .default([])
    .describe(
      'each must match some answer, e.g. "^10\\.1\\." (MX: "10 mail.example.com", SRV: "0 5 5060 sip.example.com")',
    ),
});

/** The value-name part of a designated interface: if.<name>.oper_status stays within 64 characters. */
const InterfaceName = NameSegment.max(50);
/** "GigabitEthernet1/0/1" → "gigabitethernet1_0_1". */
const interfaceName = (match: string) =>
  match
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 50) || "if";

/** SNMPv3 user-based security (USM); keys are secrets, localized to the device's engine by the agent. */
const SnmpV3 = z.strictObject({
  user: z.string().min(1).describe("USM user name"),
  level: z.enum(["noAuthNoPriv", "authNoPriv", "authPriv"]).default("authPriv"),
  auth_protocol: z
    .enum(["md5", "sha", "sha224", "sha256", "sha384", "sha512"])
    .optional()
    .describe("default sha (authNoPriv, authPriv)"),
  auth_key: Secret.optional().describe("authentication passphrase, at least 8 characters"),
  priv_protocol: z
    .enum(["des", "aes", "aes256b", "aes256r"])
    .optional()
    .describe(
      "default aes (AES-128); aes256b: AES-256 with Blumenthal key extension (Net-SNMP AES-256), aes256r: Reeder (Cisco)",
    ),
  priv_key: Secret.optional().describe("privacy passphrase (authPriv), at least 8 characters"),
  context: z.string().optional().describe("context name (default empty)"),
});

/** USM needs the keys its level uses (RFC 3414 passphrases: 8 characters or more), and no others. */
function checkUsmKeys(
  u: Pick<z.infer<typeof SnmpV3>, "level" | "auth_key" | "priv_key">,
  ctx: z.RefinementCtx,
  path: string[],
): void {
  const needs = { auth_key: u.level !== "noAuthNoPriv", priv_key: u.level === "authPriv" };
  for (const key of ["auth_key", "priv_key"] as const) {
    const value = u[key];
    if (needs[key] && value === undefined)
      ctx.addIssue({ code: "custom", path: [...path, key], message: `required for level ${u.level}` });
    else if (needs[key] && value !== undefined && value.length < 8)
      ctx.addIssue({ code: "custom", path: [...path, key], message: "at least 8 characters (SNMPv3 USM)" });
    else if (!needs[key] && value !== undefined)
      ctx.addIssue({
        code: "custom",
        path: [...path, key],
        message: `not used at level ${u.level}: remove it or raise the level`,
      });
  }
}

/** A check's version and v3 block agree, and the v3 keys fit its level. */
function checkSnmpSecurity(
  check: { version: string; v3?: z.infer<typeof SnmpV3> },
  ctx: z.RefinementCtx,
): void {
  const { version, v3 } = check;
  if (version === "3" && v3 === undefined)
    ctx.addIssue({ code: "custom", path: ["v3"], message: "required with version 3 (user, level, keys)" });
  if (version !== "3" && v3 !== undefined)
    ctx.addIssue({ code: "custom", path: ["v3"], message: `only for version 3 (version is ${version})` });
  if (v3 !== undefined) checkUsmKeys(v3, ctx, ["v3"]);
}

const SnmpCheck = z.strictObject({
  ...CheckBase,
  kind: z.literal("snmp"),
  address: HostPort,
  // YAML reads `version: 1` and `version: 3` as numbers.
  version: z
    .union([z.enum(["1", "2c", "3"]), z.literal([1, 3])], { error: "1, 2c or 3" })
    .transform((v) => String(v) as "1" | "2c" | "3")
    .default("2c"),
  community: Secret.default("public").describe("v1/v2c community (secret)"),
  v3: SnmpV3.optional().describe("version 3 only: USM user and keys"),
  retries: z.number().int().min(0).max(5).default(1),
  max_repetitions: z.number().int().min(1).max(100).default(20).describe("GETBULK walks: rows per request"),
  profile: z
    .union([ProfileName, z.array(ProfileName).min(1)])
    .transform((p) => (Array.isArray(p) ? p : [p]))
    .optional()
    .describe('profile name(s) (config/profiles/, profiles_dir), or "auto" to detect the device kind'),
  profiles_dir: z
    .string()
    .optional()
    .describe(
      "directory of extra profile files (relative to the config file); same name replaces a built-in",
    ),
  interfaces: z
    .array(z.union([z.string().min(1), z.strictObject({ match: z.string().min(1), name: InterfaceName })]))
    .default([])
    .transform((list) => list.map((i) => (typeof i === "string" ? { match: i, name: interfaceName(i) } : i)))
    .refine((list) => new Set(list.map((i) => i.name)).size === list.length, "interface names must be unique")
    .describe("designated interfaces: ifName/ifAlias/ifDescr, or { match, name } (values if.<name>.…)"),
  oids: z
    .record(ValueName, Oid)
    .default({})
    .describe("extra raw GETs: value name → OID, e.g. battery.charge: 1.3.6.1.2.1.33.1.2.4.0"),
});

/** A check reads something: a profile, or raw OIDs. */
function checkSnmpReads(
  check: { profile?: string[]; oids: Record<string, string> },
  ctx: z.RefinementCtx,
): void {
  if (check.profile === undefined && Object.keys(check.oids).length === 0)
    ctx.addIssue({
      code: "custom",
      path: ["profile"],
      message: 'a profile (or "auto"), or at least one OID in oids',
    });
}

const IcmpCheck = z.strictObject({
  ...CheckBase,
  kind: z.literal("icmp"),
  host: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, "a host name or an IPv4/IPv6 address")
    .describe("pinged with the system ping (Debian iputils-ping; no root needed)"),
  ip: z.enum(["4", "6"]).default("4"),
  count: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(3)
    .describe("echo requests per probe, 0.2 s apart; up if any is answered"),
});

const HostCheck = z.strictObject({
  ...CheckBase,
  kind: z.literal("host"),
  disks: z.array(z.string()).default([]).describe("mount points to report; default the fullest one"),
});

const OperationCheck = z.strictObject({ ...CheckBase, ...OperationFields }).superRefine(checkOperation);

export const Check = z.discriminatedUnion("kind", [
  HttpCheck,
  OperationCheck,
  TlsCheck,
  TcpCheck,
  DnsCheck,
  SnmpCheck.superRefine(checkSnmpSecurity).superRefine(checkSnmpReads),
  IcmpCheck,
  HostCheck,
]);
export type Check = z.infer<typeof Check>;
export type HttpCheck = z.infer<typeof HttpCheck>;
export type OperationCheck = z.infer<typeof OperationCheck>;
export type { OperationStep } from "./operation.js";
export type TlsCheck = z.infer<typeof TlsCheck>;
export type TcpCheck = z.infer<typeof TcpCheck>;
export type DnsCheck = z.infer<typeof DnsCheck>;
export type SnmpCheck = z.infer<typeof SnmpCheck>;
export type HostCheck = z.infer<typeof HostCheck>;
export type IcmpCheck = z.infer<typeof IcmpCheck>;

export const Target = z.strictObject({
  id: Id,
  name: z.string().min(1).describe("display name, e.g. 1号UPS"),
  group: Id.default("default"),
  checks: z
    .array(Check)
    .min(1)
    .refine((cs) => cs.every((c) => c.id !== "trap"), 'check id "trap" is reserved for SNMP trap events'),
  indicators: z.array(TargetIndicator).default([]).describe("indicators this target counts toward"),
  service_time: ServiceTime.default("24x7").describe('"24x7" or service hours on working days'),
  inspection_kind: InspectionKind.optional().describe(
    "automatic inspection checklist: ups | firewall | website | host | other; default inferred from indicators and checks",
  ),
});
export type Target = z.infer<typeof Target>;

const AgentCredential = z
  .strictObject({
    id: Id,
    token: Secret.optional(),
    tokens: z
      .array(Secret)
      .min(1)
      .max(4)
      .optional()
      .describe(
        "several accepted tokens at once: rotate without downtime (add new, reload, switch agent, drop old)",
      ),
  })
  .refine((a) => (a.token === undefined) !== (a.tokens === undefined), {
    message: "give token or tokens (exactly one of them)",
  })
  .transform((a) => ({ id: a.id, tokens: a.tokens ?? [a.token as string] }));

export const Role = z.enum(["viewer", "operator", "admin"]);
export type Role = z.infer<typeof Role>;
const ApiToken = z.strictObject({
  name: Id.describe("who uses it; recorded as the actor of every write made with it"),
  token: Secret,
  role: Role.describe("viewer: read; operator: faults, maintenance, inspections, import; admin: everything"),
});

/** Certificate files (PEM). Relative paths are relative to the config file. */
const File = z
  .string()
  .min(1)
  .transform((p) => configPath(p));

const ServerTls = z.strictObject({
  cert_file: File.describe("certificate chain (PEM), re-read on SIGHUP"),
  key_file: File.describe("private key (PEM), re-read on SIGHUP"),
  client_ca_file: File.optional().describe(
    "CA (PEM) of agent client certificates: agents must present one it signed (mutual TLS on /ws/agent)",
  ),
  hsts_max_age: Duration.prefault("180d").describe("Strict-Transport-Security max-age"),
});

const Limits = z
  .strictObject({
    body_bytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024)
      .describe("largest JSON request body"),
    rate_per_address: z
      .number()
      .min(0)
      .default(20)
      .describe("API requests per second allowed from one address (burst: 5× this); 0 = no limit"),
    rate_per_token: z
      .number()
      .min(0)
      .default(50)
      .describe("API requests per second allowed per token or session (burst: 5× this); 0 = no limit"),
    page_max: z.number().int().min(1).max(100_000).default(1000).describe("largest page any list returns"),
    login_attempts: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe("failed logins per user name and per address within 15 minutes before login is refused"),
  })
  .prefault({});

const Retention = z
  .strictObject({
    raw_results: Duration.prefault("400d")
      // Reboots and response-time percentiles are read from raw results: a monthly report needs at
      // least the month before plus a few days.
      .refine(
        (ms) => ms >= 35 * 86_400_000,
        "at least 35d (the monthly report reads last month's raw results)",
      )
      .describe(
        "raw results older than this are deleted (daily); rollups, faults, inspections and the audit log are kept forever",
      ),
  })
  .prefault({});

const Sessions = z
  .strictObject({
    idle: Duration.prefault("8h").describe("a console session ends after this long without a request"),
    absolute: Duration.prefault("7d").describe("and this long after login in any case"),
  })
  .prefault({});

const Server = z.strictObject({
  listen: HostPort.prefault("127.0.0.1:8080"),
  database: z
    .string()
    .default("data/opswatch.db")
    .describe(
      'SQLite file (relative to the working directory), or a PostgreSQL URL "postgres://user@host/db" (may be a secret: "${PG_URL}", "file:PATH") for several servers on one database',
    ),
  tls: ServerTls.optional().describe("serve HTTPS and WSS (absent: plain HTTP, e.g. behind a TLS proxy)"),
  public_url: z
    .url()
    .optional()
    .describe("how people reach this server (links in notifications, Secure cookies behind a TLS proxy)"),
  anonymous_read: z
    .boolean()
    .default(false)
    .describe(
      "let requests without a token read the API (GET) as a viewer; the status page is public anyway",
    ),
  status_page: z
    .boolean()
    .default(true)
    .describe(
      "serve the public read-only status page at / and /status (false: only the console, after login)",
    ),
  sessions: Sessions.describe("web console login sessions"),
  limits: Limits,
  retention: Retention,
  max_clock_offset: Duration.prefault("5s").describe(
    "an agent whose clock is off by more than this at hello is flagged: its results are marked and alerted on",
  ),
  synchronous: z
    .enum(["normal", "full"])
    .default("full")
    .describe("SQLite durability: full survives power loss, normal only a process crash"),
  agents: z.array(AgentCredential).default([]).describe("agents allowed to connect, each with its token"),
  api_tokens: z.array(ApiToken).default([]).describe("bearer tokens for the write API"),
  indicator_refresh: Duration.prefault("60s").describe("how often the indicator metrics are recomputed"),
  max_frame_bytes: z
    .number()
    .int()
    .min(1024)
    .default(8 * 1024 * 1024),
});

/** A USM user whose SNMPv3 traps the agent accepts: a check's v3 block without the context. */
const TrapUser = SnmpV3.omit({ context: true }).superRefine((u, ctx) => checkUsmKeys(u, ctx, []));

/** The agent's SNMP trap receiver (docs/snmp.md "Traps"): off unless `listen` is given. */
const Traps = z
  .strictObject({
    listen: HostPort.optional().describe(
      "UDP host:port for traps and informs, e.g. 0.0.0.0:162 (ports below 1024 need root or CAP_NET_BIND_SERVICE); absent: no receiver",
    ),
    communities: z.array(Secret).default([]).describe("v1/v2c communities accepted; others are rejected"),
    users: z.array(TrapUser).default([]).describe("SNMPv3 users accepted; others are rejected"),
    engine_id: z
      .union([z.string(), z.number()])
      .superRefine((v, ctx) => {
        if (typeof v === "number")
          ctx.addIssue({
            code: "custom",
            message: 'put it in quotes ("0x80…"): unquoted, YAML reads a number',
          });
        else if (!/^(0x)?([0-9a-fA-F]{2}){5,32}$/.test(v))
          ctx.addIssue({
            code: "custom",
            message: 'hex, 5 to 32 octets, e.g. "0x8000B98380AABBCCDDEEFF0011"',
          });
      })
      .transform(String)
      .optional()
      .describe("the receiver's snmpEngineID (what v3 informs are sent to); default random at each start"),
    dedup_window: Duration.prefault("5m").describe(
      "a trap repeating identically from one device within this window is folded into its first event",
    ),
  })
  .refine((t) => t.listen === undefined || t.communities.length + t.users.length > 0, {
    path: ["communities"],
    message: "listen needs at least one community or user (every trap would be rejected)",
  })
  .prefault({});

const Agent = z.strictObject({
  id: Id,
  server: z.url({ protocol: /^wss?$/ }).describe("ws://host:port/ws/agent"),
  token: Secret,
  tls: z
    .strictObject({
      ca_file: File.optional().describe(
        "CA (PEM) that signed the server certificate; default: the system CAs",
      ),
      cert_file: File.optional().describe("client certificate (PEM) for mutual TLS"),
      key_file: File.optional().describe("client key (PEM) for mutual TLS"),
    })
    .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), {
      message: "cert_file and key_file go together",
    })
    .optional()
    .describe("for a wss:// server"),
  metrics_listen: HostPort.optional().describe(
    "serve the agent's own Prometheus metrics (spool depth, uplink, trap rejections) here, e.g. 127.0.0.1:9465",
  ),
  spool: z.string().default("data/agent-spool.db").describe("on-disk queue (SQLite file)"),
  concurrency: z.number().int().min(1).max(1024).default(16),
  batch_max: z.number().int().min(1).max(10_000).default(500),
  batch_delay: Duration.prefault("200ms").describe("wait this long to fill a batch"),
  in_flight: z.number().int().min(1).max(64).default(4).describe("batches sent but not yet acked"),
  reconnect_max: Duration.prefault("30s"),
  traps: Traps.describe(
    "SNMP trap receiver: events forwarded to the server, an immediate poll of the device",
  ),
});

export const Config = z.strictObject({
  $schema: z.string().optional(),
  site: z
    .strictObject({
      name: z.string().default("opswatch"),
      timezone: z.string().default("Asia/Shanghai"),
    })
    .prefault({}),
  log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
  indicators: Indicators,
  severities: Severities,
  calendar: Calendar,
  server: Server.optional(),
  agent: Agent.optional(),
  targets: z.array(Target).default([]),
  inspections: z.array(InspectionPlan).default([]).describe("daily inspection plans (日常巡检)"),
  reports: Reports.describe("the scheduled monthly report (月度运维报告)"),
  notifications: Notifications.describe(
    "built-in fault notifications (webhook, 企业微信, 钉钉, 飞书, e-mail) for sites without Alertmanager",
  ),
  demo: z
    .strictObject({
      ups_snmp: HostPort.optional().describe(
        "start the built-in UPS simulator (SNMP v2c, community public) here",
      ),
      http_site: HostPort.optional().describe("start the built-in portal simulator (HTTP) here"),
      https_site: HostPort.optional().describe(
        "with http_site: the portal over HTTPS here too (a self-signed certificate made at start, valid 90 days)",
      ),
      firewall_snmp: HostPort.optional().describe(
        "start the built-in firewall simulator (Huawei, SNMP v2c, community public) here",
      ),
      users: z
        .array(
          z.strictObject({
            name: Id,
            role: Role,
            password: z.string().min(10).describe("demo only: in the config in clear text"),
          }),
        )
        .default([])
        .describe(
          "console users created at start when missing (demo only; real sites use `opswatch user add`)",
        ),
      sim_control: HostPort.optional().describe(
        "HTTP endpoint to flip the simulators' state: GET/POST /ups/state, /firewall/state (see `opswatch simulate --help`)",
      ),
    })
    .optional()
    .describe("built-in simulators started by `opswatch start` (demo only)"),
});
export type Config = z.infer<typeof Config>;
export type ServerConfig = z.infer<typeof Server>;
export type AgentConfig = z.infer<typeof Agent>;
export type TrapsConfig = z.infer<typeof Traps>;
