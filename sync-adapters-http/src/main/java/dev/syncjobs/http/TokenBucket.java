package dev.syncjobs.http;

import java.util.function.LongSupplier;

/**
 * A token bucket in bytes. Callers reserve what they are about to read and wait the returned time;
 * the bucket may go into debt so a read larger than the burst still passes at the right rate.
 */
final class TokenBucket {
  private final LongSupplier nanoTime;
  private long rate;
  private long burst;
  private double tokens;
  private long last;

  TokenBucket(long bytesPerSecond, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.last = nanoTime.getAsLong();
    setRate(bytesPerSecond);
    this.tokens = burst;
  }

  /** Changes the rate, keeping the tokens already earned (capped by the new burst). */
  synchronized void setRate(long bytesPerSecond) {
    if (bytesPerSecond < 1) {
      throw new IllegalArgumentException("rate must be positive");
    }
    refill();
    rate = bytesPerSecond;
    burst = Math.max(bytesPerSecond / 10, 1);
    tokens = Math.min(tokens, burst);
  }

  synchronized long rate() {
    return rate;
  }

  /** Takes {@code bytes} tokens and returns how many nanoseconds the caller must wait first. */
  synchronized long reserve(long bytes) {
    refill();
    tokens -= bytes;
    if (tokens >= 0) {
      return 0;
    }
    return (long) Math.ceil(-tokens * 1_000_000_000.0 / rate);
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    long elapsed = now - last;
    last = now;
    if (elapsed > 0 && rate > 0) {
      tokens = Math.min(burst, tokens + elapsed * (rate / 1_000_000_000.0));
    }
  }
}
