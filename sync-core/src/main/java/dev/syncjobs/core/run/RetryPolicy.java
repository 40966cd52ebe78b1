package dev.syncjobs.core.run;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a retry waits: {@code base × 2^attempt}, with ±20% jitter so that runs failing together
 * (a source down for everyone) do not retry together.
 */
record RetryPolicy(Duration base) {

  /** The back-off before the retry that follows attempt {@code attempt} (0 for the first run). */
  Duration delay(int attempt) {
    long millis = base.toMillis() << Math.min(attempt, 16);
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis((long) (millis * jitter));
  }
}
