// Group figure of an indicator over several targets (indicators.md, "Group figure", precise rule 10).

/**
 * min (default) or the unweighted mean of the per-target ratios. Targets whose ratio is n/a (null)
 * are left out; when all are, the group is n/a too.
 */
export function aggregate(ratios: readonly (number | null)[], mode: "min" | "mean"): number | null {
  const known = ratios.filter((r): r is number => r !== null);
  if (known.length === 0) return null;
  return mode === "min" ? Math.min(...known) : known.reduce((a, b) => a + b, 0) / known.length;
}
