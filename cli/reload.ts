// SIGHUP: re-read the config file and hand it to the running parts; a bad file changes nothing.
import { ConfigError, type ConfigRole, loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../lib/log.js";

/**
 * On each SIGHUP, loads `file` again and calls `apply` with it. An invalid config, or one `apply`
 * refuses, is logged and the process keeps running with what it had.
 */
export function reloadOnSighup(
  file: string,
  role: ConfigRole | undefined,
  log: Logger,
  apply: (cfg: Config) => Promise<void> | void,
): void {
  let busy = false;
  process.on("SIGHUP", () => {
    if (busy) return log.warn("SIGHUP ignored: a reload is still running");
    busy = true;
    void (async () => {
      log.info({ file }, "SIGHUP: reloading config");
      try {
        await apply(loadConfig(file, role));
      } catch (e) {
        const message =
          e instanceof ConfigError ? `${e.message}\n${e.issues.length} problem(s)` : (e as Error).message;
        log.error({ file, err: message }, "config reload failed; still running with the previous config");
      } finally {
        busy = false;
      }
    })();
  });
}
