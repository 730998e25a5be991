// Message text: bilingual lines (zh-CN first), site-zone times, size limits that keep every fault.
import { describe, expect, it } from "vitest";
import type { NotificationKind } from "../../server/notify/channel.js";
import {
  details,
  formatDuration,
  formatTime,
  headline,
  KIND_LABEL,
  messageTitle,
  plain,
  renderBody,
  summary,
  truncateBytes,
  wecomMarkdown,
} from "../../server/notify/format.js";
import { CTX, note, T0 } from "./notify.helpers.js";

describe("notification text", () => {
  it("shows times in the site's zone and durations in whole minutes", () => {
    expect(formatTime(T0, "Asia/Shanghai")).toBe("2025-03-04 09:00:00");
    expect(formatTime(T0, "UTC")).toBe("2025-03-04 01:00:00");
    expect(formatDuration(65 * 60_000)).toEqual({ zh: "1小时5分钟", en: "1 h 5 min" });
    expect(formatDuration(26 * 3600_000)).toEqual({ zh: "1天2小时", en: "1 d 2 h" });
    expect(formatDuration(30_000)).toEqual({ zh: "不足1分钟", en: "< 1 min" });
  });

  it("renders one notification in full: zh line first, English line second, ack link", () => {
    expect(renderBody([note()], CTX, plain)).toBe(
      [
        "[P2] 故障发生 #12 区政府门户网站: 网站不可访问 website down",
        "[P2] Fault opened #12 · target portal (区政府门户网站)",
        "发生时间 2025-03-04 09:00:00;响应期限 2025-03-04 09:30:00,处理期限 2025-03-04 17:00:00",
        "Opened 2025-03-04 09:00:00; respond by 2025-03-04 09:30:00, resolve by 2025-03-04 17:00:00",
        "确认 / Acknowledge: https://opswatch.example.gov.cn/api/v1/faults/12",
        "",
        "某区政务数据中心 · opswatch · 时区 Asia/Shanghai / times in Asia/Shanghai",
      ].join("\n"),
    );
    expect(messageTitle([note()], CTX)).toBe(
      "[P2] 故障发生 Fault opened #12 区政府门户网站: 网站不可访问 website down",
    );
  });

  it("has a bilingual headline and detail for every kind", () => {
    for (const kind of Object.keys(KIND_LABEL) as NotificationKind[]) {
      const n = note({
        kind,
        at: T0 + 65 * 60_000,
        actor: "alice",
        note: "restarted",
        previousSeverity: "P3",
      });
      const h = headline(n);
      const d = details(n, CTX.tz);
      expect(h.zh).toContain(KIND_LABEL[kind].zh);
      expect(h.en).toContain(KIND_LABEL[kind].en);
      expect(d.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(d.en).not.toMatch(/[\u4e00-\u9fff]/);
    }
    const rec = details(note({ kind: "recovered", at: T0 + 65 * 60_000 }), CTX.tz);
    expect(rec).toEqual({
      zh: "2025-03-04 10:05:00 已恢复(故障持续 1小时5分钟),仍需人工确认并关闭",
      en: "Recovered at 2025-03-04 10:05:00 after 1 h 5 min; a person still has to resolve it",
    });
    const res = details(
      note({ kind: "resolved", at: T0 + 3 * 3600_000, actor: "alice", note: "重启服务" }),
      CTX.tz,
    );
    expect(res.en).toBe("Resolved by alice at 2025-03-04 12:00:00 after 3 h: 重启服务");
    const esc = details(
      note({ kind: "escalated", severity: "P1", previousSeverity: "P2", actor: "bob" }),
      CTX.tz,
    );
    expect(esc.zh).toContain("由 P2 升级为 P1");
    expect(details(note({ kind: "overdue_response" }), CTX.tz).en).toBe(
      "Not acknowledged by 2025-03-04 09:30:00 (opened 2025-03-04 09:00:00)",
    );
  });

  it("summarises a batch and titles it by its worst severity", () => {
    const batch = [note(), note({ fault: "13", kind: "recovered", severity: "P1" }), note({ fault: "14" })];
    expect(summary(batch)).toEqual({ zh: "故障发生 2,已恢复 1", en: "fault opened 2, recovered 1" });
    expect(messageTitle(batch, CTX)).toBe("[P1] 某区政务数据中心:3 条故障通知 / 3 fault notifications");
  });

  it("keeps a robot message within its byte limit and still names every fault", () => {
    const batch = Array.from({ length: 60 }, (_, i) => note({ fault: String(100 + i) }));
    const body = renderBody(batch, CTX, wecomMarkdown, 4096);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4096);
    for (const n of batch) expect(body).toContain(`#${n.fault} `);
    expect(body).toMatch(/另有 \d+ 条 \/ \d+ more: #/);
    // a handful is shown in full; more are one line each
    expect(renderBody(batch.slice(0, 5), CTX, wecomMarkdown, 4096)).toContain("respond by");
    expect(renderBody(batch.slice(0, 6), CTX, wecomMarkdown, 4096)).not.toContain("respond by");
  });

  it("colours problems and recoveries, and neutralises markup in people's text", () => {
    const body = renderBody(
      [note({ kind: "resolved", actor: "a", note: '<font color="red">x</font>' })],
      CTX,
      wecomMarkdown,
    );
    expect(body).toContain('<font color="info">**[P2] 已解决');
    expect(body).toContain('‹font color="red"›x‹/font›');
    expect(renderBody([note()], CTX, wecomMarkdown)).toContain('<font color="warning">**[P2] 故障发生');
  });

  it("truncates at character boundaries", () => {
    expect(truncateBytes("故障abc", 7)).toBe("故障a");
    expect(truncateBytes("故障", 5)).toBe("故");
  });
});

describe("unknown deadlines", () => {
  it("says so instead of inventing a time", () => {
    const d = details(note({ respondBy: undefined, resolveBy: undefined }), CTX.tz);
    expect(d.zh).toContain("响应期限 未知,处理期限 未知");
    expect(d.en).toContain("respond by unknown, resolve by unknown");
  });
});
