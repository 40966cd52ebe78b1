package dev.syncjobs.http;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.DiskFullException;
import dev.syncjobs.core.model.TransferException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Retries with exponential backoff and jitter on connection faults, timeouts, 5xx and 429
 * (honouring Retry-After); never on a full disk.
 */
final class Retry {
  static final Duration MAX_DELAY = Duration.ofSeconds(60);
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

  private final int maxRetries;
  private final Duration base;
  private final CancellationToken cancel;
  private final Consumer<String> log;

  Retry(int maxRetries, Duration base, CancellationToken cancel, Consumer<String> log) {
    this.maxRetries = maxRetries;
    this.base = base;
    this.cancel = cancel;
    this.log = log;
  }

  int maxRetries() {
    return maxRetries;
  }

  /** A call that may fail with an {@link IOException}. */
  @FunctionalInterface
  interface IoCall<T> {
    T call() throws IOException;
  }

  static boolean retryable(IOException e) {
    if (DiskFullException.isDiskFull(e)) {
      return false; // the same bytes would not fit on the next try either
    }
    if (e instanceof HttpFetcher.StatusException s) {
      return s.retryable();
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLHandshakeException
          || t instanceof javax.net.ssl.SSLPeerUnverifiedException
          || t instanceof java.security.cert.CertificateException) {
        return false;
      }
    }
    return !(e instanceof HttpFetcher.RefusedRedirectException
        || e instanceof Downloader.VanishedException);
  }

  /** Runs {@code call}, retrying what may pass on a later try; {@code what} names it in errors. */
  <T> T call(String what, IoCall<T> call) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (IOException e) {
        if (!retryable(e) || attempt > maxRetries) {
          throw e;
        }
        Duration d = delay(attempt, e);
        log.accept(
            "retry "
                + attempt
                + "/"
                + maxRetries
                + " of "
                + what
                + " in "
                + d.toMillis()
                + " ms: "
                + e.getMessage());
        pause(d);
      }
    }
  }

  /** The wait before retry number {@code attempt} (1-based) after {@code e}. */
  Duration delay(int attempt, IOException e) {
    if (e instanceof HttpFetcher.StatusException s && s.retryAfter != null) {
      return s.retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : s.retryAfter;
    }
    return backoff(attempt);
  }

  Duration backoff(int attempt) {
    double exp = base.toMillis() * Math.pow(2, Math.min(attempt - 1, 20));
    double jittered = exp * (0.5 + ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis((long) Math.min(jittered, MAX_DELAY.toMillis()));
  }

  /** Waits, returning early by throwing when the run is cancelled. */
  void pause(Duration d) {
    long deadline = System.nanoTime() + d.toNanos();
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      if (cancel.isCancelled()) {
        throw new CancelledException();
      }
      LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
    }
    if (cancel.isCancelled()) {
      throw new CancelledException();
    }
  }

  static TransferException failure(String what, IOException e) {
    if (DiskFullException.isDiskFull(e)) {
      return new DiskFullException(what + ": " + e.getMessage(), e);
    }
    boolean again = retryable(e);
    if (e instanceof HttpFetcher.StatusException s
        && (s.status == 401 || s.status == 403 || s.status == 404 || s.status == 410)) {
      again = false;
    }
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new TransferException(what + ": " + msg, again, e);
  }
}
