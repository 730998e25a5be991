import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real daemons (snmpd, prometheus) and child processes: keep the
    // 2-core machine from being oversubscribed.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          sequence: { groupOrder: 0 },
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**"],
        },
      },
      {
        // Each browser test file runs a whole opswatch and a chromium, and some assert timings (an
        // outage on screen within 5 s): one file at a time, after the rest of the suite.
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
