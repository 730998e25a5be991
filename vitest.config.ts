import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real daemons (snmpd, prometheus) and child processes: keep the
    // 2-core machine from being oversubscribed.
    maxWorkers: 2,
  },
});
