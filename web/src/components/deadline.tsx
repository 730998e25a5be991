import { fmt } from "../format.js";
import { t } from "../i18n/index.js";

export type Outcome = "met" | "missed" | "pending" | "unknown";

/**
 * One deadline of a fault. Done (acknowledged / resolved): the outcome, met or missed. Not done yet: a
 * live countdown, red and counting up once overdue. `now` comes from the page's ticking clock so
 * every countdown moves together.
 */
export function Deadline(props: {
  label: string;
  by: number | null;
  outcome: Outcome;
  done: boolean;
  now: number;
}) {
  const { by, outcome, now } = props;
  let cls = "deadline";
  let text: string;
  if (by === null || outcome === "unknown") text = t("faults.no_deadline");
  else if (props.done) {
    const met = outcome === "met";
    cls += met ? " met" : " overdue";
    text = met ? t("faults.met") : t("faults.missed");
  } else if (by < now) {
    cls += " overdue";
    text = t("faults.overdue", { d: fmt.duration(now - by) });
  } else text = t("faults.left", { d: fmt.duration(by - now) });
  return (
    <div class={cls}>
      <span class="deadline-label">{props.label}</span>{" "}
      {by !== null && <span class="deadline-at">{fmt.dateTime(by)}</span>}{" "}
      <strong role="timer">{text}</strong>
    </div>
  );
}
