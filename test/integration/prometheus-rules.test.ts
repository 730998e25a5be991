// deploy/prometheus and deploy/alertmanager against the real tools: promtool checks the Prometheus
// config and rules and runs the rule unit tests (deploy/prometheus/tests), amtool checks the
// Alertmanager config and its routing, and a real Alertmanager shows the inhibition rules at work.
// Plus the static guarantees: every alert is tested firing and quiet, carries a severity and the four
// bilingual annotations, and reads only metrics the server exports.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { freePort } from "../peers/ports.js";
import { peerPath, requirePeer } from "../peers/require-peer.js";

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const promDir = path.join(root, "deploy/prometheus");
const rulesDir = path.join(promDir, "rules");
const testsDir = path.join(promDir, "tests");
const amConfig = path.join(root, "deploy/alertmanager/alertmanager.yml");

const hasPromtool = requirePeer("promtool", "prometheus");
const hasAmtool = requirePeer("amtool", "prometheus-alertmanager");
const hasAlertmanager = requirePeer("prometheus-alertmanager", "prometheus-alertmanager");

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface ExpAlert {
  exp_labels?: Record<string, string>;
  exp_annotations?: Record<string, string>;
}
interface AlertCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: ExpAlert[] | null;
}
interface TestFile {
  rule_files: string[];
  group_eval_order?: string[];
  tests: { name?: string; alert_rule_test?: AlertCase[] }[];
}

const ruleFiles = readdirSync(rulesDir)
  .filter((f) => f.endsWith(".yml"))
  .sort();
const testFiles = readdirSync(testsDir)
  .filter((f) => f.endsWith(".yml"))
  .sort();

async function loadYaml<T>(file: string): Promise<T> {
  return parse(await readFile(file, "utf8")) as T;
}

const alertRules = async (): Promise<Rule[]> =>
  (await loadYaml<RuleFile>(path.join(rulesDir, "alerts.yml"))).groups.flatMap((g) => g.rules);

interface Run {
  code: number;
  out: string;
}

/** Runs a tool asynchronously (never execFileSync); a non-zero exit is a result, not an exception. */
async function tool(bin: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(bin, args, { cwd: root, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof err.code !== "number") throw e;
    return { code: err.code, out: (err.stdout ?? "") + (err.stderr ?? "") };
  }
}

const SEVERITY_RECEIVER: Record<string, string> = {
  critical: "critical-wecom-webhook",
  warning: "wecom",
  info: "opswatch-webhook",
};
const ANNOTATIONS = ["summary_zh", "summary_en", "description_zh", "description_en"];
const HAN = /\p{Script=Han}/u;

