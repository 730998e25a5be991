// Message text shared by every channel: bilingual (zh-CN line first, English line second), times in the
// site's time zone, one markup flavour per service. Pure functions: the unit tests pin their output.
import type { Severity } from "../../config/indicators.js";
import { localParts } from "../../engine/zone.js";
import { isRecovery, type Notification, type NotificationKind, type RenderContext } from "./channel.js";

export interface Bilingual {
  zh: string;
  en: string;
}

/** How one service marks text up. */
export interface Markup {
  /** Line separator. */
  nl: string;
  bold(s: string): string;
  link(label: string, url: string): string;
  tone(s: string, tone: "bad" | "good" | "warn"): string;
  /** Text from people or config (titles, notes): neutralises what the markup would interpret. */
  text(s: string): string;
}

/** Plain text: e-mail bodies and the webhook's `text` field. */
export const plain: Markup = {
  nl: "\n",
  bold: (s) => s,
  link: (label, url) => `${label}: ${url}`,
  tone: (s) => s,
  text: (s) => s,
};

// Angle brackets would open HTML-like tags (<font>, <at>) in the robots' markdown.
const neutralise = (s: string) => s.replace(/</g, "‹").replace(/>/g, "›").replace(/\r?\n/g, " ");

/** 企业微信 markdown: **bold**, [label](url), <font color="warning|info|comment">. */
export const wecomMarkdown: Markup = {
  nl: "\n",
  bold: (s) => `**${s}**`,
  link: (label, url) => `[${label}](${url})`,
  tone: (s, t) => `<font color="${t === "bad" ? "warning" : t === "good" ? "info" : "comment"}">${s}</font>`,
  text: neutralise,
};

/** 钉钉 markdown: a single newline does not always break a line in the client, so lines are separated by two. */
export const dingtalkMarkdown: Markup = {
  nl: "\n\n",
  bold: (s) => `**${s}**`,
  link: (label, url) => `[${label}](${url})`,
  tone: (s) => s,
  text: neutralise,
};

/** 飞书 card lark_md: **bold**, [label](url). */
export const larkMarkdown: Markup = {
  nl: "\n",
  bold: (s) => `**${s}**`,
  link: (label, url) => `[${label}](${url})`,
  tone: (s) => s,
  text: neutralise,
};

export const KIND_LABEL: Record<NotificationKind, Bilingual> = {
  opened: { zh: "故障发生", en: "Fault opened" },
  attached: { zh: "再次检测到", en: "Detected again" },
  acknowledged: { zh: "已确认", en: "Acknowledged" },
  escalated: { zh: "故障升级", en: "Escalated" },
  recovered: { zh: "已恢复", en: "Recovered" },
  resolved: { zh: "已解决", en: "Resolved" },
  reopened: { zh: "重新打开", en: "Reopened" },
  overdue_response: { zh: "响应超时", en: "Response overdue" },
  overdue_resolution: { zh: "处理超时", en: "Resolution overdue" },
};

const pad = (n: number) => String(n).padStart(2, "0");

