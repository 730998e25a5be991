// Response bodies as text for keyword and regex assertions.

/**
 * Many Chinese government sites still serve GBK/GB2312: decode with the charset from the header or
 * a <meta> tag, or a Chinese keyword would never match.
 */
export function decodeBody(body: Uint8Array, contentType: string | undefined): string {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 1024)).toString("latin1");
  const charset =
    /charset=["']?([\w-]+)/i.exec(contentType ?? "")?.[1] ??
    /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1];
  try {
    return new TextDecoder(charset ?? "utf-8").decode(body);
  } catch {
    return new TextDecoder().decode(body); // unknown label
  }
}