describe("alert rules: static guarantees", () => {
  it("every alert has a severity and the four bilingual annotations with a hint", async () => {
    const rules = await alertRules();
    expect(rules.length).toBeGreaterThan(20);
    for (const r of rules) {
      const where = `alert ${r.alert}`;
      expect(r.alert, "alerts.yml holds alerts only").toBeTruthy();
      expect(Object.keys(SEVERITY_RECEIVER), where).toContain(r.labels?.severity);
      expect(Object.keys(r.annotations ?? {}).sort(), where).toEqual([...ANNOTATIONS].sort());
      const a = r.annotations ?? {};
      expect(a.summary_zh, where).toMatch(HAN);
      expect(a.description_zh, where).toMatch(HAN);
      expect(a.description_zh, where).toContain("处置");
      expect(a.summary_en, where).not.toMatch(HAN);
      expect(a.description_en, where).not.toMatch(HAN);
      expect(a.description_en, where).toContain("Action:");
    }
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size, "alert names are unique").toBe(names.length);
  });

  it("every alert has a promtool case expecting it to fire (exact labels and annotations) and one expecting quiet", async () => {
    const rules = await alertRules();
    const byName = new Map(rules.map((r) => [r.alert, r]));
    const firing = new Map<string, number>();
    const quiet = new Map<string, number>();
    for (const file of testFiles) {
      const t = await loadYaml<TestFile>(path.join(testsDir, file));
      expect(t.rule_files, file).toEqual(["../rules/recording.yml", "../rules/alerts.yml"]);
      for (const test of t.tests)
        for (const c of test.alert_rule_test ?? []) {
          const rule = byName.get(c.alertname);
          expect(rule, `${file}: "${test.name}" tests unknown alert ${c.alertname}`).toBeDefined();
          const exp = c.exp_alerts ?? [];
          const count = exp.length > 0 ? firing : quiet;
          count.set(c.alertname, (count.get(c.alertname) ?? 0) + 1);
          for (const e of exp) {
            const where = `${file}: ${c.alertname} at ${c.eval_time}`;
            expect(e.exp_labels?.severity, where).toBe(rule?.labels?.severity);
            expect(Object.keys(e.exp_annotations ?? {}).sort(), where).toEqual([...ANNOTATIONS].sort());
          }
        }
    }
    const missing = (m: Map<string, number>) => rules.map((r) => r.alert).filter((n) => !m.get(n ?? ""));
    expect(missing(firing), "alerts no test expects to fire").toEqual([]);
    expect(missing(quiet), "alerts no test expects to stay quiet").toEqual([]);
  });

  it("every test file evaluates the recording rules before the alerts (deterministic results)", async () => {
    const groups = async (f: string) =>
      (await loadYaml<RuleFile>(path.join(rulesDir, f))).groups.map((g) => g.name);
    const order = [...(await groups("recording.yml")), ...(await groups("alerts.yml"))];
    for (const file of testFiles)
      expect((await loadYaml<TestFile>(path.join(testsDir, file))).group_eval_order, file).toEqual(order);
  });

  it("the rules read only metrics the server exports and recording rules that exist", async () => {
    // Every metric name the server registers, from its sources (prom-client `name:` / gauge("…")).
    const exported = new Set<string>(["up"]);
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(p);
        else if (entry.name.endsWith(".ts"))
          for (const m of (await readFile(p, "utf8")).matchAll(/["'`]((?:opswatch|probe)_[a-z0-9_]+)["'`]/g))
            if (m[1]) exported.add(m[1]);
      }
    };
    await walk(path.join(root, "server"));
    const recorded = new Set<string>();
    const used = new Map<string, string>();
    for (const f of ruleFiles)
      for (const g of (await loadYaml<RuleFile>(path.join(rulesDir, f))).groups)
        for (const r of g.rules) {
          if (r.record) recorded.add(r.record);
          // Metric names: identifiers before a selector, range or operator — not label values, not
          // parts of recording-rule names (level:metric:operations).
          for (const m of r.expr.matchAll(
            /(?<![\w:."])((?:opswatch|probe)_[a-z0-9_]+|up)(?=\s*\{|\s*\[|\s*[=!<>)]|\s*$)/gm,
          ))
            if (m[1]) used.set(m[1], r.alert ?? r.record ?? "");
          for (const m of r.expr.matchAll(/\b([a-z_]+:[a-z0-9_]+:[a-z0-9_]+)\b/g))
            if (m[1]) used.set(m[1], r.alert ?? r.record ?? "");
        }
    expect(used.size).toBeGreaterThan(15);
    for (const [name, rule] of used) {
      const base = name.replace(/_(bucket|sum|count)$/, "");
      const known = name.includes(":") ? recorded.has(name) : exported.has(name) || exported.has(base);
      expect(known, `${rule} reads ${name}, which nothing exports or records`).toBe(true);
    }
  });
});

describe.skipIf(!hasPromtool)("Prometheus config and rules (promtool)", () => {
  it("promtool check config deploy/prometheus/prometheus.yml (with its rule files)", async () => {
    const r = await tool("promtool", ["check", "config", path.join(promDir, "prometheus.yml")]);
    expect(r.out).toContain("SUCCESS");
    expect(r.out).toContain("2 rule files found");
    expect(r.code, r.out).toBe(0);
  });

  it.each(ruleFiles)("promtool check rules rules/%s", async (file) => {
    const r = await tool("promtool", ["check", "rules", path.join(rulesDir, file)]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("SUCCESS");
  });

  it.each(testFiles)(
    "promtool test rules tests/%s",
    async (file) => {
      const r = await tool("promtool", ["test", "rules", path.join(testsDir, file)]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain("SUCCESS");
      expect(r.out).not.toContain("FAILED");
    },
    // burn-rate.yml evaluates every minute over a day and more of history
    240_000,
  );

  it("a copy of a test file with an expectation flipped fails (the tests can fail)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-promtool-"));
    try {
      const original = await loadYaml<TestFile>(path.join(testsDir, "ups.yml"));
      original.rule_files = original.rule_files.map((f) => path.resolve(testsDir, f));
      const cases = original.tests[0]?.alert_rule_test ?? [];
      const firingCase = cases.find((c) => (c.exp_alerts ?? []).length > 0);
      const quietCase = cases.find(
        (c) => (c.exp_alerts ?? []).length === 0 && c.alertname === firingCase?.alertname,
      );
      if (!firingCase || !quietCase) throw new Error("ups.yml's first test needs a firing and a quiet case");
      const iFiring = cases.indexOf(firingCase);
      const iQuiet = cases.indexOf(quietCase);
      const mutate = (change: (c: AlertCase[]) => void): TestFile => {
        const copy = structuredClone(original);
        const t0 = copy.tests[0];
        if (t0?.alert_rule_test) change(t0.alert_rule_test);
        return copy;
      };
      const variants: [string, TestFile][] = [
        ["unchanged (control)", original],
        [
          "firing expected quiet",
          mutate((c) => {
            (c[iFiring] as AlertCase).exp_alerts = [];
          }),
        ],
        [
          "quiet (pending) expected firing",
          mutate((c) => {
            (c[iQuiet] as AlertCase).exp_alerts = structuredClone(firingCase.exp_alerts);
          }),
        ],
        [
          "severity changed",
          mutate((c) => {
            const e = (c[iFiring] as AlertCase).exp_alerts?.[0];
            if (e?.exp_labels) e.exp_labels.severity = "warning";
          }),
        ],
        [
          "annotation changed",
          mutate((c) => {
            const e = (c[iFiring] as AlertCase).exp_alerts?.[0];
            if (e?.exp_annotations) e.exp_annotations.summary_en += " (mutated)";
          }),
        ],
      ];
      const results = await Promise.all(
        variants.map(async ([name, doc], i) => {
          const file = path.join(dir, `variant-${i}.yml`);
          await writeFile(file, stringify(doc));
          return { name, ...(await tool("promtool", ["test", "rules", file])) };
        }),
      );
      const [control, ...mutants] = results;
      expect(control?.code, control?.out).toBe(0);
      for (const m of mutants) {
        expect(m.code, `${m.name}: promtool should fail\n${m.out}`).toBe(1);
        expect(m.out, m.name).toContain("FAILED");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasAmtool)("Alertmanager config (amtool)", () => {
  it("amtool check-config deploy/alertmanager/alertmanager.yml (with its templates)", async () => {
    const r = await tool("amtool", ["check-config", amConfig]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("SUCCESS");
    expect(r.out).toContain("1 templates");
  });

  it("routes every alert by its severity: critical → WeCom + webhook, warning → WeCom, info → webhook", async () => {
    const rules = await alertRules();
    const cases: [Record<string, string>, string][] = rules.map((r) => [
      { alertname: r.alert ?? "", severity: r.labels?.severity ?? "", target: "t-1" },
      SEVERITY_RECEIVER[r.labels?.severity ?? ""] ?? "?",
    ]);
    cases.push([{ alertname: "SomethingElse" }, "opswatch-webhook"]);
    for (const [labels, receiver] of cases) {
      const r = await tool("amtool", [
        "config",
        "routes",
        "test",
        `--config.file=${amConfig}`,
        `--verify.receivers=${receiver}`,
        ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
      ]);
      expect(r.code, `${JSON.stringify(labels)} → ${receiver}: ${r.out}`).toBe(0);
    }
  });

  it("the WeCom template renders", async () => {
    const r = await tool("amtool", [
      "template",
      "render",
      `--template.glob=${path.join(root, "deploy/alertmanager/templates/*.tmpl")}`,
      '--template.text={{ template "opswatch.wechat.alert" (index .Alerts 0) }}',
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/开始 since: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/);
  });
});

describe.skipIf(!hasAlertmanager)("Alertmanager inhibition (a real prometheus-alertmanager)", () => {
  let child: ChildProcess | undefined;
  let dir = "";
  let url = "";

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-am-"));
    // The real routes and inhibit rules; receivers replaced by a dead loopback webhook so that nothing
    // leaves the machine.
    const config = await loadYaml<{ receivers: { name: string }[]; templates?: string[] }>(amConfig);
    delete config.templates;
    config.receivers = config.receivers.map((r) => ({
      name: r.name,
      webhook_configs: [{ url: "http://127.0.0.1:9/", send_resolved: false }],
    }));
    await writeFile(path.join(dir, "alertmanager.yml"), stringify(config));
    const port = await freePort("tcp");
    url = `http://127.0.0.1:${port}`;
    const bin = peerPath("prometheus-alertmanager") ?? "prometheus-alertmanager";
    child = spawn(
      bin,
      [
        `--config.file=${path.join(dir, "alertmanager.yml")}`,
        `--storage.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`alertmanager exited (${child.exitCode}): ${stderr}`);
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`alertmanager not ready after 15 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("suppresses exactly the alerts the inhibit rules name, for the same target or agent", async () => {
    const alerts: [Record<string, string>, boolean][] = [
      [{ alertname: "WebsiteDown", severity: "critical", target: "portal", group: "web" }, false],
      [
        { alertname: "WebsiteResponseTimeHigh", severity: "warning", target: "portal", window: "month" },
        true,
      ],
      [
        { alertname: "CertificateExpiringSoon", severity: "warning", target: "portal", agent: "agent-a" },
        true,
      ],
      [{ alertname: "OperationSlow", severity: "warning", target: "portal" }, true],
      [{ alertname: "OperationSlow", severity: "warning", target: "portal-2" }, false],
      [
        { alertname: "WebsiteResponseTimeHigh", severity: "warning", target: "portal-2", window: "month" },
        false,
      ],
      [{ alertname: "WebsiteErrorBudgetBurn1h", severity: "critical", target: "portal" }, false],
      [{ alertname: "WebsiteErrorBudgetBurn3d", severity: "info", target: "portal" }, true],
      [{ alertname: "WebsiteErrorBudgetBurn3d", severity: "info", target: "portal-2" }, false],
      [{ alertname: "UpsLoadUnpowered", severity: "critical", target: "ups-1", agent: "agent-a" }, false],
      [{ alertname: "UpsOnBattery", severity: "critical", target: "ups-1", agent: "agent-a" }, true],
      [{ alertname: "UpsBatteryLow", severity: "critical", target: "ups-1", agent: "agent-a" }, true],
      [{ alertname: "UpsOnBattery", severity: "critical", target: "ups-2", agent: "agent-a" }, false],
      [
        { alertname: "UpsInputVoltageOutOfRange", severity: "critical", target: "ups-2", agent: "agent-a" },
        true,
      ],
      [{ alertname: "FirewallUnreachable", severity: "critical", target: "fw-1", group: "firewall" }, false],
      [{ alertname: "FirewallInterfaceDown", severity: "critical", target: "fw-1", agent: "agent-a" }, true],
      [{ alertname: "OpswatchAgentSilent", severity: "warning", agent: "agent-b" }, false],
      [{ alertname: "FirewallCpuHigh", severity: "warning", target: "fw-2", agent: "agent-b" }, true],
      [{ alertname: "FirewallCpuHigh", severity: "warning", target: "fw-3", agent: "agent-a" }, false],
      // No agent label: quorum over all agents, not one agent's view.
      [{ alertname: "WebsiteDown", severity: "critical", target: "portal-3", group: "web" }, false],
    ];
    const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).sort());
    const post = await fetch(`${url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alerts.map(([labels]) => ({ labels }))),
    });
    expect(post.status).toBe(200);
    const expected = new Map(alerts.map(([l, inhibited]) => [key(l), inhibited]));
    let state = new Map<string, boolean>();
    // The inhibitor learns about source alerts asynchronously: poll until it has settled.
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const got = (await (await fetch(`${url}/api/v2/alerts`)).json()) as {
        labels: Record<string, string>;
        status: { inhibitedBy: string[] };
      }[];
      state = new Map(got.map((a) => [key(a.labels), a.status.inhibitedBy.length > 0]));
      if ([...expected].every(([k, v]) => state.get(k) === v)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const show = (m: Map<string, boolean>) =>
      [...m].map(([k, v]) => `${v ? "inhibited" : "active   "} ${k}`).sort();
    expect(show(state)).toEqual(show(expected));
  });
});
