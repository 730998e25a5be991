// Rates from counters read at two polls (interface octets → bits/s).

export interface CounterSample {
  value: number;
  /** Poll time, epoch ms. */
  at: number;
}

/** Counter samples of one check by key (value name), kept by the prober between polls. */
export type CounterState = ReadonlyMap<string, CounterSample>;

/**
 * Increase per second × factor between two samples; undefined on the first sample, when no time passed,
 * or when the counter went down. A decrease is taken as a reset (device reboot, counter cleared), not a
 * wrap: 64-bit octet counters do not wrap in practice, and a wrap of a 32-bit one cannot be told from a
 * reset by the values alone, so that poll has no rate rather than a wrong one.
 */
export function counterRate(
  prev: CounterSample | undefined,
  cur: CounterSample,
  factor: number,
): number | undefined {
  if (prev === undefined || cur.at <= prev.at || cur.value < prev.value) return undefined;
  return ((cur.value - prev.value) * factor * 1000) / (cur.at - prev.at);
}
