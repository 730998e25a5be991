import type { UserRecord } from "../store/store.js";

/** A user as the API, the CLI and the audit log show it: never the password hash. */
export function userView(u: UserRecord) {
  return {
    name: u.name,
    display_name: u.displayName ?? null,
    role: u.role,
    disabled: u.disabled,
    created_at: u.createdAt,
    created_by: u.createdBy,
    last_login_at: u.lastLoginAt ?? null,
  };
}
