package dev.syncjobs.core.model;

import java.time.Duration;

/** Too many manual runs of one job in a short time (HTTP 429 with {@code Retry-After}). */
public final class RateLimitedException extends SyncException {
  private final Duration retryAfter;

  public RateLimitedException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
