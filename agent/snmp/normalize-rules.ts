// Conditions written in profiles (`when:`), for derived alarms and NUT ups.status tokens.
import type { Condition, Match, Scalar, StatusRule, When } from "../../config/profile.js";
import type { Values } from "../../protocol/messages.js";

/** What a condition sees: the normalized values and the names of the alarms present (lower case). */
export interface Facts {
  values: Values;
  alarms: ReadonlySet<string>;
}

/** A list of conditions holds when any holds; a condition when every key matches. */
export function holds(when: When, facts: Facts): boolean {
  return Array.isArray(when) ? when.some((c) => conditionHolds(c, facts)) : conditionHolds(when, facts);
}

function conditionHolds(condition: Condition, facts: Facts): boolean {
  return Object.entries(condition).every(([key, match]) =>
    key === "alarm"
      ? candidates(match).some((name) => facts.alarms.has(String(name).toLowerCase()))
      : matches(facts.values[key], match),
  );
}

function candidates(match: Match): Scalar[] {
  if (Array.isArray(match)) return match;
  return typeof match === "object" ? [] : [match];
}

/** An absent value matches nothing. */
function matches(value: Scalar | undefined, match: Match): boolean {
  if (value === undefined) return false;
  if (Array.isArray(match)) return match.includes(value);
  if (typeof match === "object") {
    if (typeof value !== "number") return false;
    return (match.min === undefined || value >= match.min) && (match.max === undefined || value <= match.max);
  }
  return value === match;
}

/** ups.status: the tokens whose rules hold, in rule order, each once. */
export function statusTokens(rules: readonly StatusRule[], facts: Facts): string[] {
  const tokens: string[] = [];
  for (const rule of rules)
    if (!tokens.includes(rule.token) && holds(rule.when, facts)) tokens.push(rule.token);
  return tokens;
}

/** Value names a set of rules reads (an alarm condition reads the alarm list). */
export function referencedValues(rules: readonly { when: When }[]): Set<string> {
  const names = new Set<string>();
  for (const { when } of rules)
    for (const condition of Array.isArray(when) ? when : [when])
      for (const key of Object.keys(condition)) names.add(key === "alarm" ? "ups.alarms" : key);
  return names;
}
