import { useRef, useState } from "preact/hooks";
import { fmt } from "../format.js";
import { t, useLocale } from "../i18n/index.js";

export interface Day {
  /** Local date YYYY-MM-DD (site zone). */
  date: string;
  /** 0–1, or null: no data that day. */
  ratio: number | null;
}

/** A ratio as printed in the reports: percent truncated to two decimals (rule 9), never rounded up. */
export function pct(ratio: number): string {
  return fmt.percent(Math.floor(ratio * 10_000 + 1e-7) / 10_000);
}

export function bucket(ratio: number | null): "full" | "high" | "low" | "none" {
  if (ratio === null) return "none";
  if (ratio >= 1) return "full";
  return ratio >= 0.99 ? "high" : "low";
}

function dayText(d: Day): string {
  return d.ratio === null
    ? t("status.bars.day.none", { date: d.date })
    : t("status.bars.day", { date: d.date, value: pct(d.ratio) });
}

/**
 * Daily availability bars. A list: each day is an item whose text (hidden, read by screen readers) and
 * title (the mouse tooltip) say the date and value. One item at a time is in the tab order; arrow keys,
 * Home and End move between days and the line below the bars shows the focused day (keyboard and touch
 * users have no hover). The bars shrink with the width: no horizontal scroll on a phone.
 */
export function Bars(props: { name: string; days: Day[] }) {
  useLocale();
  const { days } = props;
  const [current, setCurrent] = useState(days.length - 1);
  const [shown, setShown] = useState<number | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const focusDay = (i: number) => {
    const k = Math.max(0, Math.min(days.length - 1, i));
    setCurrent(k);
    setShown(k);
    (list.current?.children[k] as HTMLElement | undefined)?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowLeft: current - 1,
      ArrowRight: current + 1,
      Home: 0,
      End: days.length - 1,
    };
    const to = moves[e.key];
    if (to === undefined) return;
    e.preventDefault();
    focusDay(to);
  };
  const first = days[0]?.date ?? "";
  const last = days[days.length - 1]?.date ?? "";
  const detail = shown === null ? undefined : days[shown];
  return (
    <div class="bars-box">
      <ol
        ref={list}
        class="bars"
        aria-label={t("status.bars.label", { name: props.name, from: first, to: last })}
      >
        {days.map((d, i) => (
          <li
            key={d.date}
            class={`bar ${bucket(d.ratio)}`}
            title={dayText(d)}
            tabIndex={i === current ? 0 : -1}
            onFocus={() => {
              setCurrent(i);
              setShown(i);
            }}
            onBlur={() => setShown(null)}
            onClick={() => focusDay(i)}
            onKeyDown={onKey}
          >
            <span class="sr-only">{dayText(d)}</span>
          </li>
        ))}
      </ol>
      <div class="bars-axis muted" aria-hidden="true">
        <span>{t("status.bars.ago")}</span>
        <span class="bars-detail">{detail ? dayText(detail) : ""}</span>
        <span>{t("status.bars.today")}</span>
      </div>
    </div>
  );
}

/** The colours' meaning, visible once per page. */
export function BarsLegend() {
  useLocale();
  const item = (b: string, label: string) => (
    <li>
      <span class={`bar swatch ${b}`} aria-hidden="true" /> {label}
    </li>
  );
  return (
    <div class="legend">
      <span class="muted">{t("status.legend")}</span>
      <ul class="legend-items">
        {item("full", t("status.legend.full"))}
        {item("high", t("status.legend.high"))}
        {item("low", t("status.legend.low"))}
        {item("none", t("status.legend.none"))}
      </ul>
      <span class="muted">{t("status.bars.hint")}</span>
    </div>
  );
}
