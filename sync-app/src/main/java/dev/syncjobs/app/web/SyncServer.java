package dev.syncjobs.app.web;

import dev.syncjobs.app.config.DataDir;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.metrics.Metrics;
import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.upload.Uploads;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundled server: REST API, WebSocket progress, web page, health and metrics on one port. It
 * starts Javalin, installs the security headers and the authorisation filters, registers the routes
 * of every {@link RouteGroup} (the handler classes, built by the Dagger component) and {@code
 * /metrics}, and closes; {@link EngineLifecycle} brings the engine up before the server listens and
 * down when it closes, within 10 seconds.
 */
public final class SyncServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncServer.class);

  /** Largest accepted request body. */
  public static final long MAX_BODY_BYTES = 1024 * 1024;

  /** Local time (in {@code SYNCJOBS_TIMEZONE}) from which the daily upload clean-up runs. */
  public static final java.time.LocalTime UPLOAD_CLEANUP_AT = EngineLifecycle.UPLOAD_CLEANUP_AT;

  /** One HTTP route (for the route list that docs/api.md must match). */
  public record Route(String method, String path) {}

  private final ServerConfig config;
  private final DataDir dataDir;
  private final SyncRuntime runtime;
  private final Auth auth;
  private final EngineLifecycle engine;
  private final Set<RouteGroup> groups;
  private final WebSocketProgressPublisher sockets;
  private final Uploads uploads;
  private final AuditTrail audit;
  private final AutoCloseable notifier;
  private final Metrics metrics;
  private Javalin app;
  private List<Route> routes = List.of();
  private volatile boolean closed;

  public SyncServer(
      ServerConfig config,
      DataDir dataDir,
      SyncRuntime runtime,
      Auth auth,
      EngineLifecycle engine,
      Set<RouteGroup> groups,
      WebSocketProgressPublisher sockets,
      Uploads uploads,
      AuditTrail audit,
      AutoCloseable notifier,
      Metrics metrics) {
    this.config = config;
    this.dataDir = dataDir;
    this.runtime = runtime;
    this.auth = auth;
    this.engine = engine;
    this.groups = groups;
    this.sockets = sockets;
    this.uploads = uploads;
    this.audit = audit;
    this.notifier = notifier;
    this.metrics = metrics;
    metrics.watch(runtime, uploads, sockets::clientCount);
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
    engine.start();
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
              cfg.staticFiles.enableWebjars(); // Swagger UI at /api/docs, uPlot on a job's page
              cfg.jetty.modifyServer(
                  server -> {
                    server.setStopTimeout(2000);
                    server.setErrorHandler(new ProblemErrorHandler());
                  });
              cfg.jetty.modifyServletContextHandler(
                  h -> h.setErrorHandler(new ProblemErrorHandler()));
            });
    Problems.register(app);
    filters(app);
    Routes table = new Routes(app, audit);
    routes(table);
    routes = table.list();
    app.start(config.host(), config.port());
    engine.startUploadCleanup();
    dataDir.writePort(app.port());
    log.info(
        "syncjobs listening on http://{}:{} (data dir {}), ready {} ms after the JVM started",
        config.host(),
        app.port(),
        dataDir.root(),
        ManagementFactory.getRuntimeMXBean().getUptime());
    return this;
  }

  /** Security headers on every response, and who may call what. */
  private void filters(Javalin app) {
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
  }

  /** Every route the server serves: each group's, and the metrics. */
  private void routes(Routes r) {
    groups.forEach(g -> g.register(r));
    r.add(HandlerType.GET, "/metrics", this::metrics);
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
    return routes;
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
    engine.stop();
    try {
      notifier.close(); // after the engine: the runs' last events are queued by then
    } catch (Exception e) {
      log.warn("stopping notifications: {}", e.toString());
    }
    if (app != null) {
      try {
        app.stop();
      } catch (RuntimeException e) {
        // Jetty has stopped once its grace period is over: a request still open then (a chunk
        // whose body stopped arriving) must not keep the engine and the database from closing.
        log.warn("the web server did not stop gracefully: {}", e.toString());
      }
    }
    engine.close();
    dataDir.close();
    log.info("syncjobs stopped");
  }
}
