package dev.syncjobs.app.metrics;

import dev.syncjobs.core.SyncRuntime;
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
 *
 * <p>The registry and its metrics are made at the first scrape or the first run event, not when the
 * server starts: loading the metrics library and reading every platform MXBean for the JVM metrics
 * would lengthen the start-up by up to a second on a small, busy machine.
 */
public final class Metrics {
  private final String instance;
  private final LastSuccess lastSuccess = new LastSuccess();
  private final RunMetrics runs;
  private Registered registered;
  private Watched watched;

  private record Watched(SyncRuntime runtime, Uploads uploads, IntSupplier webSocketClients) {}

  /** The registry with every metric in it. */
  private static final class Registered {
    final PrometheusRegistry registry = new PrometheusRegistry();
    final Labels constLabels;
    final RunInstruments instruments;
    final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
    boolean gauges;

    Registered(String instance) {
      constLabels = instance == null ? Labels.EMPTY : Labels.of("instance", instance);
      instruments = new RunInstruments(registry, constLabels);
      JvmMetrics.builder().constLabels(constLabels).register(registry);
    }
  }

  /**
   * @param instance the instance id for the {@code instance} label, or null for none (one server)
   * @param clock the time a success is recorded at
   */
  public Metrics(String instance, Clock clock) {
    this.instance = instance;
    this.runs = new RunMetrics(() -> registered().instruments, lastSuccess, clock);
  }

  private synchronized Registered registered() {
    if (registered == null) {
      registered = new Registered(instance);
    }
    if (watched != null && !registered.gauges) {
      registered.gauges = true;
      ServerGauges.register(
          registered.registry,
          registered.constLabels,
          watched.runtime(),
          watched.uploads(),
          watched.webSocketClients(),
          lastSuccess);
    }
    return registered;
  }

  /**
   * Where the run and scheduler counters are fed: give it this instance's own progress events (not
   * those relayed from other instances) and register it with the scheduler.
   */
  public RunMetrics runs() {
    return runs;
  }

  /** Adds the gauges read from the running server at each scrape (the first call counts). */
  public synchronized void watch(
      SyncRuntime runtime, Uploads uploads, IntSupplier webSocketClients) {
    if (watched == null) {
      watched = new Watched(runtime, uploads, webSocketClients);
    }
  }

  /** Every metric now, as the client's model. */
  public MetricSnapshots snapshot() {
    return registered().registry.scrape();
  }

  /** The content type of {@link #scrape()}. */
  public String contentType() {
    return registered().text.getContentType();
  }

  /** Every metric now, in the Prometheus text format. */
  public byte[] scrape() {
    Registered r = registered();
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      r.text.write(out, r.registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
