// opswatch user add|list|disable|enable|passwd: console users, written straight to the store.
import { userInfo } from "node:os";
import type { Command } from "commander";
import type { Role } from "../config/schema.js";
import { Id } from "../protocol/messages.js";
import { hashPassword, passwordProblem } from "../server/auth/password.js";
import { userView } from "../server/auth/users.js";
import { action, CliError } from "./client.js";
import { fmtTime, SITE_TZ, table } from "./format.js";
import { auditCli, configOption, readPassword, roleOption, withStore } from "./local-store.js";

async function newPassword(file: string | undefined, name: string): Promise<string> {
  const p = await readPassword(file, `password for ${name}: `);
  const problem = passwordProblem(p);
  if (problem) throw new CliError(problem);
  return p;
}

export function registerUserCommands(program: Command): void {
  const user = program
    .command("user")
    .description('console users (viewer, operator, admin); writes the store directly, audited as "cli"');

  configOption(
    user
      .command("add <name>")
      .description("add a user; the password comes from --password-file or stdin (not echoed on a terminal)")
      .addOption(roleOption().makeOptionMandatory())
      .option("--password-file <file>", "file whose first line is the password")
      .option("--display-name <text>", "full name shown in the console"),
  ).action(
    action(
      async (
        name: string,
        o: { config: string; role: Role; passwordFile?: string; displayName?: string },
      ) => {
        const id = Id.safeParse(name);
        if (!id.success) throw new CliError(`name: ${id.error.issues[0]?.message}`);
        const password = await newPassword(o.passwordFile, name);
        await withStore(o.config, async (store) => {
          const u = {
            name,
            role: o.role,
            passwordHash: await hashPassword(password),
            disabled: false,
            createdAt: Date.now(),
            createdBy: userInfo().username,
            ...(o.displayName ? { displayName: o.displayName } : {}),
          };
          if (!(await store.auth.addUser(u))) throw new CliError(`user "${name}" exists`);
          await auditCli(store, "user.add", `user/${name}`, null, userView(u));
          process.stdout.write(`added ${name} (${o.role})\n`);
        });
      },
    ),
  );

  configOption(user.command("list").description("list users").option("--json", "JSON output")).action(
    action(async (o: { config: string; json?: boolean }) => {
      await withStore(o.config, async (store) => {
        const users = (await store.auth.users()).map(userView);
        if (o.json) return void process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
        const t = (ms: number | null) => (ms === null ? "-" : fmtTime(ms, SITE_TZ));
        process.stdout.write(
          `${table(
            ["NAME", "ROLE", "STATE", "DISPLAY NAME", "LAST LOGIN"],
            users.map((u) => [
              u.name,
              u.role,
              u.disabled ? "disabled" : "active",
              u.display_name ?? "",
              t(u.last_login_at),
            ]),
          )}\n`,
        );
      });
    }),
  );

  for (const [verb, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const)
    configOption(
      user
        .command(`${verb} <name>`)
        .description(disabled ? "disable a user: their sessions end at once" : "enable a disabled user"),
    ).action(
      action(async (name: string, o: { config: string }) => {
        await withStore(o.config, async (store) => {
          const before = await store.auth.user(name);
          if (!before) throw new CliError(`no user "${name}"`);
          if (before.disabled === disabled) return void process.stdout.write(`${name} is already ${verb}d\n`);
          await store.auth.updateUser(name, { disabled });
          if (disabled) await store.auth.deleteSessionsOf(name);
          const after = await store.auth.user(name);
          await auditCli(store, `user.${verb}`, `user/${name}`, userView(before), after && userView(after));
          process.stdout.write(`${verb}d ${name}\n`);
        });
      }),
    );

  configOption(
    user
      .command("passwd <name>")
      .description("set a user's password (from --password-file or stdin); their sessions end")
      .option("--password-file <file>", "file whose first line is the password"),
  ).action(
    action(async (name: string, o: { config: string; passwordFile?: string }) => {
      const password = await newPassword(o.passwordFile, name);
      await withStore(o.config, async (store) => {
        const before = await store.auth.user(name);
        if (!before) throw new CliError(`no user "${name}"`);
        await store.auth.updateUser(name, { passwordHash: await hashPassword(password) });
        await store.auth.deleteSessionsOf(name);
        await auditCli(store, "user.password", `user/${name}`, userView(before), {
          ...userView(before),
          password_changed: true,
        });
        process.stdout.write(`password of ${name} changed\n`);
      });
    }),
  );
}
