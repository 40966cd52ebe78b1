package dev.syncjobs.core.progress;

import java.time.Duration;
import java.util.function.LongSupplier;

/** Lets an event through at most once per interval (first one always passes). Thread-safe. */
public final class ProgressThrottle {
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private long last;
  private boolean first = true;

  /** Measures with a monotonic nanosecond source (not the domain clock: this is a rate limit). */
  public ProgressThrottle(LongSupplier nanoTime, Duration interval) {
    this.nanoTime = nanoTime;
    this.intervalNanos = interval.toNanos();
  }

  /** A throttle whose first event waits a whole interval too (nothing for very short runs). */
  public static ProgressThrottle skippingFirst(LongSupplier nanoTime, Duration interval) {
    ProgressThrottle t = new ProgressThrottle(nanoTime, interval);
    t.first = false;
    t.last = nanoTime.getAsLong();
    return t;
  }

  public synchronized boolean allow() {
    long now = nanoTime.getAsLong();
    if (first || now - last >= intervalNanos) {
      first = false;
      last = now;
      return true;
    }
    return false;
  }
}
