package dev.syncjobs.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MetricsTest {
  final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T03:00:00Z"));
  final JobId jobId = new JobId(UUID.randomUUID());

  static MetricSnapshot family(MetricSnapshots all, String name) {
    return all.stream()
        .filter(s -> s.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no family " + name));
  }

  static double counter(MetricSnapshots all, String name, String status) {
    return ((CounterSnapshot) family(all, name))
        .getDataPoints().stream()
            .filter(p -> status == null || status.equals(p.getLabels().get("status")))
            .findFirst()
            .orElseThrow()
            .getValue();
  }

  void run(RunStatus end, Progress progress, boolean seenStarting) {
    RunId id = new RunId(UUID.randomUUID());
    if (seenStarting) {
      metrics()
          .runs()
          .publish(new ProgressEvent(jobId, id, RunStatus.RUNNING, Progress.NONE, null));
      metrics().runs().publish(new ProgressEvent(jobId, id, RunStatus.RUNNING, progress, null));
    }
    metrics().runs().publish(new ProgressEvent(jobId, id, end, progress, null));
  }

  Metrics metrics;

  Metrics metrics() {
    return metrics;
  }

  @Test
  void counts_runs_by_status_and_what_the_runs_seen_starting_here_transferred() {
    metrics = new Metrics("node-1", clock);
    run(RunStatus.SUCCESS, new Progress(3, 3, 3000, 3000, null, 0), true);
    run(RunStatus.SUCCESS, new Progress(0, 0, 0, 0, null, 0), true);
    run(RunStatus.FAILED, new Progress(1, 4, 700, 4000, null, 0), true);
    // a run failed here whose start another instance saw (a lease that expired): counted, but
    // neither its duration nor its bytes are this instance's
    run(RunStatus.FAILED, new Progress(9, 9, 9000, 9000, null, 0), false);
    Job job =
        Job.builder(
                jobId,
                "nightly",
                Source.parse("file:///srv/nightly"),
                new Destination("default", "nightly"))
            .schedule(new Schedule.Hourly())
            .build();
    Instant due = Instant.parse("2026-11-23T04:00:00Z");
    metrics.runs().fired(job, due, due.plusMillis(1500), false);
    metrics.runs().fired(job, due.plusSeconds(3600), due.plusSeconds(3600).plusMillis(20), true);

    MetricSnapshots model = metrics.snapshot();
    assertThat(counter(model, "syncjobs_runs", "success")).isEqualTo(2);
    assertThat(counter(model, "syncjobs_runs", "failed")).isEqualTo(2);
    assertThat(counter(model, "syncjobs_runs", "skipped")).isEqualTo(1);
    assertThat(counter(model, "syncjobs_runs", "cancelled")).isZero();
    assertThat(counter(model, "syncjobs_bytes_transferred", null)).isEqualTo(3700);
    assertThat(counter(model, "syncjobs_files_transferred", null)).isEqualTo(4);
    HistogramSnapshot lag = (HistogramSnapshot) family(model, "syncjobs_scheduler_lag_seconds");
    assertThat(lag.getDataPoints().get(0).getCount()).isEqualTo(2);
    assertThat(lag.getDataPoints().get(0).getSum()).isCloseTo(1.52, within(1e-9));

    PrometheusText text =
        PrometheusText.parse(new String(metrics.scrape(), StandardCharsets.UTF_8));
    assertThat(text.type("syncjobs_run_duration_seconds")).isEqualTo("histogram");
    assertThat(text.value("syncjobs_runs_total", "instance", "node-1", "status", "success"))
        .isEqualTo(2);
    assertThat(text.value("syncjobs_runs_total", "instance", "node-1", "status", "skipped"))
        .isEqualTo(1);
    assertThat(
            text.value(
                "syncjobs_run_duration_seconds_count", "instance", "node-1", "status", "success"))
        .isEqualTo(2);
    assertThat(
            text.value(
                "syncjobs_run_duration_seconds_count", "instance", "node-1", "status", "failed"))
        .isEqualTo(1);
    assertThat(text.value("syncjobs_bytes_transferred_total", "instance", "node-1"))
        .isEqualTo(3700);
    assertThat(
            text.value("syncjobs_scheduler_lag_seconds_bucket", "instance", "node-1", "le", "1.0"))
        .isEqualTo(1);
    assertThat(
            text.value("syncjobs_scheduler_lag_seconds_bucket", "instance", "node-1", "le", "2.5"))
        .isEqualTo(2);
    assertThat(text.samples())
        .allSatisfy(s -> assertThat(s.labels()).containsEntry("instance", "node-1"));
    assertThat(text.samples()).anySatisfy(s -> assertThat(s.name()).startsWith("jvm_memory"));
    assertThat(text.samples()).anySatisfy(s -> assertThat(s.name()).startsWith("jvm_threads"));
  }

  @Test
  void one_server_has_no_instance_label() {
    metrics = new Metrics(null, clock);
    run(RunStatus.CANCELLED, new Progress(1, 2, 10, 20, null, 0), true);
    PrometheusText text =
        PrometheusText.parse(new String(metrics.scrape(), StandardCharsets.UTF_8));
    assertThat(text.value("syncjobs_runs_total", "status", "cancelled")).isEqualTo(1);
    assertThat(text.value("syncjobs_bytes_transferred_total")).isEqualTo(10);
    assertThat(text.samples()).noneSatisfy(s -> assertThat(s.labels()).containsKey("instance"));
  }
}
