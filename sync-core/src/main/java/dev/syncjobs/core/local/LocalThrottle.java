package dev.syncjobs.core.local;

import dev.syncjobs.core.model.CancelledException;

/** Sleeps as needed to keep to a bytes-per-second limit. */
final class LocalThrottle {
  private final Long limit;
  private final long start = System.nanoTime();
  private long taken;

  LocalThrottle(Long limit) {
    this.limit = limit;
  }

  void take(long n) {
    if (limit == null) {
      return;
    }
    taken += n;
    long dueNanos = (long) (taken * 1e9 / limit);
    long waitNanos = dueNanos - (System.nanoTime() - start);
    if (waitNanos > 0) {
      try {
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException();
      }
    }
  }
}
