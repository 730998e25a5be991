// Notifications against real receivers on 127.0.0.1: an HTTP server standing in for the webhook,
// 企业微信, 钉钉 and 飞书 endpoints (payloads asserted field by field, signatures recomputed from what
// arrived), an SMTP server (smtp-server) for e-mail, and opswatch itself end to end.
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseConfig } from "../../config/load.js";
import { createLogger } from "../../lib/log.js";
import type { Clock } from "../../server/notify/clock.js";
import { systemClock } from "../../server/notify/clock.js";
import { plain, renderBody } from "../../server/notify/format.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { connectAgent } from "../peers/agent-client.js";
import {
  CTX,
  captureLogger,
  dispatcher,
  ManualClock,
  note,
  OPENED,
  record,
  run,
  T0,
} from "../unit/notify.helpers.js";

interface Received {
  path: string;
  /** The raw query string, as sent. */
  search: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are asserted field by field
  json: any;
  /** When it arrived, by the test's clock. */
  at: number;
}

type Reply = { status?: number; body?: unknown };

/** An HTTP receiver on 127.0.0.1 that records every request and answers what `reply` says. */
async function receiver(
  clock: Clock = systemClock,
  reply: (r: Received, n: number) => Reply = () => ({ body: { errcode: 0, errmsg: "ok" } }),
) {
  const got: Received[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const u = new URL(req.url ?? "/", "http://x");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {}
      const r: Received = {
        path: u.pathname,
        search: u.search,
        query: u.searchParams,
        headers: req.headers,
        body,
        json,
        at: clock.now(),
      };
      got.push(r);
      const out = reply(r, got.length);
      res.writeHead(out.status ?? 200, { "content-type": "application/json" });
      res.end(JSON.stringify(out.body ?? {}));
    });
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    url,
    got,
    async waitFor(n: number, ms = 10_000): Promise<Received[]> {
      const until = Date.now() + ms;
      while (got.length < n) {
        if (Date.now() > until) throw new Error(`receiver got ${got.length} of ${n} requests`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return got;
    },
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

type Rx = Awaited<ReturnType<typeof receiver>>;
const receivers: Rx[] = [];
async function rx(clock?: Clock, reply?: (r: Received, n: number) => Reply): Promise<Rx> {
  const r = await receiver(clock, reply);
  receivers.push(r);
  return r;
}
afterAll(async () => {
  for (const r of receivers) await r.close();
});

const FOOTER = "某区政务数据中心 · opswatch · 时区 Asia/Shanghai / times in Asia/Shanghai";

describe("webhook", () => {
  it("POSTs the documented JSON with a bearer token and an HMAC signature over timestamp and body", async () => {
    const r = await rx();
    const d = dispatcher(
      {
        group_wait: "0s",
        channels: [
          {
            id: "hook",
            kind: "webhook",
            url: `${r.url}/opswatch?token=url-token`,
            bearer: "bearer-secret",
            hmac_secret: "hmac-secret",
            headers: { "x-site": "dc1" },
          },
        ],
      },
      { clock: systemClock },
    );
    d.notify(note({ kind: "resolved", at: T0 + 3600_000, actor: "alice", note: "重启服务" }));
    const [req] = await r.waitFor(1);
    expect(req?.path).toBe("/opswatch");
    expect(req?.query.get("token")).toBe("url-token");
    expect(req?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(req?.headers.authorization).toBe("Bearer bearer-secret");
    expect(req?.headers["x-site"]).toBe("dc1");
    const ts = req?.headers["x-opswatch-timestamp"] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(30);
    const expected = `sha256=${createHmac("sha256", "hmac-secret").update(`${ts}.${req?.body}`).digest("hex")}`;
    expect(req?.headers["x-opswatch-signature"]).toBe(expected);
    expect(req?.json).toEqual({
      version: 1,
      source: "opswatch",
      site: "某区政务数据中心",
      timezone: "Asia/Shanghai",
      channel: "hook",
      title: "[P2] 已解决 Resolved #12 区政府门户网站: 网站不可访问 website down",
      text: renderBody(
        [note({ kind: "resolved", at: T0 + 3600_000, actor: "alice", note: "重启服务" })],
        CTX,
        plain,
      ),
      notifications: [
        {
          kind: "resolved",
          recovery: true,
          fault: "12",
          target: "portal",
          target_name: "区政府门户网站",
          title: "区政府门户网站: 网站不可访问 website down",
          severity: "P2",
          previous_severity: null,
          status: "open",
          source: "auto",
          at: "2025-03-04T02:00:00.000Z",
          opened_at: "2025-03-04T01:00:00.000Z",
          respond_by: "2025-03-04T01:30:00.000Z",
          resolve_by: "2025-03-04T09:00:00.000Z",
          actor: "alice",
          note: "重启服务",
          link: "https://opswatch.example.gov.cn/api/v1/faults/12",
        },
      ],
    });
    expect(req?.json.text).toContain("alice 于 2025-03-04 10:00:00 解决(历时 1小时):重启服务");
    await d.stop();
  });
});

describe("企业微信 group robot", () => {
  it("sends msgtype markdown to /cgi-bin/webhook/send?key=KEY", async () => {
    const r = await rx();
    const d = dispatcher(
      { group_wait: "0s", channels: [{ id: "wecom", kind: "wecom", key: "wecom-key-123", base_url: r.url }] },
      { clock: systemClock },
    );
    d.notify(note());
    const [req] = await r.waitFor(1);
    expect(req?.path).toBe("/cgi-bin/webhook/send");
    expect(req?.search).toBe("?key=wecom-key-123");
    expect(req?.json).toEqual({
      msgtype: "markdown",
      markdown: {
        content: [
          '<font color="warning">**[P2] 故障发生 #12 区政府门户网站: 网站不可访问 website down**</font>',
          "[P2] Fault opened #12 · target portal (区政府门户网站)",
          "发生时间 2025-03-04 09:00:00;响应期限 2025-03-04 09:30:00,处理期限 2025-03-04 17:00:00",
          "Opened 2025-03-04 09:00:00; respond by 2025-03-04 09:30:00, resolve by 2025-03-04 17:00:00",
          "[确认 / Acknowledge](https://opswatch.example.gov.cn/api/v1/faults/12)",
          "",
          FOOTER,
        ].join("\n"),
      },
    });
    await d.stop();
  });

  it("keeps to 20 messages a minute in a burst of 25 faults, every fault in some message", async () => {
    const clock = new ManualClock();
    const r = await rx(clock);
    const d = dispatcher(
      { group_wait: "0s", channels: [{ id: "wecom", kind: "wecom", key: "k", base_url: r.url }] },
      { clock },
    );
    const ids = Array.from({ length: 25 }, (_, i) => String(200 + i));
    for (const id of ids) {
      d.notify(
        note({ fault: id, at: clock.now(), link: `https://opswatch.example.gov.cn/api/v1/faults/${id}` }),
      );
      await run(clock, d, 500, 500);
    }
    await run(clock, d, 90_000);
    const firstMinute = r.got.filter((x) => x.at < T0 + 60_000);
    expect(firstMinute.length).toBeLessThanOrEqual(20);
    expect(r.got.length).toBe(21); // 20 single messages, then the other 5 merged into one
    const contents = r.got.map((x) => x.json.markdown.content as string);
    for (const id of ids) expect(contents.some((c) => c.includes(`#${id} `))).toBe(true);
    expect(contents[20]).toContain("5 条故障通知");
    for (const c of contents) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(4096);
    await d.stop();
  });

  it("retries its rate-limit error (errcode 45009) and drops an identical repeat", async () => {
    const clock = new ManualClock();
    const r = await rx(clock, (_, n) =>
      n === 1
        ? { body: { errcode: 45009, errmsg: "api freq out of limit" } }
        : { body: { errcode: 0, errmsg: "ok" } },
    );
    const d = dispatcher(
      {
        group_wait: "0s",
        retry_backoff: "5s",
        channels: [{ id: "wecom", kind: "wecom", key: "k", base_url: r.url }],
      },
      { clock },
    );
    d.notify(note());
    await run(clock, d, 10_000);
    d.notify(note()); // the same notification again
    await run(clock, d, 10_000);
    expect(r.got.map((x) => x.at - T0)).toEqual([0, 5000]);
    const m = await d.registry.getSingleMetric("opswatch_notifications_total")?.get();
    expect(m?.values.filter((v) => v.value > 0).map((v) => [v.labels.result, v.value])).toEqual([
      ["sent", 1],
      ["deduplicated", 1],
    ]);
    await d.stop();
  });
});

describe("钉钉 custom robot", () => {
  it("signs with timestamp + sign in the query and sends msgtype markdown", async () => {
    const r = await rx();
    const secret = "SECd1e2f3a4b5c6d7e8f9";
    const d = dispatcher(
      {
        group_wait: "0s",
        channels: [{ id: "ding", kind: "dingtalk", access_token: "ding-token", secret, base_url: r.url }],
      },
      { clock: systemClock },
    );
    d.notify(note({ kind: "recovered", at: T0 + 20 * 60_000 }));
    const [req] = await r.waitFor(1);
    expect(req?.path).toBe("/robot/send");
    expect(req?.query.get("access_token")).toBe("ding-token");
    const ts = req?.query.get("timestamp") as string;
    expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(30_000); // milliseconds
    const sign = createHmac("sha256", secret).update(`${ts}\n${secret}`).digest("base64");
    expect(req?.query.get("sign")).toBe(sign);
    expect(req?.search).toContain(`&sign=${encodeURIComponent(sign)}`);
    expect(req?.json).toEqual({
      msgtype: "markdown",
      markdown: {
        title: "[P2] 已恢复 Recovered #12 区政府门户网站: 网站不可访问 website down",
        text: [
          "**[P2] 已恢复 #12 区政府门户网站: 网站不可访问 website down**",
          "[P2] Recovered #12 · target portal (区政府门户网站)",
          "2025-03-04 09:20:00 已恢复(故障持续 20分钟),仍需人工确认并关闭",
          "Recovered at 2025-03-04 09:20:00 after 20 min; a person still has to resolve it",
          "[确认 / Acknowledge](https://opswatch.example.gov.cn/api/v1/faults/12)",
          "",
          FOOTER,
        ].join("\n\n"),
      },
    });
    await d.stop();
  });
});

describe("飞书 custom bot", () => {
  it("puts timestamp (seconds) and sign in the body and sends an interactive card", async () => {
    const r = await rx(systemClock, () => ({ body: { code: 0, msg: "success", data: {} } }));
    const secret = "feishu-secret-xyz";
    const d = dispatcher(
      {
        group_wait: "0s",
        channels: [{ id: "lark", kind: "feishu", hook: "hook-token-1", secret, base_url: r.url }],
      },
      { clock: systemClock },
    );
    d.notify(note({ severity: "P1" }));
    const [req] = await r.waitFor(1);
    expect(req?.path).toBe("/open-apis/bot/v2/hook/hook-token-1");
    const ts = req?.json.timestamp as string;
    expect(ts).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(30);
    const sign = createHmac("sha256", `${ts}\n${secret}`).update("").digest("base64");
    expect(req?.json.sign).toBe(sign);
    expect(req?.json).toEqual({
      timestamp: ts,
      sign,
      msg_type: "interactive",
      card: {
        config: { wide_screen_mode: true },
        header: {
          template: "red",
          title: {
            tag: "plain_text",
            content: "[P1] 故障发生 Fault opened #12 区政府门户网站: 网站不可访问 website down",
          },
        },
        elements: [
          {
            tag: "div",
            text: {
              tag: "lark_md",
              content: [
                "**[P1] 故障发生 #12 区政府门户网站: 网站不可访问 website down**",
                "[P1] Fault opened #12 · target portal (区政府门户网站)",
                "发生时间 2025-03-04 09:00:00;响应期限 2025-03-04 09:30:00,处理期限 2025-03-04 17:00:00",
                "Opened 2025-03-04 09:00:00; respond by 2025-03-04 09:30:00, resolve by 2025-03-04 17:00:00",
                "[确认 / Acknowledge](https://opswatch.example.gov.cn/api/v1/faults/12)",
                "",
                FOOTER,
              ].join("\n"),
            },
          },
        ],
      },
    });
    await d.stop();
  });

  it("sends recovery messages for recovered and resolved events, in green", async () => {
    const r = await rx(systemClock, () => ({ body: { code: 0, msg: "success" } }));
    const d = dispatcher(
      { group_wait: "0s", channels: [{ id: "lark", kind: "feishu", hook: "h", base_url: r.url }] },
      { clock: systemClock },
    );
    const f = record("9", []);
    d.onEvent(f, OPENED);
    await r.waitFor(1);
    f.events.push(OPENED);
    const recovered = { type: "recovered", at: T0 + 10 * 60_000 } as const;
    d.onEvent(f, recovered);
    await r.waitFor(2);
    f.events.push(recovered);
    d.onEvent(f, { type: "resolved", at: T0 + 40 * 60_000, actor: "alice", note: "已更换交换机端口" });
    await r.waitFor(3);
    expect(r.got.map((x) => x.json.card.header.template)).toEqual(["red", "green", "green"]);
    expect(r.got.map((x) => x.json.card.header.title.content)).toEqual([
      "[P2] 故障发生 Fault opened #9 区政府门户网站: 网站不可访问 website down",
      "[P2] 已恢复 Recovered #9 区政府门户网站: 网站不可访问 website down",
      "[P2] 已解决 Resolved #9 区政府门户网站: 网站不可访问 website down",
    ]);
    const resolved = r.got[2]?.json.card.elements[0].text.content as string;
    expect(resolved).toContain("alice 于 2025-03-04 09:40:00 解决(历时 40分钟):已更换交换机端口");
    expect(resolved).toContain("Resolved by alice at 2025-03-04 09:40:00 after 40 min: 已更换交换机端口");
    // unsigned when no secret is configured
    expect(r.got[0]?.json.sign).toBeUndefined();
    await d.stop();
  });
});

describe("secrets", () => {
  it("never logs keys, tokens, signing secrets or full webhook URLs, even when a service echoes them", async () => {
    const r = await rx(systemClock, (req) => ({
      status: 400,
      body: { error: `bad request ${req.path}${req.search}` },
    }));
    const cap = captureLogger();
    const d = dispatcher(
      {
        group_wait: "0s",
        channels: [
          { id: "wecom", kind: "wecom", key: "wk-SECRET-1", base_url: r.url },
          {
            id: "ding",
            kind: "dingtalk",
            access_token: "dt-SECRET-2",
            secret: "SEC-SECRET-3",
            base_url: r.url,
          },
          { id: "lark", kind: "feishu", hook: "fh-SECRET-4", secret: "fs-SECRET-5", base_url: r.url },
          { id: "hook", kind: "webhook", url: `${r.url}/x?token=wh-SECRET-6`, bearer: "bearer-SECRET-7" },
        ],
      },
      { clock: systemClock, log: cap.log },
    );
    d.notify(note());
    await r.waitFor(4);
    await d.idle();
    await d.stop();
    const text = cap.text();
    expect(text).toContain("notification failed");
    expect(text).toContain("HTTP 400");
    expect(text).not.toMatch(/SECRET/);
    expect(text).not.toContain(r.url);
  });
});

/** "=?UTF-8?B?…?=" / "=?UTF-8?Q?…?=" words of a header value. */
function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
      enc.toLowerCase() === "b"
        ? Buffer.from(data, "base64").toString("utf8")
        : Buffer.from(
            data
              .replace(/_/g, " ")
              .replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            "latin1",
          ).toString("utf8"),
    );
}

/** Headers and decoded text body of a single-part message. */
function parseMail(raw: string): { headers: Map<string, string>; text: string } {
  const [head = "", ...rest] = raw.split("\r\n\r\n");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const i = line.indexOf(":");
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const body = rest.join("\r\n\r\n");
  const cte = headers.get("content-transfer-encoding")?.toLowerCase();
  const text =
    cte === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
      : cte === "quoted-printable"
        ? Buffer.from(
            body
              .replace(/=\r\n/g, "")
              .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            "latin1",
          ).toString("utf8")
        : body;
  return { headers, text: text.replace(/\r\n/g, "\n") };
}

describe("e-mail", () => {
  let smtp: SMTPServer;
  let port = 0;
  const mails: { from: string; to: string[]; user?: string; raw: string }[] = [];
  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ["STARTTLS"],
      allowInsecureAuth: true,
      authMethods: ["PLAIN", "LOGIN"],
      onAuth(auth, _session, cb) {
        if (auth.username === "opswatch" && auth.password === "smtp-pass") cb(null, { user: auth.username });
        else cb(new Error("invalid credentials"));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  it("sends one mail per batch over SMTP with AUTH: bilingual subject and body", async () => {
    const d = dispatcher(
      {
        group_wait: "0s",
        channels: [
          {
            id: "mail",
            kind: "email",
            host: "127.0.0.1",
            port,
            user: "opswatch",
            password: "smtp-pass",
            from: "opswatch <opswatch@example.gov.cn>",
            to: ["ops@example.gov.cn", "duty@example.gov.cn"],
          },
        ],
      },
      { clock: systemClock },
    );
    d.notify(note({ kind: "overdue_response", at: T0 + 30 * 60_000 }));
    const until = Date.now() + 10_000;
    while (mails.length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await d.stop();
    const [m] = mails;
    expect(m).toMatchObject({
      from: "opswatch@example.gov.cn",
      to: ["ops@example.gov.cn", "duty@example.gov.cn"],
      user: "opswatch",
    });
    const mail = parseMail(m?.raw ?? "");
    expect(decodeWords(mail.headers.get("subject") ?? "")).toBe(
      "[P2] 响应超时 Response overdue #12 区政府门户网站: 网站不可访问 website down",
    );
    expect(mail.headers.get("x-opswatch-faults")).toBe("12");
    expect(mail.text.trimEnd()).toBe(
      [
        "[P2] 响应超时 #12 区政府门户网站: 网站不可访问 website down",
        "[P2] Response overdue #12 · target portal (区政府门户网站)",
        "应于 2025-03-04 09:30:00 前确认,至今无人确认(发生于 2025-03-04 09:00:00)",
        "Not acknowledged by 2025-03-04 09:30:00 (opened 2025-03-04 09:00:00)",
        "确认 / Acknowledge: https://opswatch.example.gov.cn/api/v1/faults/12",
        "",
        FOOTER,
      ].join("\n"),
    );
  });
});

describe("end to end", () => {
  let srv: RunningServer;
  let hook: Rx;
  beforeAll(async () => {
    hook = await rx(systemClock, () => ({ body: { ok: true } }));
    const db = join(mkdtempSync(join(tmpdir(), "opswatch-notify-")), "s.db");
    const cfg = parseConfig(
      `server:
  listen: 127.0.0.1:0
  database: ${db}
  anonymous_read: true
  agents: [{ id: a1, token: agent-token }]
targets:
  - id: web
    name: 业务系统
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 15s }]
notifications:
  public_url: https://opswatch.example.gov.cn
  group_wait: 0s
  channels:
    - { id: ops-hook, kind: webhook, url: "${hook.url}/hook", events: [opened, recovered, resolved] }`,
      "inline.yaml",
    );
    srv = await startServer(
      cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
      createLogger("silent"),
    );
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("a fault opened from results reaches the webhook with its ack link, and so does its recovery", async () => {
    const agent = await connectAgent(srv.port);
    const send = async (ts: number, ok: boolean) => {
      expect(
        (await agent.send([{ target: "web", check: "home", kind: "http", ts, ok, values: {} }])).type,
      ).toBe("ack");
    };
    const t0 = Date.now() - 10 * 60_000;
    await send(t0, true);
    await send(t0 + 60_000, false);
    await send(t0 + 120_000, false); // confirms the outage: the fault opens
    const [opened] = await hook.waitFor(1);
    const faults = (await (await fetch(`${srv.url}/api/v1/faults?target=web`)).json()) as {
      faults: { id: string }[];
    };
    const id = faults.faults[0]?.id as string;
    expect(opened?.json.notifications).toEqual([
      expect.objectContaining({
        kind: "opened",
        fault: id,
        target: "web",
        target_name: "业务系统",
        severity: "P2",
        status: "open",
        at: new Date(t0 + 120_000).toISOString(),
        link: `https://opswatch.example.gov.cn/api/v1/faults/${id}`,
      }),
    ]);
    expect(opened?.json.text).toContain(
      `确认 / Acknowledge: https://opswatch.example.gov.cn/api/v1/faults/${id}`,
    );
    await send(t0 + 180_000, true); // healthy again
    const [, recovered] = await hook.waitFor(2);
    expect(recovered?.json.notifications).toEqual([
      expect.objectContaining({
        kind: "recovered",
        recovery: true,
        fault: id,
        at: new Date(t0 + 180_000).toISOString(),
      }),
    ]);
    expect(recovered?.json.title).toContain("已恢复 Recovered");
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toContain('opswatch_notifications_total{channel="ops-hook",result="sent"} 2');
    agent.close();
  });
});
