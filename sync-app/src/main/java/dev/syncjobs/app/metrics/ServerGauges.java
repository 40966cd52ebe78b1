package dev.syncjobs.app.metrics;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.upload.Uploads;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's state, read when {@code /metrics} is scraped: jobs by status, runs executing here,
 * backends, WebSocket clients, upload bytes and each job's last success. A reading that fails (the
 * database does not answer) leaves its metric out of that scrape rather than failing the scrape.
 */
final class ServerGauges {
  private static final Logger log = LoggerFactory.getLogger(ServerGauges.class);

  private ServerGauges() {}

  static void register(
      PrometheusRegistry registry,
      Labels constLabels,
      SyncRuntime runtime,
      Uploads uploads,
      IntSupplier webSocketClients,
      LastSuccess lastSuccess) {
    GaugeWithCallback.builder()
        .name("syncjobs_jobs")
        .help("Sync jobs by the status their last run left (shared by all instances).")
        .labelNames("status")
        .constLabels(constLabels)
        .callback(
            cb ->
                read(
                    "syncjobs_jobs",
                    () -> {
                      Map<JobStatus, Integer> counts = new EnumMap<>(JobStatus.class);
                      for (JobStatus s : JobStatus.values()) {
                        counts.put(s, 0);
                      }
                      for (Job j : runtime.jobs().list()) {
                        counts.merge(j.status(), 1, Integer::sum);
                      }
                      counts.forEach((s, n) -> cb.call(n, RunMetrics.label(s)));
                    }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("syncjobs_active_runs")
        .help("Runs executing on this instance now.")
        .constLabels(constLabels)
        .callback(cb -> cb.call(runtime.worker().activeCount()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("syncjobs_backend_online")
        .help("1 when the storage backend is online (root there, writable, marker present).")
        .labelNames("backend")
        .constLabels(constLabels)
        .callback(
            cb -> {
              for (StorageBackend b : runtime.engine().backends().all()) {
                cb.call(b.isOnline() ? 1 : 0, b.name());
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("syncjobs_backend_free_bytes")
        .help("Free bytes on the storage backend (0 while it is offline).")
        .labelNames("backend")
        .constLabels(constLabels)
        .callback(
            cb -> {
              for (StorageBackend b : runtime.engine().backends().all()) {
                cb.call(b.isOnline() ? b.freeBytes() : 0, b.name());
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("syncjobs_websocket_clients")
        .help("Progress clients connected to this instance.")
        .constLabels(constLabels)
        .callback(cb -> cb.call(webSocketClients.getAsInt()))
        .register(registry);
    CounterWithCallback.builder()
        .name("syncjobs_upload_bytes_total")
        .help("Upload bytes this instance received, verified and stored.")
        .constLabels(constLabels)
        .callback(cb -> cb.call(uploads.bytesStored()))
        .register(registry);
    lastSuccess.readHistoryFrom(runtime.runRepository());
    GaugeWithCallback.builder()
        .name("syncjobs_last_success_timestamp_seconds")
        .help(
            "When the job's last run succeeded, in seconds since the epoch (its creation while"
                + " it never succeeded).")
        .labelNames("job")
        .constLabels(constLabels)
        .callback(
            cb ->
                read(
                    "syncjobs_last_success_timestamp_seconds",
                    () -> {
                      List<Job> jobs = runtime.jobs().list();
                      Set<JobId> ids = new HashSet<>();
                      for (Job j : jobs) {
                        ids.add(j.id());
                        Instant at = lastSuccess.of(j);
                        if (at != null) {
                          cb.call(at.toEpochMilli() / 1000.0, j.name());
                        }
                      }
                      lastSuccess.retain(ids);
                    }))
        .register(registry);
  }

  private static void read(String metric, Runnable reading) {
    try {
      reading.run();
    } catch (RuntimeException e) {
      log.warn("metrics: {} left out of this scrape: {}", metric, e.toString());
    }
  }
}
