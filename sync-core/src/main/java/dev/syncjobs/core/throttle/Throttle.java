package dev.syncjobs.core.throttle;

import dev.syncjobs.core.port.TransferRequest;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The bandwidth limits one run's transfer obeys: its own bucket (the job's {@code bandwidth_limit},
 * shared by all its streams) and the instance's global bucket (shared by every run of the
 * instance). A stream takes what it moves from every bucket, so the lowest limit wins. Every
 * transfer that moves bytes itself paces them with this; rsync, an external process, is given a
 * {@code --bwlimit} instead ({@link TransferRequest.Options#bandwidthLimit()}).
 */
public final class Throttle {
  /** No limit at all. */
  public static final Throttle NONE = new Throttle(List.of());

  private final List<TokenBucket> buckets;

  /** Takes from each of {@code buckets} in turn. */
  public Throttle(List<TokenBucket> buckets) {
    this.buckets = List.copyOf(buckets);
  }

  /** A throttle of one bucket of its own at {@code bytesPerSecond}; none when null. */
  public static Throttle of(Long bytesPerSecond) {
    return bytesPerSecond == null ? NONE : new Throttle(List.of(new TokenBucket(bytesPerSecond)));
  }

  /**
   * How many of {@code wanted} bytes a stream should read at once: no more than the smallest
   * limited bucket's burst, so the bytes it reads before it is held back stay within the limit.
   */
  public int maxRead(int wanted) {
    long max = wanted;
    for (TokenBucket b : buckets) {
      max = Math.min(max, b.burstBytes());
    }
    return (int) Math.max(1, max);
  }

  /**
   * Blocks until {@code bytes} may pass every bucket.
   *
   * @param stopped asked while waiting; true ends the wait
   * @throws dev.syncjobs.core.model.CancelledException when stopped or interrupted
   */
  public void acquire(long bytes, BooleanSupplier stopped) {
    for (TokenBucket b : buckets) {
      b.acquire(bytes, stopped);
    }
  }
}
