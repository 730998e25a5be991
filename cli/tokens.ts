// opswatch token create|list|revoke: API tokens, written straight to the store.
import { userInfo } from "node:os";
import type { Command } from "commander";
import type { Role } from "../config/schema.js";
import { parseDuration } from "../lib/duration.js";
import { Id } from "../protocol/messages.js";
import { Tokens, tokenView } from "../server/auth/tokens.js";
import { action, CliError } from "./client.js";
import { fmtTime, SITE_TZ, table } from "./format.js";
import { auditCli, configOption, roleOption, withStore } from "./local-store.js";

export function registerTokenCommands(program: Command): void {
  const token = program
    .command("token")
    .description('API tokens (hashed in the store, role-scoped, expirable, revocable); audited as "cli"');

  configOption(
    token
      .command("create")
      .description("create a token and print its secret (shown this once, never stored)")
      .requiredOption("--name <name>", "who uses it: the actor recorded for its writes")
      .addOption(roleOption().makeOptionMandatory())
      .option("--expires <duration>", "lifetime, e.g. 90d (default: until revoked)"),
  ).action(
    action(async (o: { config: string; name: string; role: Role; expires?: string }) => {
      const id = Id.safeParse(o.name);
      if (!id.success) throw new CliError(`--name: ${id.error.issues[0]?.message}`);
      let life: number | undefined;
      if (o.expires !== undefined) {
        try {
          life = parseDuration(o.expires);
        } catch {
          throw new CliError(`--expires: a duration such as 90d, not "${o.expires}"`);
        }
        if (life <= 0) throw new CliError("--expires: must be positive");
      }
      await withStore(o.config, async (store) => {
        const now = Date.now();
        const { secret, token: t } = await new Tokens(store.auth, []).create(
          { name: o.name, role: o.role, ...(life === undefined ? {} : { expiresAt: now + life }) },
          userInfo().username,
          now,
        );
        await auditCli(store, "token.create", `token/${t.id}`, null, tokenView(t));
        process.stderr.write(`token ${t.id} (${o.name}, ${o.role}); the secret below is shown only now:\n`);
        process.stdout.write(`${secret}\n`);
      });
    }),
  );

  configOption(
    token.command("list").description("list tokens (never their secrets)").option("--json", "JSON output"),
  ).action(
    action(async (o: { config: string; json?: boolean }) => {
      await withStore(o.config, async (store) => {
        const list = (await store.auth.tokens()).map(tokenView);
        if (o.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        const t = (ms: number | null) => (ms === null ? "-" : fmtTime(ms, SITE_TZ));
        const now = Date.now();
        const state = (x: (typeof list)[number]) =>
          x.revoked_at !== null
            ? "revoked"
            : x.expires_at !== null && x.expires_at <= now
              ? "expired"
              : "active";
        process.stdout.write(
          `${table(
            ["ID", "NAME", "ROLE", "STATE", "EXPIRES", "LAST USED", "CREATED BY"],
            list.map((x) => [
              x.id,
              x.name,
              x.role,
              state(x),
              t(x.expires_at),
              t(x.last_used_at),
              x.created_by,
            ]),
          )}\n`,
        );
      });
    }),
  );

  configOption(
    token.command("revoke <id>").description("revoke a token: refused from its next request"),
  ).action(
    action(async (id: string, o: { config: string }) => {
      await withStore(o.config, async (store) => {
        const before = await store.auth.token(id);
        if (!before) throw new CliError(`no token ${id}`);
        if (!(await store.auth.revokeToken(id, Date.now(), userInfo().username)))
          throw new CliError(`token ${id} is already revoked`);
        const after = await store.auth.token(id);
        await auditCli(store, "token.revoke", `token/${id}`, tokenView(before), after && tokenView(after));
        process.stdout.write(`revoked token ${id} (${before.name})\n`);
      });
    }),
  );
}
