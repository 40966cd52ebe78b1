package dev.syncjobs.app.metrics;

import dev.syncjobs.core.service.SyncRuntime;
import dev.syncjobs.core.upload.Uploads;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.function.IntSupplier;

/**
 * The server's Prometheus metrics, kept in a registry of their own (not the client's global one, so
 * two servers in one JVM do not mix): JVM metrics, what runs and the scheduler did ({@link
 * #runs()}), and the server's state read at each scrape ({@link #watch}). In cluster mode every
 * metric carries an {@code instance} label with the instance id.
 */
public final class Metrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Labels constLabels;
  private final LastSuccess lastSuccess = new LastSuccess();
  private final RunMetrics runs;
  private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
  private boolean watching;
  private boolean jvm;

  /**
   * @param instance the instance id for the {@code instance} label, or null for none (one server)
   * @param clock the time a success is recorded at
   */
  public Metrics(String instance, Clock clock) {
    this.constLabels = instance == null ? Labels.EMPTY : Labels.of("instance", instance);
    this.runs = new RunMetrics(registry, constLabels, lastSuccess, clock);
  }

  /**
   * Where the run and scheduler counters are fed: give it this instance's own progress events (not
   * those relayed from other instances) and register it with the scheduler.
   */
  public RunMetrics runs() {
    return runs;
  }

  /** Adds the gauges read from the running server at each scrape (once). */
  public synchronized void watch(
      SyncRuntime runtime, Uploads uploads, IntSupplier webSocketClients) {
    if (watching) {
      return;
    }
    watching = true;
    ServerGauges.register(registry, constLabels, runtime, uploads, webSocketClients, lastSuccess);
  }

  /** Every metric now, as the client's model. */
  public MetricSnapshots snapshot() {
    registerJvmMetrics();
    return registry.scrape();
  }

  /**
   * The JVM metrics are registered at the first scrape, not at construction: registering them reads
   * every platform MXBean, which would lengthen the server's start-up by a good part of a second on
   * a small machine.
   */
  private synchronized void registerJvmMetrics() {
    if (!jvm) {
      jvm = true;
      JvmMetrics.builder().constLabels(constLabels).register(registry);
    }
  }

  /** The content type of {@link #scrape()}. */
  public String contentType() {
    return text.getContentType();
  }

  /** Every metric now, in the Prometheus text format. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      text.write(out, snapshot());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
