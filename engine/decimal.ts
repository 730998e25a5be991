// Config values such as 0.95 or 0.15 are decimals, but doubles are not: 0.07 × 100 gives 7.000000000000001
// and 220 × 1.15 gives 252.99999999999997. Thresholds are therefore compared as the exact decimal the
// number was written as.

/**
 * The decimal a finite double stands for, as numerator / 10^k: its shortest round-trip form, i.e. what
 * was written in the config (0.95 → 95/100, 1e-7 → 1/10000000).
 */
export function fraction(x: number): [numerator: bigint, denominator: bigint] {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) throw new RangeError(`not a finite number: ${x}`);
  const [, sign = "", whole = "", decimals = "", exponent = "0"] = m;
  const scale = decimals.length - Number(exponent);
  const digits = BigInt(`${sign}${whole}${decimals}`);
  return scale >= 0 ? [digits, 10n ** BigInt(scale)] : [digits * 10n ** BigInt(-scale), 1n];
}
