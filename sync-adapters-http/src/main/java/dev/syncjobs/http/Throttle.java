package dev.syncjobs.http;

import dev.syncjobs.core.model.CancelledException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The bandwidth limits one stream obeys: the run's own bucket (the job's limit, shared by all its
 * streams) and the transfer-wide bucket (the global limit, shared by all runs, only inside its
 * time-of-day window).
 */
final class Throttle {
  private final TokenBucket run;
  private final GlobalLimit global;

  Throttle(TokenBucket run, GlobalLimit global) {
    this.run = run;
    this.global = global;
  }

  /** Blocks until {@code bytes} may pass; returns early by throwing when cancelled. */
  void acquire(long bytes, BooleanSupplier stopped) {
    long wait = run == null ? 0 : run.reserve(bytes);
    TokenBucket g = global.current();
    if (g != null) {
      wait = Math.max(wait, g.reserve(bytes));
    }
    long deadline = System.nanoTime() + wait;
    while (wait > 0) {
      if (stopped.getAsBoolean()) {
        throw new CancelledException();
      }
      LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(200)));
      wait = deadline - System.nanoTime();
    }
  }

  /** The global limit: one bucket whose rate follows the window, or none outside it. */
  static final class GlobalLimit {
    private volatile BandwidthWindow window;
    private final Clock clock;
    private TokenBucket bucket;

    GlobalLimit(BandwidthWindow window, Clock clock) {
      this.window = window;
      this.clock = clock;
    }

    void update(BandwidthWindow w) {
      this.window = w;
    }

    synchronized TokenBucket current() {
      Long limit = window.limitAt(clock);
      if (limit == null) {
        return null;
      }
      if (bucket == null) {
        bucket = new TokenBucket(limit, System::nanoTime);
      } else if (bucket.rate() != limit) {
        bucket.setRate(limit);
      }
      return bucket;
    }
  }
}
