// Commands that flip a simulator's state, in one vocabulary for a person at a terminal and for tests:
// words `mains=fail battery=low`, a bare word for an action (`reboot`, `reset`), or a JSON object.
import type { z } from "zod";

/** A command a device refused; the message says which key and what it expects. */
export class CommandError extends Error {}

export type CommandInput = Record<string, unknown>;

/** `mains=fail reboot` → { mains: "fail", reboot: true }; a line starting with `{` is read as JSON. */
export function parseWords(line: string): CommandInput {
  const text = line.trim();
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new CommandError(`not JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new CommandError('expected a JSON object such as {"mains":"fail"}');
    return parsed as CommandInput;
  }
  const input: CommandInput = {};
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf("=");
    if (eq === 0) throw new CommandError(`"${word}": key missing before "="`);
    if (eq < 0) input[word] = true;
    else input[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return input;
}

/** `?mains=fail&reboot` → { mains: "fail", reboot: true }: query parameters read as words (`?alarms=` is
 * an empty value, not a bare word). */
export function parseQuery(search: string): CommandInput {
  const input: CommandInput = {};
  for (const part of search.replace(/^\?/, "").split("&").filter(Boolean)) {
    const eq = part.indexOf("=");
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        throw new CommandError(`"${part}": bad URL encoding`);
      }
    };
    if (eq < 0) input[decode(part)] = true;
    else input[decode(part.slice(0, eq))] = decode(part.slice(eq + 1));
  }
  return input;
}

/** Validates with a strict zod object; a failure becomes one CommandError naming every bad key. */
export function parseCommand<S extends z.ZodObject>(schema: S, input: CommandInput): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const known = Object.keys(schema.shape).join(", ");
  throw new CommandError(
    result.error.issues
      .map((i) =>
        // zod names unknown keys in the message, not in the path.
        i.code === "unrecognized_keys"
          ? `${i.message} (known: ${known})`
          : `${i.path.join(".")}: ${i.message}`,
      )
      .join("; "),
  );
}
