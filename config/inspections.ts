// Daily inspection plans (日常巡检, indicators.md "Daily inspections"): when each plan runs, which
// targets it covers and the manual items people confirm. The automatic items of a target come from
// engine/inspections.ts defaultAutoItems (see engine/mapping.ts inspectionChecklist).
import { validate as validCron } from "node-cron";
import { z } from "zod";
import { cronError } from "../engine/cron.js";
import { Id } from "../protocol/messages.js";
import { Duration } from "./duration.js";
import { Severity } from "./indicators.js";

export const InspectionKind = z.enum(["ups", "firewall", "website", "host", "other"]);
export type InspectionKind = z.infer<typeof InspectionKind>;

/** Only what engine/cron.ts can enumerate (missed runs) and node-cron fires the same way. */
const CronSchedule = z.string().superRefine((s, ctx) => {
  const err = cronError(s) ?? (validCron(s) ? undefined : "node-cron does not accept it");
  if (err) ctx.addIssue({ code: "custom", message: `a 5-field cron expression such as "0 9 * * *": ${err}` });
});

const ManualItem = z.strictObject({
  id: Id.describe("unique in the plan and not the id of an automatic item; used in the sign-off URL"),
  text: z.string().trim().min(1).max(200).describe("what a person confirms, e.g. 机房温度正常"),
  targets: z
    .array(Id)
    .min(1)
    .optional()
    .describe("targets it is confirmed for (one sign-off each); default every target of the plan"),
});

export const InspectionPlan = z.strictObject({
  id: Id,
  name: z.string().min(1).describe("display name, e.g. 每日巡检"),
  schedule: CronSchedule.default("0 9 * * *").describe(
    "cron (minute hour day-of-month month day-of-week) in the site time zone",
  ),
  tolerance: Duration.prefault("30m").describe("a run must start within ± this of its scheduled time"),
  targets: z.array(Id).min(1).optional().describe("targets inspected; default every target"),
  severity: Severity.default("P3").describe("severity of the fault a failed item opens"),
  manual_items: z.array(ManualItem).default([]).describe("items a person signs off the same day"),
});
export type InspectionPlan = z.infer<typeof InspectionPlan>;
