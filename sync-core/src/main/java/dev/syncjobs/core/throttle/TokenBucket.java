package dev.syncjobs.core.throttle;

import dev.syncjobs.core.model.CancelledException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A token bucket in bytes whose rate may change at any time, shared by every stream that reads
 * under one limit. A reader takes what it just read or is about to write while the bucket is not in
 * debt, so a read larger than the burst passes and the bucket goes into debt; the next reader waits
 * until the debt is paid at the rate then in force. Waiters look again at least every 100 ms, so a
 * rate change reaches streams already waiting within that time.
 */
public final class TokenBucket {
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final LongSupplier nanoTime;

  /** Bytes per second; 0 for unlimited. */
  private long rate;

  private double tokens;
  private long last;

  /** A bucket at {@code bytesPerSecond}, null for unlimited. */
  public TokenBucket(Long bytesPerSecond) {
    this(bytesPerSecond, System::nanoTime);
  }

  /** A bucket on a given nanosecond clock (tests move it by hand). */
  public TokenBucket(Long bytesPerSecond, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.last = nanoTime.getAsLong();
    setRate(bytesPerSecond);
  }

  /**
   * Changes the rate, from the next take on: the tokens earned so far are kept (capped by the new
   * burst) and a debt is paid at the new rate; unlimited forgives the debt.
   *
   * @param bytesPerSecond positive, or null for unlimited
   * @throws IllegalArgumentException when not positive
   */
  public synchronized void setRate(Long bytesPerSecond) {
    if (bytesPerSecond != null && bytesPerSecond < 1) {
      throw new IllegalArgumentException("rate must be positive, got " + bytesPerSecond);
    }
    refill();
    long next = bytesPerSecond == null ? 0 : bytesPerSecond;
    if (next == 0 || rate == 0) {
      tokens = 0;
    }
    rate = next;
    tokens = Math.min(tokens, burst());
  }

  /** The rate in bytes per second, null when unlimited. */
  public synchronized Long rate() {
    return rate == 0 ? null : rate;
  }

  /**
   * Takes {@code bytes} when the bucket is not in debt and returns 0; otherwise takes nothing and
   * returns the nanoseconds until the debt is paid at the current rate.
   */
  public synchronized long tryTake(long bytes) {
    if (rate == 0) {
      return 0;
    }
    refill();
    if (tokens >= 0) {
      tokens -= bytes;
      return 0;
    }
    return Math.max(1, (long) Math.ceil(-tokens * 1_000_000_000.0 / rate));
  }

  /**
   * Blocks until {@code bytes} may pass.
   *
   * @param stopped asked while waiting; true ends the wait
   * @throws CancelledException when {@code stopped} says so or the thread is interrupted
   */
  public void acquire(long bytes, BooleanSupplier stopped) {
    for (long wait; (wait = tryTake(bytes)) > 0; ) {
      if (stopped.getAsBoolean() || Thread.currentThread().isInterrupted()) {
        throw new CancelledException();
      }
      LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
    }
  }

  /**
   * The most bytes one read should move before it takes them: the burst, so that a read overdraws
   * the bucket by at most that much, whatever a loaded machine's sockets hold; unlimited when the
   * bucket is.
   */
  public synchronized long burstBytes() {
    return rate == 0 ? Long.MAX_VALUE : (long) burst();
  }

  private double burst() {
    return Math.max(rate / 10.0, 1);
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    long elapsed = now - last;
    last = now;
    if (elapsed > 0 && rate > 0) {
      tokens = Math.min(burst(), tokens + elapsed * (rate / 1_000_000_000.0));
    }
  }
}
