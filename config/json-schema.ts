import { z } from "zod";
import { Config } from "./schema.js";

/** JSON Schema of the config file (what a user writes, before defaults), for editor completion. */
export function configJsonSchema(): object {
  return z.toJSONSchema(Config, { io: "input", unrepresentable: "any" });
}
