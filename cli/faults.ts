// opswatch fault list|show|open|ack|resolve|reopen|escalate: the fault API (server/routes/faults.ts).
import { type Command, Option } from "commander";
import type { faultView } from "../server/faults.js";
import { action, Client, type ClientOptions, clientOptions } from "./client.js";
import { checkTz, fields, fmtTime, SITE_TZ, table, truncate } from "./format.js";

/** A fault as GET /api/v1/faults/:id answers it. */
export type FaultView = ReturnType<typeof faultView>;

const SEVERITIES = ["P1", "P2", "P3", "P4"];

interface Common extends ClientOptions {
  json?: boolean;
  tz: string;
}

/** Whether the fault was answered (acknowledged, or closed without one) since it was last (re)opened. */
function acknowledgedNow(f: FaultView): boolean {
  const last = f.history.findLast(
    (e) => e.type === "opened" || e.type === "reopened" || e.type === "acknowledged",
  );
  return last?.type === "acknowledged";
}

/** Deadline as a local time, marked when it has passed with nothing done. */
function deadline(f: FaultView, which: "respond" | "resolve", tz: string): string {
  const done =
    which === "respond"
      ? f.history.some((e) => e.type === "acknowledged" || e.type === "resolved")
      : f.status === "resolved";
  const outcome = which === "respond" ? f.response : f.completion;
  const at = fmtTime(which === "respond" ? f.respond_by : f.resolve_by, tz);
  return outcome === "missed" && !done ? `${at} OVERDUE` : at;
}

function status(f: FaultView): string {
  const s = f.status === "resolved" ? "resolved" : acknowledgedNow(f) ? "acknowledged" : "open";
  return f.recovered_at !== null ? `${s} (recovered)` : s;
}

export function listText(faults: FaultView[], tz: string): string {
  if (faults.length === 0) return "no faults";
  const rows = faults.map((f) => [
    f.id,
    f.severity,
    f.target,
    truncate(f.title, 40),
    status(f),
    fmtTime(f.opened_at, tz),
    deadline(f, "respond", tz),
    deadline(f, "resolve", tz),
    f.response,
    f.completion,
  ]);
  return `${table(
    [
      "ID",
      "SEV",
      "TARGET",
      "TITLE",
      "STATUS",
      "OPENED",
      "RESPOND BY",
      "RESOLVE BY",
      "RESPONSE",
      "COMPLETION",
    ],
    rows,
  )}\n\n${faults.length} fault(s); times in ${tz}; OVERDUE: the deadline passed with nothing done`;
}

function eventText(e: FaultView["history"][number]): string {
  switch (e.type) {
    case "opened":
      return `opened ${e.severity} (${e.source})`;
    case "attached":
      return "detected again";
    case "recovered":
      return "target healthy again";
    case "escalated":
      return `escalated to ${e.severity} by ${e.actor}`;
    default:
      return `${e.type} by ${e.actor}: ${e.note}`;
  }
}

export function faultText(f: FaultView, tz: string): string {
  const ack = f.acknowledged;
  return [
    `fault ${f.id}  ${f.severity}  ${status(f)}`,
    fields([
      ["target", f.target],
      ["title", f.title],
      ["source", `${f.source} (cause ${f.cause})`],
      ["opened", fmtTime(f.opened_at, tz, true)],
      ["respond by", `${deadline(f, "respond", tz)}  response: ${f.response}`],
      ["resolve by", `${deadline(f, "resolve", tz)}  completion: ${f.completion}`],
      ["acknowledged", ack ? `${fmtTime(ack.at, tz, true)} by ${ack.actor}: ${ack.note}` : "—"],
      ...(f.recovered_at !== null
        ? [["recovered", fmtTime(f.recovered_at, tz, true)] as [string, string]]
        : []),
      ["resolved", fmtTime(f.resolved_at, tz, true)],
    ]),
    "history",
    ...f.history.map((e) => `  ${fmtTime(e.at, tz, true)}  ${eventText(e)}`),
    `(times in ${tz})`,
  ].join("\n");
}

function print(f: FaultView, o: Common): void {
  process.stdout.write(o.json ? `${JSON.stringify(f, null, 2)}\n` : `${faultText(f, checkTz(o.tz))}\n`);
}

const tzOption = () => new Option("--tz <zone>", "time zone for the times shown").default(SITE_TZ);
const idPath = (id: string) => `/api/v1/faults/${encodeURIComponent(id)}`;

export function registerFaultCommands(program: Command): void {
  const fault = program
    .command("fault")
    .description("faults (incidents): list, show, open, acknowledge, resolve, reopen, escalate");
  const sub = (name: string, description: string) =>
    clientOptions(fault.command(name).description(description))
      .addOption(tzOption())
      .option("--json", "print the server's JSON");

  sub("list", "list faults: severity, status, deadlines (OVERDUE marked), response and completion")
    .addOption(
      new Option("--state <state>", "only open or only resolved faults").choices(["open", "resolved"]),
    )
    .option("--target <id>", "only faults of this target")
    .action(
      action(async (o: Common & { state?: string; target?: string }) => {
        const tz = checkTz(o.tz);
        const r = await new Client(o).get<{ faults: FaultView[] }>("/api/v1/faults", {
          state: o.state,
          target: o.target,
        });
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : `${listText(r.faults, tz)}\n`);
      }),
    );

  sub("show", "one fault with its deadlines and full history")
    .argument("<id>", "fault id")
    .action(
      action(async (id: string, o: Common) => {
        checkTz(o.tz);
        print(await new Client(o).get<FaultView>(idPath(id)), o);
      }),
    );

  sub("open", "report a fault (operator token)")
    .requiredOption("--target <id>", "target id, as in the config")
    .requiredOption("--title <text>", "what is wrong (≤ 200 characters)")
    .addOption(
      new Option("--severity <P>", "severity: fixes the deadlines").choices(SEVERITIES).makeOptionMandatory(),
    )
    .action(
      action(async (o: Common & { target: string; title: string; severity: string }) => {
        checkTz(o.tz);
        const body = { target: o.target, title: o.title, severity: o.severity };
        print(await new Client(o).post<FaultView>("/api/v1/faults", body), o);
      }),
    );

  for (const [name, verb, what] of [
    ["ack", "ack", "acknowledge a fault (the response); the token's name is recorded as the actor"],
    ["resolve", "resolve", "resolve a fault (its target must be healthy again)"],
    ["reopen", "reopen", "reopen a resolved fault"],
  ] as const) {
    sub(name, `${what} (operator token)`)
      .argument("<id>", "fault id")
      .requiredOption("--note <text>", "what was done or why (recorded in the history)")
      .action(
        action(async (id: string, o: Common & { note: string }) => {
          checkTz(o.tz);
          print(await new Client(o).post<FaultView>(`${idPath(id)}/${verb}`, { note: o.note }), o);
        }),
      );
  }

  sub(
    "escalate",
    "raise a fault's severity (the deadlines stay those of the opening severity; operator token)",
  )
    .argument("<id>", "fault id")
    .addOption(
      new Option("--severity <P>", "the new, more severe severity").choices(SEVERITIES).makeOptionMandatory(),
    )
    .action(
      action(async (id: string, o: Common & { severity: string }) => {
        checkTz(o.tz);
        print(await new Client(o).post<FaultView>(`${idPath(id)}/escalate`, { severity: o.severity }), o);
      }),
    );
}
