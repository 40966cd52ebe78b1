package dev.syncjobs.app.metrics;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.OccurrenceListener;
import dev.syncjobs.core.port.ProgressPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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

  private final Supplier<RunInstruments> instruments;
  private final LastSuccess lastSuccess;
  private final Clock clock;
  private final Map<RunId, Long> started = new ConcurrentHashMap<>();

  /**
   * @param instruments the counters and histograms, made when first needed (the server starts
   *     without loading the metrics library)
   */
  RunMetrics(Supplier<RunInstruments> instruments, LastSuccess lastSuccess, Clock clock) {
    this.instruments = instruments;
    this.lastSuccess = lastSuccess;
    this.clock = clock;
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
    RunInstruments m = instruments.get();
    m.runs.labelValues(status).inc();
    if (event.status() == RunStatus.SUCCESS) {
      lastSuccess.succeeded(event.jobId(), clock.instant());
    }
    Long t0 = started.remove(event.runId());
    if (t0 != null) {
      m.duration.labelValues(status).observe((System.nanoTime() - t0) / 1e9);
      m.bytes.inc(event.progress().bytesDone());
      m.files.inc(event.progress().filesDone());
    }
  }

  @Override
  public void fired(Job job, Instant due, Instant firedAt, boolean skipped) {
    RunInstruments m = instruments.get();
    if (due != null) {
      m.lag.observe(Math.max(0, Duration.between(due, firedAt).toNanos() / 1e9));
    }
    if (skipped) {
      m.runs.labelValues(label(RunStatus.SKIPPED)).inc();
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
