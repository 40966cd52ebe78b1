package dev.syncjobs.app.web;

import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.schedule.Scheduler;
import dev.syncjobs.core.version.StorageBackends;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /health}: the database answers, the scheduler ticked within 30 seconds, every backend
 * is online. 200 when all hold, else 503 with the same body.
 */
public final class HealthApi implements RouteGroup {
  private final JobRepository jobs;
  private final Scheduler scheduler;
  private final StorageBackends backends;
  private final Clock clock;

  public HealthApi(JobRepository jobs, Scheduler scheduler, StorageBackends backends, Clock clock) {
    this.jobs = jobs;
    this.scheduler = scheduler;
    this.backends = backends;
    this.clock = clock;
  }

  @Override
  public void register(Routes r) {
    r.add(HandlerType.GET, "/health", this::health);
  }

  void health(Context ctx) {
    String database;
    try {
      // one indexed row: a probe that the database answers, whatever the number of jobs
      jobs.nextDueAt();
      database = "ok";
    } catch (RuntimeException e) {
      database = "error: " + e.getMessage();
    }
    Instant tick = scheduler.lastTick();
    String schedulerState =
        tick != null && Duration.between(tick, clock.instant()).abs().toSeconds() < 30
            ? "ok"
            : "stalled";
    Map<String, Object> online = new LinkedHashMap<>();
    boolean backendsOk = true;
    for (StorageBackend b : backends.all()) {
      boolean up = b.isOnline();
      backendsOk &= up;
      online.put(b.name(), up ? "online" : "offline");
    }
    boolean ok = database.equals("ok") && schedulerState.equals("ok") && backendsOk;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", ok ? "ok" : "degraded");
    body.put("database", database);
    body.put("scheduler", schedulerState);
    body.put("backends", online);
    // load balancers and orchestrators act on the status code, not the body
    ctx.status(ok ? 200 : 503).contentType("application/json").result(Json.write(body));
  }
}
