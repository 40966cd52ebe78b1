package dev.syncjobs.app.metrics;

import dev.syncjobs.core.model.RunStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;

/** The counters and histograms {@link RunMetrics} feeds, registered in one registry. */
final class RunInstruments {
  final Counter runs;
  final Histogram duration;
  final Counter bytes;
  final Counter files;
  final Histogram lag;

  RunInstruments(PrometheusRegistry registry, Labels constLabels) {
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
    // every status from the start, so rate() and increase() see the first run of each
    for (RunStatus s : RunStatus.values()) {
      if (s.isTerminal()) {
        runs.labelValues(RunMetrics.label(s));
        if (s != RunStatus.SKIPPED) {
          duration.labelValues(RunMetrics.label(s));
        }
      }
    }
  }
}
