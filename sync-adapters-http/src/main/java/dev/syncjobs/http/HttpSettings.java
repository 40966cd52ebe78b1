package dev.syncjobs.http;

import dev.syncjobs.core.model.DeniedNetworks;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Settings of an {@link HttpTransfer} that hold across runs, passed in by the application (the
 * adapter reads no environment variable; the server maps its {@code SYNCJOBS_*} variables here).
 *
 * @param connections files downloaded at once (default 4)
 * @param connectTimeout how long to wait for a TCP/TLS connection
 * @param maxRetries retries of one request after a network fault, 5xx or 429 (without progress)
 * @param retryBaseDelay first backoff delay; doubles per retry, with jitter, capped at 60 s
 * @param segmentThreshold files at least this large are fetched as parallel Range segments
 * @param segmentStreams parallel Range streams per large file
 * @param maxListingDepth directory levels crawled below the source URL
 * @param maxListingEntries entries in the whole listing before the run is refused
 * @param maxPageBytes size of one index page before the run is refused
 * @param deniedNetworks address ranges never connected to: every address a host resolves to is
 *     checked before each request, redirects included
 */
public record HttpSettings(
    int connections,
    Duration connectTimeout,
    int maxRetries,
    Duration retryBaseDelay,
    long segmentThreshold,
    int segmentStreams,
    int maxListingDepth,
    int maxListingEntries,
    int maxPageBytes,
    DeniedNetworks deniedNetworks) {

  public HttpSettings {
    if (connections < 1 || connections > 64) {
      throw new IllegalArgumentException("connections must be 1..64, got " + connections);
    }
    if (segmentStreams < 1 || segmentStreams > 16) {
      throw new IllegalArgumentException("segmentStreams must be 1..16, got " + segmentStreams);
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative");
    }
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(30) : connectTimeout;
    retryBaseDelay = retryBaseDelay == null ? Duration.ofMillis(500) : retryBaseDelay;
    deniedNetworks = deniedNetworks == null ? DeniedNetworks.DEFAULT : deniedNetworks;
  }

  /**
   * 4 connections, 5 retries, 64 MiB files split into 4 streams, link-local and metadata addresses
   * denied.
   */
  public static HttpSettings defaults() {
    return new HttpSettings(
        4,
        Duration.ofSeconds(30),
        5,
        Duration.ofMillis(500),
        64L << 20,
        4,
        32,
        1_000_000,
        32 << 20,
        DeniedNetworks.DEFAULT);
  }

  public HttpSettings withConnections(int n) {
    return with(d -> d.connections = n);
  }

  public HttpSettings withRetries(int retries, Duration baseDelay) {
    return with(
        d -> {
          d.maxRetries = retries;
          d.retryBaseDelay = baseDelay;
        });
  }

  public HttpSettings withSegments(long threshold, int streams) {
    return with(
        d -> {
          d.segmentThreshold = threshold;
          d.segmentStreams = streams;
        });
  }

  public HttpSettings withListingLimits(int depth, int entries, int pageBytes) {
    return with(
        d -> {
          d.maxListingDepth = depth;
          d.maxListingEntries = entries;
          d.maxPageBytes = pageBytes;
        });
  }

  public HttpSettings withDeniedNetworks(DeniedNetworks networks) {
    return with(d -> d.deniedNetworks = networks);
  }

  /** These settings with {@code change} applied to a copy of their values. */
  private HttpSettings with(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return d.settings();
  }

  /** The values of a {@link HttpSettings} being changed. */
  private static final class Draft {
    int connections;
    Duration connectTimeout;
    int maxRetries;
    Duration retryBaseDelay;
    long segmentThreshold;
    int segmentStreams;
    int maxListingDepth;
    int maxListingEntries;
    int maxPageBytes;
    DeniedNetworks deniedNetworks;

    Draft(HttpSettings s) {
      connections = s.connections;
      connectTimeout = s.connectTimeout;
      maxRetries = s.maxRetries;
      retryBaseDelay = s.retryBaseDelay;
      segmentThreshold = s.segmentThreshold;
      segmentStreams = s.segmentStreams;
      maxListingDepth = s.maxListingDepth;
      maxListingEntries = s.maxListingEntries;
      maxPageBytes = s.maxPageBytes;
      deniedNetworks = s.deniedNetworks;
    }

    HttpSettings settings() {
      return new HttpSettings(
          connections,
          connectTimeout,
          maxRetries,
          retryBaseDelay,
          segmentThreshold,
          segmentStreams,
          maxListingDepth,
          maxListingEntries,
          maxPageBytes,
          deniedNetworks);
    }
  }
}
