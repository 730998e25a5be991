import { z } from "zod";
import { parseDuration } from "../lib/duration.js";

const durationPattern = /^\d+(\.\d+)?(ms|s|m|h|d)$/;
/** "1500ms", "30s", "5m", "1h" → milliseconds. */
export const Duration = z
  .string()
  .regex(durationPattern, "a duration such as 500ms, 30s, 5m, 1h")
  .transform((s) => parseDuration(s));
