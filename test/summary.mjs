// Prints vitest's JSON report as the plain closing line CI reads: "N passed, N failed[, N skipped]".
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "test-results/vitest.json";
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch {
  console.log("0 passed, 1 failed");
  console.error(`no test report at ${file}`);
  process.exit(1);
}
const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
console.log(
  `${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`,
);
if (report.numFailedTests > 0 || report.numTotalTests === 0) process.exit(1);
