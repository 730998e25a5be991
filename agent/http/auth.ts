// The Authorization header of a check's or step's `auth`.
import type { z } from "zod";
import type { HttpAuth } from "../../config/http.js";

export function authorization(auth: z.infer<typeof HttpAuth>): string {
  if ("bearer" in auth) return `Bearer ${auth.bearer}`;
  const { username, password } = auth.basic;
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}
