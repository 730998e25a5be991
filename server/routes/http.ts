import type { NextFunction, Request, Response } from "express";
import type { z } from "zod";

/** A client error: answered 4xx with its reason. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = status === 404 ? "not_found" : status === 409 ? "conflict" : "bad_request",
  ) {
    super(message);
  }
}

/** Parses a request body with a zod schema; the first problem becomes a 400 naming the field. */
export function body<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const r = schema.safeParse(req.body);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new HttpError(400, `${i?.path.join(".") || "body"}: ${i?.message}`);
}

/** Epoch ms or an ISO 8601 time that carries its offset (Z or +08:00): a bare local time is ambiguous. */
export function parseTime(name: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "string") throw new HttpError(400, `${name}: expected a time`);
  if (/^\d+$/.test(value)) return Number(value);
  if (!/(Z|[+-]\d\d:?\d\d)$/.test(value))
    throw new HttpError(400, `${name}: time needs an offset (Z or +08:00)`);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new HttpError(400, `${name}: not a time: ${value}`);
  return t;
}

/** Wraps an async handler so its errors reach the error middleware. */
export const handler =
  (fn: (req: Request, res: Response) => Promise<unknown> | unknown) =>
  (req: Request, res: Response, next: NextFunction) =>
    Promise.resolve(fn(req, res)).catch(next);

/** JSON with ±Infinity spelled out ("+Inf": a failed operation's response time), never as null. */
export function sendJson(res: Response, value: unknown, status = 200): void {
  res
    .status(status)
    .type("application/json")
    .send(JSON.stringify(value, (_k, v) => (v === Number.POSITIVE_INFINITY ? "+Inf" : v)));
}
