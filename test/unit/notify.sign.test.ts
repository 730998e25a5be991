// Signatures as the vendors document them, recomputed here with WebCrypto (an independent HMAC path),
// and the redaction that keeps keys and secrets out of logs.
import { webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { redactor, redactUrls } from "../../server/notify/channel.js";
import { DingTalkChannel, dingtalkSign } from "../../server/notify/dingtalk.js";
import { feishuSign } from "../../server/notify/feishu.js";
import { webhookSignature } from "../../server/notify/webhook.js";
import { CTX } from "./notify.helpers.js";

async function hmacBase64(key: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const k = await webcrypto.subtle.importKey(
    "raw",
    enc.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return Buffer.from(await webcrypto.subtle.sign("HMAC", k, enc.encode(message))).toString("base64");
}

const SECRET = "SEC0123456789abcdef中文";

describe("robot signatures", () => {
  it("DingTalk: base64(HmacSHA256(key = secret, message = timestamp + '\\n' + secret)), then urlEncode", async () => {
    const ts = "1741050000000";
    expect(dingtalkSign(SECRET, ts)).toBe(await hmacBase64(SECRET, `${ts}\n${SECRET}`));
    const ch = new DingTalkChannel(
      {
        id: "d",
        kind: "dingtalk",
        access_token: "tok",
        secret: SECRET,
        base_url: "https://oapi.dingtalk.com",
      },
      CTX,
    );
    const url = new URL(ch.url(Number(ts)));
    expect(url.origin + url.pathname).toBe("https://oapi.dingtalk.com/robot/send");
    expect(url.searchParams.get("access_token")).toBe("tok");
    expect(url.searchParams.get("timestamp")).toBe(ts);
    expect(url.searchParams.get("sign")).toBe(dingtalkSign(SECRET, ts));
    // urlEncode of the base64 text: + / = are percent-encoded in the raw query
    expect(url.search).toContain(`sign=${encodeURIComponent(dingtalkSign(SECRET, ts))}`);
    const unsigned = new DingTalkChannel(
      { id: "d", kind: "dingtalk", access_token: "tok", base_url: "https://oapi.dingtalk.com" },
      CTX,
    );
    expect(new URL(unsigned.url()).searchParams.has("sign")).toBe(false);
  });

  it("Feishu: base64(HmacSHA256(key = timestamp + '\\n' + secret, message = empty))", async () => {
    const ts = "1741050000";
    expect(feishuSign(SECRET, ts)).toBe(await hmacBase64(`${ts}\n${SECRET}`, ""));
    // not the DingTalk order
    expect(feishuSign(SECRET, ts)).not.toBe(dingtalkSign(SECRET, ts));
  });

  it("webhook: sha256=hex(HMAC-SHA256(secret, timestamp + '.' + body))", async () => {
    const body = '{"a":1}';
    const b64 = await hmacBase64("s3cret", `1741050000.${body}`);
    expect(webhookSignature("s3cret", "1741050000", body)).toBe(
      `sha256=${Buffer.from(b64, "base64").toString("hex")}`,
    );
  });
});

describe("redaction", () => {
  it("removes key=, access_token=, sign= values and a feishu hook token from URLs", () => {
    expect(redactUrls("POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123 failed")).toBe(
      "POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=[secret] failed",
    );
    expect(redactUrls("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1&sign=a%2Bb")).toBe(
      "https://oapi.dingtalk.com/robot/send?access_token=[secret]&timestamp=1&sign=[secret]",
    );
    expect(redactUrls("https://open.feishu.cn/open-apis/bot/v2/hook/0f1e-22?x")).toBe(
      "https://open.feishu.cn/open-apis/bot/v2/hook/[secret]?x",
    );
  });

  it("replaces a channel's secrets anywhere in a text, also URL-encoded", () => {
    const r = redactor(["p@ss word", "abcd", "ab", undefined]);
    expect(r("auth p@ss word / p%40ss%20word / abcd / ab")).toBe("auth [secret] / [secret] / [secret] / ab");
  });
});
