import { createServer, type Server as HttpServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { Router } from "express";
import { Counter, Gauge } from "prom-client";
import type { Config, ServerConfig } from "../config/schema.js";
import { loadCalendarOverride, WorkCalendar } from "../engine/calendar.js";
import type { FaultEvent } from "../engine/faults.js";
import { indicatorSpecs } from "../engine/mapping.js";
import { localDate } from "../engine/zone.js";
import type { Logger } from "../lib/log.js";
import { createApp } from "./api.js";
import { Guard } from "./auth/guard.js";
import { hashPassword } from "./auth/password.js";
import { LoginThrottle } from "./auth/throttle.js";
import { Evaluator } from "./evaluator.js";
import { FaultService } from "./faults.js";
import { importResults } from "./import.js";
import { IndicatorMetrics } from "./indicator-metrics.js";
import { IndicatorService } from "./indicators.js";
import { type AgentLive, Ingest } from "./ingest.js";
import { InspectionService } from "./inspections.js";
import { HttpRejects } from "./limits.js";
import { LiveView } from "./live.js";
import { LiveFeed } from "./live-feed.js";
import { ServerMetrics } from "./metrics.js";
import { Dispatcher } from "./notify/dispatcher.js";
import { ConfigReloader } from "./reload.js";
import { ReportScheduler } from "./report/scheduler.js";
import { ReportService } from "./report/service.js";
import { Retention } from "./retention.js";
import { agentRoutes } from "./routes/agents.js";
import { auditRoutes } from "./routes/audit.js";
import { sessionRoutes } from "./routes/auth.js";
import { faultRoutes } from "./routes/faults.js";
import { indicatorRoutes } from "./routes/indicators.js";
import { inspectionRoutes } from "./routes/inspections.js";
import { maintenanceRoutes } from "./routes/maintenance.js";
import { reportRoutes } from "./routes/reports.js";
import { statusRoutes } from "./routes/status.js";
import { tokenRoutes } from "./routes/tokens.js";
import { userRoutes } from "./routes/users.js";
import { activeMaintenanceKey, StatusHistory, statusView } from "./status.js";
import type { FaultRecord } from "./store/faults.js";
import { describeDatabase, openStore } from "./store/open.js";
import { isStoreOutage, StoreHealth, watchStore } from "./store/outage.js";
import { TlsFiles } from "./tls.js";
import { trapCounter } from "./trap-metrics.js";
import { webRoutes } from "./web.js";

export interface RunningServer {
  url: string;
  port: number;
  /** Daily inspections: tests call runDue(now) instead of waiting for the cron. */
  inspections: InspectionService;
  /** Monthly reports: tests call runFor(month) instead of waiting for the cron. */
  reports: ReportScheduler;
  /** Daily raw-result retention: tests call run(now) instead of waiting for 03:30. */
  retention: Retention;
  /** The HTTP request handler (the express app): tests enumerate its routes. */
  app: import("express").Express;
  /**
   * SIGHUP: applies what can change without a restart (TLS files, agent tokens, API tokens) and records
   * it in the audit log. Throws, changing nothing, when the new TLS files can't be used.
   */
  reload(config: Config & { server: ServerConfig }): Promise<void>;
  close(): Promise<void>;
}

export interface ServerOptions {
  /**
   * Now for the inspection service (runs, sign-offs, judgements) and for reports (their report time);
   * tests move it. Default Date.now.
   */
  clock?: () => number;
}

/** Opens the store, rebuilds the live view from it, and serves HTTP + agent ingest on one port. */
export async function startServer(
  config: Config & { server: ServerConfig },
  logger: Logger,
  opts: ServerOptions = {},
): Promise<RunningServer> {
  const sc = config.server;
  // Read before anything opens: a missing certificate stops the start with its file name.
  const tls = sc.tls ? new TlsFiles(sc.tls) : undefined;
  const scheme = tls ? "https" : "http";
  // Disk full or an I/O error: one clear log line, counted, 503 / store_unavailable (server/store/outage.ts).
  const storeHealth = new StoreHealth(sc.database, logger);
  const store = watchStore(await openStore(sc), storeHealth);
  for (const u of config.demo?.users ?? [])
    if (!(await store.auth.user(u.name))) {
      const at = Date.now();
      const user = { name: u.name, role: u.role, disabled: false, createdAt: at, createdBy: "demo" };
      await store.auth.addUser({ ...user, passwordHash: await hashPassword(u.password) });
      await store.audit.append({
        at,
        actor: "system",
        role: "system",
        via: "config",
        addr: "",
        action: "user.add",
        object: `user/${u.name}`,
        before: null,
        after: user,
      });
    }
  const live = new LiveView(config.targets);
  for (const r of await store.latest()) live.update(r);
  const metrics = new ServerMetrics(
    live,
    sc.agents.map((a) => a.id),
  );
  storeHealth.register(metrics.registry);
  const tz = config.site.timezone;
  const calendar = new WorkCalendar(
    config.calendar.override_file ? loadCalendarOverride(config.calendar.override_file) : {},
  );
  const clock = { severities: config.severities, tz, calendar };
  // The official calendar is published year by year: say early when this year or the next is missing.
  new Gauge({
    name: "opswatch_calendar_covered",
    help: "1 when working days of the year are known (chinese-days or the override file), 0 when not",
    labelNames: ["year"],
    registers: [metrics.registry],
    collect() {
      const year = Number(localDate(Date.now(), tz).slice(0, 4));
      this.reset();
      for (const y of [year, year + 1]) this.set({ year: String(y) }, calendar.covers(y) ? 1 : 0);
    },
  });
  const thisYear = Number(localDate(Date.now(), tz).slice(0, 4));
  for (const y of [thisYear, thisYear + 1])
    if (!calendar.covers(y))
      logger.warn(
        { year: y },
        `no official calendar data for ${y}: working-day deadlines and service hours in ${y} cannot be computed until it is added (calendar.override_file)`,
      );
  const specs = indicatorSpecs(config.targets);
  // Identity for the HTTP API: tokens (config and store), console sessions, the audit log.
  const auth = new Guard({ auth: store.auth, audit: store.audit, server: sc });
  // The fault service and the evaluator need each other: health comes from the evaluator.
  let evaluator: Evaluator | undefined;
  let indicatorMetrics: IndicatorMetrics | undefined;
  // Built-in notifications (docs/notifications.md): told of every fault event, checks deadlines itself.
  const notifier = new Dispatcher({
    config: config.notifications,
    site: config.site,
    targets: config.targets,
    faultClock: clock,
    openFaults: () => store.faults.list({ open: true, limit: 100_000 }),
    log: logger,
    registry: metrics.registry,
    baseUrl: `${scheme}://${sc.listen.host.includes(":") ? `[${sc.listen.host}]` : sc.listen.host}:${sc.listen.port}`,
  });
  // The browsers' live feed (/ws/live): what changed, so open pages refetch it. With the status page off
  // (and no anonymous_read) only a logged-in browser or a token may listen.
  let ingestRef: Ingest | undefined;
  const feed = new LiveFeed({
    logger,
    watch: {
      targets: () => live.targets.map((t) => live.targetState(t, Date.now())).join(","),
      agents: () => agentIds.map((a) => (ingestRef?.status(a)?.connected ? 1 : 0)).join(","),
      maintenance: async () =>
        activeMaintenanceKey(
          (await store.maintenance.all()).map((m) => m.window),
          Date.now(),
          tz,
        ),
    },
    ...(sc.status_page || sc.anonymous_read
      ? {}
      : {
          authorize: async (req: IncomingMessage) => {
            const id = await auth.identify(
              req as import("express").Request,
              {
                locals: {},
              } as import("express").Response,
            );
            return id !== undefined && "actor" in id;
          },
        }),
    ...(sc.public_url ? { origins: [sc.public_url] } : {}),
  });
  const observe = (f: FaultRecord, e: FaultEvent) => {
    feed.changed("faults");
    const first = e.type === "acknowledged" && !f.events.some((x) => x.type === "acknowledged");
    if (first) indicatorMetrics?.responseSeconds.observe((e.at - f.openedAt) / 1000);
    if (e.type === "resolved") indicatorMetrics?.resolutionSeconds.observe((e.at - f.openedAt) / 1000);
    notifier.onEvent(f, e);
  };
  const faults = new FaultService(
    store.faults,
    clock,
    (t, c) => evaluator?.healthy(t, c) ?? true,
    logger,
    observe,
  );
  // Good/bad event counters per indicator: the SLI that burn-rate alerts divide (deploy/prometheus).
  const samples = new Counter({
    name: "opswatch_indicator_samples_total",
    help: "Results counted toward an indicator, by verdict (ok, fail, none = no usable answer)",
    labelNames: ["indicator", "target", "verdict"],
    registers: [metrics.registry],
  });
  for (const sp of specs)
    for (const verdict of ["ok", "fail", "none"])
      samples.inc({ indicator: sp.indicator, target: sp.target, verdict }, 0);
  evaluator = new Evaluator(
    specs,
    config.targets,
    config.indicators,
    tz,
    store.runs,
    faults,
    logger,
    (sp, verdict) => samples.inc({ indicator: sp.indicator, target: sp.target, verdict }),
  );
  await evaluator.init(store);
  const ev = evaluator;
  const indicators = new IndicatorService({
    config,
    specs,
    store,
    runs: store.runs,
    faults: store.faults,
    maintenance: store.maintenance,
    calendar,
    clock,
    // Disk full: figures from the rollups saved so far (the unsaved tail stays in memory) rather than none.
    flush: () => ev.flush().catch((e) => (isStoreOutage(e) ? undefined : Promise.reject(e))),
  });
  indicatorMetrics = new IndicatorMetrics(metrics.registry, indicators, faults, tz, logger);
  const inspections = new InspectionService({
    plans: config.inspections,
    targets: config.targets,
    tz,
    store: store.inspections,
    faultStore: store.faults,
    live,
    faults,
    logger,
    exclusive: (name, fn) => store.exclusive(name, fn),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const reportService = new ReportService({
    config,
    specs,
    indicators,
    faults: store.faults,
    maintenance: store.maintenance,
    inspections: store.inspections,
    faultClock: clock,
    calendar,
    planName: (id) => inspections.planName(id),
    audit: store.audit,
  });
  const reports = new ReportScheduler({
    service: reportService,
    config: config.reports,
    logger,
    exclusive: (name, fn) => store.exclusive(name, fn),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const runImport = (body: Readable) =>
    importResults(body, { targets: config.targets, store, evaluator: ev });
  const known = new Set(config.targets.map((t) => t.id));
  let ready = false;
  const rejects = new HttpRejects(metrics.registry);
  let agentIds = sc.agents.map((a) => a.id);
  const http: HttpServer = (tls ? tls.createServer.bind(tls) : createServer)(
    createApp({
      live,
      store,
      metrics,
      ready: () => ready,
      rejects,
      limits: sc.limits,
      ...(sc.tls ? { hstsMaxAgeMs: sc.tls.hsts_max_age } : {}),
      publicRouters: [
        Router().use(feed.middleware()),
        webRoutes({ site: config.site, statusPage: sc.status_page }),
        statusRoutes({
          enabled: sc.status_page,
          view: async () => {
            const now = Date.now();
            return statusView({
              site: { name: config.site.name, timezone: tz },
              targets: config.targets,
              state: (t) => live.targetState(t, now),
              windows: (await store.maintenance.all()).map((m) => m.window),
              openFaults: await store.faults.list({ open: true, limit: 10_000 }),
              now,
            });
          },
          history: new StatusHistory({
            targets: config.targets,
            tz,
            compute: (period, now) => indicators.compute(period, now),
          }),
        }),
      ],
      guard: auth.read(),
      routers: [
        agentRoutes({
          configured: () => agentIds,
          live: (id): AgentLive | undefined => ingest.status(id),
          store,
          maxClockOffsetMs: sc.max_clock_offset,
        }),
        sessionRoutes(auth, store.auth, new LoginThrottle(sc.limits.login_attempts), logger),
        userRoutes(auth, store.auth),
        tokenRoutes(auth, store.auth),
        auditRoutes(auth, store.audit, sc.limits.page_max),
        faultRoutes(faults, auth, (id) => known.has(id), sc.limits.page_max),
        maintenanceRoutes(store.maintenance, auth, tz),
        indicatorRoutes(indicators, auth, tz, runImport),
        inspectionRoutes(inspections, store.inspections, store.faults, auth),
        reportRoutes(reportService, opts.clock ?? Date.now),
      ],
    }),
  );
  // An import streams a month of results in one request: no whole-request deadline. A client still
  // has 20 s to send its headers, and a socket idle for 5 minutes (a stalled upload) is closed; an
  // agent's socket is exempt once upgraded (ws clears the idle timeout).
  http.requestTimeout = 0;
  http.headersTimeout = 20_000;
  http.timeout = 300_000;
  const countTraps = trapCounter(metrics.registry);
  const ingest = new Ingest(
    {
      store,
      live,
      metrics,
      agents: sc.agents,
      maxFrameBytes: sc.max_frame_bytes,
      maxClockOffsetMs: sc.max_clock_offset,
      requireClientCert: () => tls?.mutual ?? false,
      rejectUpgrade: (status, reason) => rejects.count(status, reason),
      logger,
      onCommitted: async (results) => {
        countTraps(results);
        metrics.devices.observe(results);
        metrics.probes.observe(results);
        await ev.apply(results);
        if (ev.rebuildPending.size) await ev.rebuild(store);
        void feed.check("targets");
      },
      // Another server on the same database may have ingested this agent's results meanwhile.
      onHello: (agent, lastSeq) => {
        void feed.check("agents");
        return ev.reloadAgent(store, agent, lastSeq);
      },
    },
    http,
  );
  ingestRef = ingest;
  feed.attach(http);
  const flushTimer = setInterval(
    () => void ev.flush().catch((e) => isStoreOutage(e) || logger.error({ err: e }, "rollup flush failed")),
    2000,
  );
  // Records runs missed while the server was down before anything is served, then schedules the plans.
  await inspections.start();
  await reports.start();
  const retention = new Retention({
    store,
    keepMs: sc.retention.raw_results,
    tz,
    logger,
    registry: metrics.registry,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await retention.start();
  indicatorMetrics.start(sc.indicator_refresh);
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(sc.listen.port, sc.listen.host, () => resolve());
  }).catch(async (e) => {
    await inspections.stop(); // its cron tasks would keep the process alive
    await reports.stop();
    await retention.stop();
    throw e;
  });
  ready = true;
  const port = (http.address() as AddressInfo).port;
  const host = sc.listen.host.includes(":") ? `[${sc.listen.host}]` : sc.listen.host;
  const url = `${scheme}://${host}:${port}`;
  notifier.start(url);
  logger.info(
    {
      url,
      database: describeDatabase(sc.database),
      targets: config.targets.length,
      ...(tls ? { certificate: tls.fingerprint, mutualTls: tls.mutual } : {}),
    },
    "server listening",
  );
  const reloader = new ConfigReloader(sc, {
    ...(tls ? { tls } : {}),
    setAgents: (agents) => {
      ingest.setAgents(agents);
      agentIds = agents.map((a) => a.id);
    },
    setApiTokens: (tokens) => auth.setConfigTokens(tokens),
    audit: store.audit,
    logger,
  });
  return {
    url,
    port,
    inspections,
    reports,
    retention,
    app: http.listeners("request")[0] as import("express").Express,
    async reload(next) {
      await reloader.apply(next.server);
    },
    async close() {
      ready = false;
      clearInterval(flushTimer);
      indicatorMetrics?.stop();
      await feed.close();
      await inspections.stop();
      await reports.stop();
      await retention.stop();
      await ingest.close();
      await ev.flush();
      await notifier.stop();
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
      await store.close();
      logger.info("server stopped");
    },
  };
}
