import { Gauge, type Registry } from "prom-client";

export interface GaugeDef {
  help: string;
  labels: readonly string[];
}

/**
 * One gauge per definition, each labelled target, check, agent plus its own labels. The first gauge's
 * collect() calls `rebuild` once per scrape, before any of them is read.
 */
export function gaugeFamily<N extends string>(
  registry: Registry,
  defs: Record<N, GaugeDef>,
  rebuild: () => void,
): Map<N, Gauge> {
  const gauges = new Map<N, Gauge>();
  for (const [name, def] of Object.entries(defs) as [N, GaugeDef][])
    gauges.set(
      name,
      new Gauge({
        name,
        help: def.help,
        labelNames: ["target", "check", "agent", ...def.labels],
        registers: [registry],
        ...(gauges.size === 0 ? { collect: rebuild } : {}),
      }),
    );
  return gauges;
}
