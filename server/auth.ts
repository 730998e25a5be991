import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Role } from "../config/schema.js";

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const digest = (s: string) => createHash("sha256").update(s).digest();

export interface Actor {
  name: string;
  role: Role;
}

/**
 * Bearer-token guard for the write API. Tokens come from config (secrets); the token's name is the
 * actor recorded in every history entry it writes.
 */
export class ApiAuth {
  private readonly tokens: { digest: Buffer; actor: Actor }[];

  constructor(tokens: readonly { name: string; token: string; role: Role }[]) {
    this.tokens = tokens.map((t) => ({ digest: digest(t.token), actor: { name: t.name, role: t.role } }));
  }

  /** The actor behind an Authorization header, or undefined. Compares every token in constant time. */
  identify(header: string | undefined): Actor | undefined {
    const m = /^Bearer (.+)$/.exec(header ?? "");
    if (!m) return undefined;
    const d = digest(m[1] as string);
    let found: Actor | undefined;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, d)) found = t.actor;
    return found;
  }

  /** Express middleware: 401 without a valid token, 403 with a weaker role; sets res.locals.actor. */
  require(role: Role) {
    return (req: Request, res: Response, next: NextFunction) => {
      const actor = this.identify(req.headers.authorization);
      if (!actor) {
        res.status(401).json({ error: "unauthorized", message: "send Authorization: Bearer <token>" });
        return;
      }
      if (rank[actor.role] < rank[role]) {
        res.status(403).json({
          error: "forbidden",
          message: `needs role ${role}, token "${actor.name}" has ${actor.role}`,
        });
        return;
      }
      res.locals.actor = actor;
      next();
    };
  }
}
