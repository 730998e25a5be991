/**
 * Failed-login throttle: at most `max` failures per key (user name, address) within the window; then
 * refused until the oldest failure leaves it. In memory, per server process.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Seconds until a key may try again (0: now). The longest wait over the keys. */
  retryAfter(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const k of keys) {
      const f = this.recent(k, now);
      if (f.length >= this.max)
        wait = Math.max(wait, Math.ceil(((f[0] as number) + this.windowMs - now) / 1000));
    }
    return wait;
  }

  fail(keys: readonly string[], now: number): void {
    for (const k of keys) this.failures.set(k, [...this.recent(k, now), now]);
    // Keys of the past window only: an address flood cannot grow the map without bound for long.
    if (this.failures.size > 10_000)
      for (const [k, f] of this.failures)
        if (!f.some((t) => t > now - this.windowMs)) this.failures.delete(k);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }
}
