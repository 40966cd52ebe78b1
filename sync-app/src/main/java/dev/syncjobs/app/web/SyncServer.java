package dev.syncjobs.app.web;

import dev.syncjobs.app.config.DataDir;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.metrics.Metrics;
import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Subscription;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.service.SyncRuntime;
import dev.syncjobs.core.upload.Uploads;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundled server: REST API, WebSocket progress, web page, health and metrics on one port, over
 * a {@link SyncRuntime}. {@link #start()} repairs interrupted runs (SQLite only), re-plans
 * schedules and starts the engine and the listener; {@link #close()} stops firing, stops active
 * transfers (their partial files stay), records them as interrupted by shutdown with a resume run
 * queued, closes the database and releases the data dir, within 10 seconds.
 */
public final class SyncServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncServer.class);

  /** Largest accepted request body. */
  public static final long MAX_BODY_BYTES = 1024 * 1024;

  /** Local time (in {@code SYNCJOBS_TIMEZONE}) from which the daily upload clean-up runs. */
  public static final java.time.LocalTime UPLOAD_CLEANUP_AT = java.time.LocalTime.of(3, 0);

  /** One HTTP route (for the route list that docs/api.md must match). */
  public record Route(String method, String path) {}

  private final ServerConfig config;
  private final DataDir dataDir;
  private final SyncRuntime runtime;
  private final Auth auth;
  private final WebSocketProgressPublisher sockets;
  private final AutoCloseable database;
  private final Clock clock;
  private final JobsApi api;
  private final Uploads uploads;
  private final Metrics metrics;
  private AutoCloseable uploadCleanup;
  private final List<Route> routes = new ArrayList<>();
  private Javalin app;
  private Subscription subscription;
  private volatile boolean closed;

  public SyncServer(
      ServerConfig config,
      DataDir dataDir,
      SyncRuntime runtime,
      Auth auth,
      AutoCloseable database,
      Clock clock,
      Uploads uploads,
      Metrics metrics) {
    this.config = config;
    this.dataDir = dataDir;
    this.runtime = runtime;
    this.auth = auth;
    this.database = database;
    this.clock = clock;
    this.uploads = uploads;
    this.sockets = new WebSocketProgressPublisher(runtime.jobs(), runtime.runRepository());
    this.metrics = metrics;
    metrics.watch(runtime, uploads, sockets::clientCount);
    this.api =
        new JobsApi(
            runtime.jobs(),
            runtime.engine().backends(),
            new JobJson(config.timezone(), runtime.engine().backends()));
  }

  /**
   * Loads the web stack's classes (Jetty, Javalin, Jackson) on a background thread, so that work
   * overlaps with opening and migrating the database on the main thread during start-up.
   */
  public static void preloadInBackground() {
    Thread t =
        new Thread(
            () -> {
              try {
                Json.write(java.util.Map.of("warm", java.time.Instant.EPOCH));
                Javalin.create(cfg -> cfg.showJavalinBanner = false).jettyServer().server();
                Class.forName("org.eclipse.jetty.websocket.server.JettyWebSocketServlet");
              } catch (Throwable ignored) {
                // only a warm-up: the real start-up loads whatever is missing
              }
            },
            "syncjobs-preload");
    t.setDaemon(true);
    t.start();
  }

  /** Starts everything; returns when the server accepts requests. */
  public SyncServer start() {
    try {
      return doStart();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private SyncServer doStart() {
    // With SQLite this server owns the data dir, so a run left running was the previous
    // process's. In cluster mode it may be a live instance's: only an expired lease ends it.
    if (config.dbUrl().startsWith("jdbc:sqlite:")) {
      int repaired = runtime.worker().repairInterrupted();
      if (repaired > 0) {
        log.info(
            "failed {} run(s) left running by the previous process as interrupted; resume runs"
                + " follow",
            repaired);
      }
    }
    replanSchedules();
    subscription = runtime.progress().subscribe(sockets::publish);
    runtime.start();
    app =
        Javalin.create(
            cfg -> {
              cfg.showJavalinBanner = false;
              cfg.startupWatcherEnabled = false;
              cfg.http.maxRequestSize = MAX_BODY_BYTES;
              cfg.http.prefer405over404 = true;
              cfg.staticFiles.add(
                  s -> {
                    s.hostedPath = "/";
                    s.directory = "/web";
                    s.location = Location.CLASSPATH;
                  });
              cfg.jetty.modifyServer(
                  server -> {
                    server.setStopTimeout(2000);
                    server.setErrorHandler(new ProblemErrorHandler());
                  });
              cfg.jetty.modifyServletContextHandler(
                  h -> h.setErrorHandler(new ProblemErrorHandler()));
            });
    Problems.register(app);
    routes(app);
    app.start(config.host(), config.port());
    uploadCleanup =
        uploads
            .cleanup()
            .daily(config.timezone(), UPLOAD_CLEANUP_AT, Duration.ofMinutes(1), log::info);
    dataDir.writePort(app.port());
    log.info(
        "syncjobs listening on http://{}:{} (data dir {}), ready {} ms after the JVM started",
        config.host(),
        app.port(),
        dataDir.root(),
        ManagementFactory.getRuntimeMXBean().getUptime());
    return this;
  }

  /** Plans the next occurrence of every enabled schedule that has none. */
  private void replanSchedules() {
    for (Job job : runtime.jobs().list()) {
      if (job.enabled() && job.nextRunAt() == null && !job.schedule().kind().equals("manual")) {
        try {
          runtime.jobs().update(job);
        } catch (SyncException e) {
          log.warn("cannot re-plan job {}: {}", job.name(), e.getMessage());
        }
      }
    }
  }

  private void routes(Javalin app) {
    app.before(
        ctx -> {
          ctx.header("X-Content-Type-Options", "nosniff");
          ctx.header("X-Frame-Options", "DENY");
          ctx.header("Referrer-Policy", "no-referrer");
          ctx.header(
              "Content-Security-Policy",
              "default-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'");
          ctx.header("Cache-Control", "no-store");
        });
    app.before(
        "/api/v1/*",
        ctx -> {
          boolean ws = ctx.path().startsWith("/api/v1/ws/");
          Auth.Role role = auth.require(ctx, ws);
          HandlerType m = ctx.method();
          if (role != Auth.Role.ADMIN && m != HandlerType.GET && m != HandlerType.HEAD) {
            throw ApiProblem.forbidden();
          }
        });
    // The WebSocket upgrade request passes through these handlers only, not through before().
    app.addHttpHandler(
        HandlerType.WEBSOCKET_BEFORE_UPGRADE,
        "/api/v1/ws/*",
        ctx -> {
          auth.require(ctx, true);
          String prefix = "/api/v1/ws/sync/";
          if (ctx.path().startsWith(prefix)) {
            runtime.jobs().get(Ids.job(ctx.path().substring(prefix.length())));
          }
        });
    app.before(
        "/metrics",
        ctx -> {
          if (!config.metricsPublic()) {
            auth.require(ctx, false);
          }
        });
    String jobs = "/api/v1/storage/sync-jobs";
    route(app, HandlerType.GET, "/api/v1/storage/backends", api::backends);
    route(app, HandlerType.GET, jobs, api::listJobs);
    route(app, HandlerType.POST, jobs, api::createJob);
    route(app, HandlerType.GET, jobs + "/{id}", api::getJob);
    route(app, HandlerType.PATCH, jobs + "/{id}", api::patchJob);
    route(app, HandlerType.DELETE, jobs + "/{id}", api::deleteJob);
    route(app, HandlerType.POST, jobs + "/{id}/run", api::runNow);
    route(app, HandlerType.POST, jobs + "/{id}/cancel", api::cancel);
    route(app, HandlerType.GET, jobs + "/{id}/history", api::history);
    route(app, HandlerType.GET, jobs + "/{id}/runs/{run_id}", api::run);
    route(app, HandlerType.GET, jobs + "/{id}/runs/{run_id}/log", api::log);
    route(app, HandlerType.GET, jobs + "/{id}/versions", api::versions);
    route(app, HandlerType.GET, "/api/v1/sync/bandwidth/limit", this::getBandwidth);
    route(app, HandlerType.PUT, "/api/v1/sync/bandwidth/limit", this::putBandwidth);
    UploadsApi.Routes add = (method, path, handler) -> route(app, method, path, handler);
    new UploadsApi(uploads).register(add);
    new TusApi(uploads, runtime.engine().backends()).register(add);
    route(app, HandlerType.GET, "/health", this::health);
    route(app, HandlerType.GET, "/metrics", this::metrics);
    app.ws("/api/v1/ws/sync", ws -> sockets.configure(ws, false));
    app.ws("/api/v1/ws/sync/{job_id}", ws -> sockets.configure(ws, true));
    routes.add(new Route("WS", "/api/v1/ws/sync"));
    routes.add(new Route("WS", "/api/v1/ws/sync/{job_id}"));
  }

  private void route(Javalin app, HandlerType method, String path, Handler handler) {
    app.addHttpHandler(method, path, handler);
    routes.add(new Route(method.name(), path));
  }

  private void getBandwidth(Context ctx) {
    JobsApi.data(ctx, 200, BandwidthJson.toJson(runtime.settings().bandwidth()), "ok");
  }

  private void putBandwidth(Context ctx) {
    BandwidthSettings v = runtime.bandwidth().replace(BandwidthJson.parse(Json.object(ctx)));
    JobsApi.data(ctx, 200, BandwidthJson.toJson(v), "bandwidth settings saved");
  }

  private void health(Context ctx) {
    String database;
    try {
      runtime.jobRepository().list();
      database = "ok";
    } catch (RuntimeException e) {
      database = "error: " + e.getMessage();
    }
    Instant tick = runtime.scheduler().lastTick();
    String scheduler =
        tick != null && Duration.between(tick, clock.instant()).abs().toSeconds() < 30
            ? "ok"
            : "stalled";
    Map<String, Object> backends = new LinkedHashMap<>();
    boolean backendsOk = true;
    for (StorageBackend b : runtime.engine().backends().all()) {
      boolean online = b.isOnline();
      backendsOk &= online;
      backends.put(b.name(), online ? "online" : "offline");
    }
    boolean ok = database.equals("ok") && scheduler.equals("ok") && backendsOk;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", ok ? "ok" : "degraded");
    body.put("database", database);
    body.put("scheduler", scheduler);
    body.put("backends", backends);
    // load balancers and orchestrators act on the status code, not the body
    ctx.status(ok ? 200 : 503).contentType("application/json").result(Json.write(body));
  }

  private void metrics(Context ctx) {
    ctx.status(200).contentType(metrics.contentType()).result(metrics.scrape());
  }

  /** The port the server listens on. */
  public int port() {
    return app.port();
  }

  /** Every HTTP and WebSocket route (what docs/api.md documents). */
  public List<Route> routes() {
    return List.copyOf(routes);
  }

  public SyncRuntime runtime() {
    return runtime;
  }

  public ServerConfig config() {
    return config;
  }

  /** The upload store the upload routes serve. */
  public Uploads uploads() {
    return uploads;
  }

  public WebSocketProgressPublisher sockets() {
    return sockets;
  }

  /** Stops firing, cancels active runs and records them, stops listening, closes the database. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (uploadCleanup != null) {
      try {
        uploadCleanup.close();
      } catch (Exception ignored) {
        // only stops a timer
      }
    }
    runtime.scheduler().close();
    runtime.worker().shutdown(Duration.ofSeconds(6));
    runtime.close();
    if (app != null) {
      app.stop();
    }
    if (subscription != null) {
      subscription.close();
    }
    try {
      database.close();
    } catch (Exception e) {
      log.warn("closing the database: {}", e.toString());
    }
    dataDir.close();
    log.info("syncjobs stopped");
  }
}
