package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.job.SyncJobs;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.version.StorageBackends;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Handlers of the storage backend and sync job routes. */
public final class JobsApi implements RouteGroup {
  private static final Logger log = LoggerFactory.getLogger(JobsApi.class);

  /** How many of a job's newest runs its average duration is taken over. */
  private static final int AVERAGED_RUNS = 20;

  private final SyncJobs jobs;
  private final StorageBackends backends;
  private final JobJson json;

  public JobsApi(SyncJobs jobs, StorageBackends backends, JobJson json) {
    this.jobs = jobs;
    this.backends = backends;
    this.json = json;
  }

  @Override
  public void register(Routes r) {
    String jobs = "/api/v1/storage/sync-jobs";
    r.add(HandlerType.GET, "/api/v1/storage/backends", this::backends);
    r.add(HandlerType.GET, jobs, this::listJobs);
    r.add(HandlerType.POST, jobs, this::createJob);
    r.add(HandlerType.GET, jobs + "/{id}", this::getJob);
    r.add(HandlerType.PATCH, jobs + "/{id}", this::patchJob);
    r.add(HandlerType.DELETE, jobs + "/{id}", this::deleteJob);
    r.add(HandlerType.POST, jobs + "/{id}/run", this::runNow);
    r.add(HandlerType.POST, jobs + "/{id}/cancel", this::cancel);
    r.add(HandlerType.GET, jobs + "/{id}/history", this::history);
    r.add(HandlerType.GET, jobs + "/{id}/runs/{run_id}", this::run);
    r.add(HandlerType.GET, jobs + "/{id}/runs/{run_id}/log", this::log);
    r.add(HandlerType.GET, jobs + "/{id}/versions", this::versions);
  }

  static void data(Context ctx, int status, Object data, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", data);
    body.put("message", message);
    ctx.status(status).contentType("application/json").result(Json.bytes(body));
  }

  static void list(Context ctx, List<?> data, long total) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", data);
    body.put("total", total);
    ctx.status(200).contentType("application/json").result(Json.bytes(body));
  }

  void backends(Context ctx) {
    List<Map<String, Object>> out =
        backends.all().stream()
            .map(
                b -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("id", b.name());
                  m.put("name", b.name());
                  m.put("mount_point", b.root().toString());
                  boolean online = b.isOnline();
                  m.put("status", online ? "online" : "offline");
                  m.put("free_bytes", online ? b.freeBytes() : 0L);
                  m.put("used_bytes", online ? b.usedBytes() : 0L);
                  m.put("total_bytes", online ? b.totalBytes() : 0L);
                  return m;
                })
            .toList();
    list(ctx, out, out.size());
  }

  void listJobs(Context ctx) {
    String status = ctx.queryParam("status");
    JobStatus wanted = null;
    if (status != null && !status.isEmpty()) {
      try {
        wanted = JobStatus.valueOf(status.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException("status", "must be idle, running, synced or failed");
      }
    }
    String backend = ctx.queryParam("backend_id");
    JobStatus w = wanted;
    Map<JobId, Duration> averages = jobs.averageSuccessDuration(AVERAGED_RUNS);
    List<Job> out =
        jobs.list().stream()
            .filter(j -> w == null || j.status() == w)
            .filter(
                j ->
                    backend == null
                        || backend.isEmpty()
                        || j.destination().backendId().equals(backend))
            .toList();
    ctx.status(200).contentType("application/json");
    try {
      JsonStream.list(
          ctx.outputStream(),
          out,
          out.size(),
          (j, fields) -> JobView.fields(j, backendName(j), seconds(averages.get(j.id())), fields));
    } catch (UncheckedIOException e) {
      // The jobs are in memory: only writing to the client fails, when it leaves before the end
      // of an answer already begun. There is no one to answer, and nothing went wrong here.
      log.debug("GET {}: the client left before the end of the list: {}", ctx.path(), e);
    }
  }

  private Map<String, Object> view(Job j) {
    return view(j, averageDuration(j.id()));
  }

  private Map<String, Object> view(Job j, Duration average) {
    return JobView.write(j, backendName(j), seconds(average));
  }

  private String backendName(Job j) {
    return backends.find(j.destination().backendId()).map(StorageBackend::name).orElse(null);
  }

  private static Double seconds(Duration average) {
    return average == null ? null : Math.round(average.toMillis() / 100.0) / 10.0;
  }

  /** One job's: the list reads every job's at once ({@link SyncJobs#averageSuccessDuration}). */
  private Duration averageDuration(JobId id) {
    OptionalDouble avg =
        jobs.history(id, AVERAGED_RUNS, 0).stream()
            .filter(
                r ->
                    r.status() == RunStatus.SUCCESS
                        && r.startedAt() != null
                        && r.completedAt() != null)
            .mapToLong(r -> Duration.between(r.startedAt(), r.completedAt()).toMillis())
            .average();
    return avg.isPresent() ? Duration.ofMillis(Math.round(avg.getAsDouble())) : null;
  }

  void getJob(Context ctx) {
    data(ctx, 200, view(jobs.get(Ids.job(ctx.pathParam("id")))), "ok");
  }

  void createJob(Context ctx) {
    ObjectNode body = Json.object(ctx);
    Job created = jobs.create(json.create(body, jobs.newId()));
    data(ctx, 201, view(created), "job created");
  }

  void patchJob(Context ctx) {
    JobId id = Ids.job(ctx.pathParam("id"));
    ObjectNode body = Json.object(ctx);
    Job updated = jobs.update(json.patch(jobs.get(id), body));
    data(ctx, 200, view(updated), "job updated");
  }

  void deleteJob(Context ctx) {
    JobId id = Ids.job(ctx.pathParam("id"));
    jobs.delete(id);
    data(ctx, 200, Map.of("id", id.value().toString()), "job deleted; its synced data stays");
  }

  void runNow(Context ctx) {
    Run run = jobs.runNow(Ids.job(ctx.pathParam("id")));
    data(ctx, 202, RunJson.run(run), "run queued");
  }

  void cancel(Context ctx) {
    boolean cancelled = jobs.cancel(Ids.job(ctx.pathParam("id")));
    data(ctx, 200, Map.of("cancelled", cancelled), cancelled ? "cancel requested" : "not running");
  }

  void history(Context ctx) {
    JobId id = Ids.job(ctx.pathParam("id"));
    int limit = intParam(ctx, "limit", 20);
    int offset = intParam(ctx, "offset", 0);
    List<Map<String, Object>> out =
        jobs.history(id, limit, offset).stream().map(RunJson::run).toList();
    list(ctx, out, jobs.historyCount(id));
  }

  void run(Context ctx) {
    Run run = jobs.run(Ids.job(ctx.pathParam("id")), Ids.run(ctx.pathParam("run_id")));
    data(ctx, 200, RunJson.run(run), "ok");
  }

  void log(Context ctx) {
    String log = jobs.log(Ids.job(ctx.pathParam("id")), Ids.run(ctx.pathParam("run_id")));
    ctx.status(200).contentType("text/plain; charset=utf-8").result(log);
  }

  void versions(Context ctx) {
    List<Map<String, Object>> out =
        jobs.versions(Ids.job(ctx.pathParam("id"))).stream().map(RunJson::version).toList();
    list(ctx, out, out.size());
  }

  private static int intParam(Context ctx, String name, int fallback) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number");
    }
  }
}
