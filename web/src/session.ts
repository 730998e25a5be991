import { useEffect, useState } from "preact/hooks";
import { ApiError, api, setCsrf } from "./api.js";

export type Role = "viewer" | "operator" | "admin";
export interface Me {
  user: string;
  role: Role;
  csrf: string;
}

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
let me: Me | null | undefined; // undefined: not asked yet; null: not logged in
const listeners = new Set<() => void>();
const changed = () => {
  for (const f of listeners) f();
};

/** Asks the server who the session cookie belongs to. */
export async function refreshSession(): Promise<Me | null> {
  try {
    me = await api.get<Me>("/api/v1/session");
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    me = null;
  }
  setCsrf(me?.csrf);
  changed();
  return me;
}

export async function login(user: string, password: string): Promise<Me> {
  me = await api.post<Me>("/api/v1/session", { user, password });
  setCsrf(me.csrf);
  changed();
  return me;
}

export async function logout(): Promise<void> {
  await api.del("/api/v1/session").catch(() => {});
  me = null;
  setCsrf(undefined);
  changed();
}

/** The logged-in user (null: nobody; undefined: still asking); re-renders on login/logout. */
export function useSession(): Me | null | undefined {
  const [, bump] = useState(0);
  useEffect(() => {
    const f = () => bump((n) => n + 1);
    listeners.add(f);
    if (me === undefined) void refreshSession().catch(() => {});
    return () => listeners.delete(f);
  }, []);
  return me;
}

/** Whether the session's role is at least `role` (the UI hides what the API would refuse anyway). */
export function can(s: Me | null | undefined, role: Role): boolean {
  return !!s && rank[s.role] >= rank[role];
}
