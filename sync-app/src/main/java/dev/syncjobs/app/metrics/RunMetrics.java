package dev.syncjobs.app.metrics;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.OccurrenceListener;
import dev.syncjobs.core.port.ProgressPublisher;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts what the runs of this instance did, from their progress events (the local ones only: it is
 * given the events this instance publishes, not those that arrive from other instances, so in
 * cluster mode each run is counted once, by the instance that ran or ended it), and what the
 * scheduler fired: the occurrences recorded skipped and the scheduler's lag.
 */
public final class RunMetrics implements ProgressPublisher, OccurrenceListener {
  /** Runs seen starting whose end was never seen (a lost lease) are dropped after this. */
  private static final Duration FORGET_AFTER = Duration.ofDays(2);

  private static final int CHECK_FORGOTTEN_ABOVE = 10_000;

  private final Counter runs;
  private final Histogram duration;
  private final Counter bytes;
  private final Counter files;
  private final Histogram lag;
  private final LastSuccess lastSuccess;
  private final Clock clock;
  private final Map<RunId, Long> started = new ConcurrentHashMap<>();

  RunMetrics(
      PrometheusRegistry registry, Labels constLabels, LastSuccess lastSuccess, Clock clock) {
    this.lastSuccess = lastSuccess;
    this.clock = clock;
    this.runs =
        Counter.builder()
            .name("syncjobs_runs_total")
            .help(
                "Runs that ended, by final status (skipped: an occurrence due while the job's"
                    + " previous run was still active).")
            .labelNames("status")
            .constLabels(constLabels)
            .register(registry);
    this.duration =
        Histogram.builder()
            .name("syncjobs_run_duration_seconds")
            .help("How long runs executed on this instance took, from start to end, by status.")
            .labelNames("status")
            .classicOnly()
            .classicUpperBounds(
                1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400)
            .constLabels(constLabels)
            .register(registry);
    this.bytes =
        Counter.builder()
            .name("syncjobs_bytes_transferred_total")
            .help(
                "Bytes runs of this instance transferred (unchanged files that were linked are"
                    + " not counted).")
            .constLabels(constLabels)
            .register(registry);
    this.files =
        Counter.builder()
            .name("syncjobs_files_transferred_total")
            .help(
                "Files runs of this instance transferred (unchanged files that were linked are"
                    + " not counted).")
            .constLabels(constLabels)
            .register(registry);
    this.lag =
        Histogram.builder()
            .name("syncjobs_scheduler_lag_seconds")
            .help("How late scheduled occurrences fired: the time of firing minus the time due.")
            .classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600)
            .constLabels(constLabels)
            .register(registry);
    for (RunStatus s : RunStatus.values()) {
      if (s.isTerminal()) {
        runs.labelValues(label(s));
        if (s != RunStatus.SKIPPED) {
          duration.labelValues(label(s));
        }
      }
    }
  }

  @Override
  public void publish(ProgressEvent event) {
    if (event.status() == RunStatus.RUNNING) {
      if (started.putIfAbsent(event.runId(), System.nanoTime()) == null
          && started.size() > CHECK_FORGOTTEN_ABOVE) {
        forgetLost();
      }
      return;
    }
    if (!event.isFinal()) {
      return;
    }
    String status = label(event.status());
    runs.labelValues(status).inc();
    if (event.status() == RunStatus.SUCCESS) {
      lastSuccess.succeeded(event.jobId(), clock.instant());
    }
    Long t0 = started.remove(event.runId());
    if (t0 != null) {
      duration.labelValues(status).observe((System.nanoTime() - t0) / 1e9);
      bytes.inc(event.progress().bytesDone());
      files.inc(event.progress().filesDone());
    }
  }

  @Override
  public void fired(Job job, Instant due, Instant firedAt, boolean skipped) {
    if (due != null) {
      lag.observe(Math.max(0, Duration.between(due, firedAt).toNanos() / 1e9));
    }
    if (skipped) {
      runs.labelValues(label(RunStatus.SKIPPED)).inc();
    }
  }

  private void forgetLost() {
    long cutoff = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(FORGET_AFTER.toMillis());
    started.values().removeIf(t0 -> t0 - cutoff < 0);
  }

  static String label(Enum<?> status) {
    return status.name().toLowerCase(Locale.ROOT);
  }
}