/** "2025-03-04 09:05:00" in the zone. */
export function formatTime(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** "1小时5分钟" / "1 h 5 min" (whole minutes; "不足1分钟" / "< 1 min"). */
export function formatDuration(ms: number): Bilingual {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return { zh: "不足1分钟", en: "< 1 min" };
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const zh = `${d ? `${d}天` : ""}${h ? `${h}小时` : ""}${m ? `${m}分钟` : ""}`;
  const en = [d ? `${d} d` : "", h ? `${h} h` : "", m ? `${m} min` : ""].filter(Boolean).join(" ");
  return { zh, en };
}

function tone(kind: NotificationKind): "bad" | "good" | "warn" {
  if (isRecovery(kind)) return "good";
  return kind === "acknowledged" ? "warn" : "bad";
}

/** "[P2] 故障发生 #12 区政府门户网站: 网站不可访问" / "[P2] Fault opened #12 · target portal". */
export function headline(n: Notification, m: Markup = plain): Bilingual {
  const k = KIND_LABEL[n.kind];
  return {
    zh: `[${n.severity}] ${k.zh} #${n.fault} ${m.text(n.title)}`,
    en: `[${n.severity}] ${k.en} #${n.fault} · target ${m.text(n.targetName === n.target ? n.target : `${n.target} (${n.targetName})`)}`,
  };
}

/** What happened and the deadlines, one zh and one en line. */
export function details(n: Notification, tz: string, m: Markup = plain): Bilingual {
  const t = (ms: number) => formatTime(ms, tz);
  // deadlines may be unknown (a working-day limit in a year the calendar does not cover)
  const dz = (ms: number | undefined) => (ms === undefined ? "未知" : t(ms));
  const de = (ms: number | undefined) => (ms === undefined ? "unknown" : t(ms));
  const actor = m.text(n.actor ?? "?");
  const note = n.note ? m.text(n.note) : "";
  const deadlines = {
    zh: `响应期限 ${dz(n.respondBy)},处理期限 ${dz(n.resolveBy)}`,
    en: `respond by ${de(n.respondBy)}, resolve by ${de(n.resolveBy)}`,
  };
  const took = formatDuration(n.at - n.openedAt);
  switch (n.kind) {
    case "opened": {
      const by =
        n.source === "manual" && n.actor
          ? { zh: `,报告人 ${actor}`, en: `, reported by ${actor}` }
          : { zh: "", en: "" };
      return {
        zh: `发生时间 ${t(n.at)}${by.zh};${deadlines.zh}`,
        en: `Opened ${t(n.at)}${by.en}; ${deadlines.en}`,
      };
    }
    case "attached":
      return {
        zh: `再次检测到 ${t(n.at)}(发生于 ${t(n.openedAt)});${deadlines.zh}`,
        en: `Detected again ${t(n.at)} (opened ${t(n.openedAt)}); ${deadlines.en}`,
      };
    case "acknowledged":
      return {
        zh: `${actor} 于 ${t(n.at)} 确认${note ? `:${note}` : ""};处理期限 ${dz(n.resolveBy)}`,
        en: `Acknowledged by ${actor} at ${t(n.at)}${note ? `: ${note}` : ""}; resolve by ${de(n.resolveBy)}`,
      };
    case "escalated":
      return {
        zh: `${actor} 于 ${t(n.at)} 由 ${n.previousSeverity ?? "?"} 升级为 ${n.severity};${deadlines.zh}`,
        en: `Escalated from ${n.previousSeverity ?? "?"} to ${n.severity} by ${actor} at ${t(n.at)}; ${deadlines.en}`,
      };
    case "recovered":
      return {
        zh: `${t(n.at)} 已恢复(故障持续 ${took.zh}),仍需人工确认并关闭`,
        en: `Recovered at ${t(n.at)} after ${took.en}; a person still has to resolve it`,
      };
    case "resolved":
      return {
        zh: `${actor} 于 ${t(n.at)} 解决(历时 ${took.zh})${note ? `:${note}` : ""}`,
        en: `Resolved by ${actor} at ${t(n.at)} after ${took.en}${note ? `: ${note}` : ""}`,
      };
    case "reopened":
      return {
        zh: `${actor} 于 ${t(n.at)} 重新打开${note ? `:${note}` : ""};处理期限 ${dz(n.resolveBy)}`,
        en: `Reopened by ${actor} at ${t(n.at)}${note ? `: ${note}` : ""}; resolve by ${de(n.resolveBy)}`,
      };
    case "overdue_response":
      return {
        zh: `应于 ${dz(n.respondBy)} 前确认,至今无人确认(发生于 ${t(n.openedAt)})`,
        en: `Not acknowledged by ${de(n.respondBy)} (opened ${t(n.openedAt)})`,
      };
    case "overdue_resolution":
      return {
        zh: `应于 ${dz(n.resolveBy)} 前解决,至今未解决(发生于 ${t(n.openedAt)})`,
        en: `Not resolved by ${de(n.resolveBy)} (opened ${t(n.openedAt)})`,
      };
  }
}

export function linkLabel(n: Notification): string {
  return n.kind === "resolved" ? "查看 / View" : "确认 / Acknowledge";
}

const rank: Record<Severity, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

/** The most severe severity in the batch. */
export function worstSeverity(batch: readonly Notification[]): Severity {
  return batch.reduce<Severity>((w, n) => (rank[n.severity] < rank[w] ? n.severity : w), "P4");
}

/** Counts per kind, in KIND_LABEL order: "故障发生 2,已恢复 1" / "opened 2, recovered 1". */
export function summary(batch: readonly Notification[]): Bilingual {
  const counts = new Map<NotificationKind, number>();
  for (const n of batch) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
  const kinds = (Object.keys(KIND_LABEL) as NotificationKind[]).filter((k) => counts.has(k));
  return {
    zh: kinds.map((k) => `${KIND_LABEL[k].zh} ${counts.get(k)}`).join(","),
    en: kinds.map((k) => `${KIND_LABEL[k].en.toLowerCase()} ${counts.get(k)}`).join(", "),
  };
}

/**
 * One line for a subject / card header / robot title: the single notification's headline, or
 * "[P1] 某数据中心:3 条故障通知 / 3 fault notifications".
 */
export function messageTitle(batch: readonly Notification[], ctx: RenderContext): string {
  const [only] = batch;
  if (batch.length === 1 && only) {
    const k = KIND_LABEL[only.kind];
    return `[${only.severity}] ${k.zh} ${k.en} #${only.fault} ${only.title}`;
  }
  return `[${worstSeverity(batch)}] ${ctx.site}:${batch.length} 条故障通知 / ${batch.length} fault notifications`;
}

/** Up to this many notifications a message shows in full; more are listed one line each. */
export const DETAILED_MAX = 5;

function detailedBlock(n: Notification, ctx: RenderContext, m: Markup): string[] {
  const h = headline(n, m);
  const d = details(n, ctx.tz, m);
  return [m.tone(m.bold(h.zh), tone(n.kind)), h.en, d.zh, d.en, m.link(linkLabel(n), n.link)];
}

function compactLine(n: Notification, ctx: RenderContext, m: Markup): string {
  const k = KIND_LABEL[n.kind];
  return `${m.tone(`[${n.severity}] ${k.zh} ${k.en}`, tone(n.kind))} #${n.fault} ${m.text(n.title)} · ${formatTime(n.at, ctx.tz)} · ${m.link(linkLabel(n), n.link)}`;
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * The message body for a batch. At most DETAILED_MAX notifications are shown in full (headline, details,
 * link); a larger batch (merged under a rate limit) gets one line each. When `maxBytes` would be
 * exceeded, the last lines are folded into "另有 N 条 / N more: #id …", so every fault still appears.
 */
export function renderBody(
  batch: readonly Notification[],
  ctx: RenderContext,
  m: Markup,
  maxBytes = Number.POSITIVE_INFINITY,
): string {
  const footer = `${m.text(ctx.site)} · opswatch · 时区 ${ctx.tz} / times in ${ctx.tz}`;
  const [only] = batch;
  if (batch.length === 1 && only) {
    const body = [...detailedBlock(only, ctx, m), "", footer].join(m.nl);
    if (bytes(body) <= maxBytes) return body;
  }
  const s = summary(batch);
  const head = [
    m.bold(`${m.text(ctx.site)}:${batch.length} 条故障通知(${s.zh})`),
    `${batch.length} fault notifications (${s.en})`,
    "",
  ];
  if (batch.length <= DETAILED_MAX) {
    const body = [...head, ...batch.flatMap((n) => [...detailedBlock(n, ctx, m), ""]), footer].join(m.nl);
    if (bytes(body) <= maxBytes) return body;
  }
  const lines = [...head];
  const tailFor = (rest: readonly Notification[]) =>
    `另有 ${rest.length} 条 / ${rest.length} more: ${rest.map((n) => `#${n.fault} ${n.kind}`).join(", ")}`;
  let i = 0;
  for (; i < batch.length; i++) {
    const line = compactLine(batch[i] as Notification, ctx, m);
    const rest = batch.slice(i + 1);
    const candidate = [...lines, line, ...(rest.length ? [tailFor(rest)] : []), "", footer].join(m.nl);
    if (bytes(candidate) > maxBytes) break;
    lines.push(line);
  }
  if (i < batch.length) lines.push(tailFor(batch.slice(i)));
  lines.push("", footer);
  const body = lines.join(m.nl);
  // Even the ids do not fit (thousands of notifications): cut at a character boundary.
  return bytes(body) <= maxBytes ? body : `${truncateBytes(body, maxBytes - bytes("…"))}…`;
}

/** The longest prefix of s (whole characters) within max UTF-8 bytes. */
export function truncateBytes(s: string, max: number): string {
  let out = "";
  let n = 0;
  for (const ch of s) {
    const b = bytes(ch);
    if (n + b > max) break;
    out += ch;
    n += b;
  }
  return out;
}
