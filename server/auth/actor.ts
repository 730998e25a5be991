import type { Role } from "../../config/schema.js";

/** Who made a request: recorded as the actor of every write and audit entry. */
export interface Actor {
  name: string;
  role: Role;
  /** token: an API token from the store; config: a token from server.api_tokens; session: a console login. */
  via: "token" | "session" | "config";
}

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** viewer < operator < admin. */
export const atLeast = (has: Role, needs: Role): boolean => rank[has] >= rank[needs];
