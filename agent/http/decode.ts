// Response bodies as text for keyword and regex assertions.

/**
 * The body's charset label, lower-case: from the Content-Type header or a <meta> tag, else "utf-8".
 * Many Chinese government sites still serve GBK/GB2312: without this a Chinese keyword never matches.
 */
export function charsetOf(body: Uint8Array, contentType: string | undefined): string {
  const fromHeader = /charset=["']?([\w-]+)/i.exec(contentType ?? "")?.[1];
  if (fromHeader) return fromHeader.toLowerCase();
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 1024)).toString("latin1");
  return /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1]?.toLowerCase() ?? "utf-8";
}

export const isUtf8 = (charset: string) => charset === "utf-8" || charset === "utf8";

export function decodeBody(body: Uint8Array, contentType: string | undefined): string {
  try {
    return new TextDecoder(charsetOf(body, contentType)).decode(body);
  } catch {
    return new TextDecoder().decode(body); // unknown label
  }
}
