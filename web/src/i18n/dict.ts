/**
 * A page's strings in both languages. zh-CN is the reference; the type makes the English table carry
 * exactly the same keys, so a missing translation is a compile error, not a blank on screen.
 */
export function dict<const Z extends Record<string, string>>(zh: Z, en: { [K in keyof Z]: string }) {
  return { zh, en };
}
