package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.RateLimitedException;
import dev.syncjobs.core.model.UploadId;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code SYNCJOBS_MAX_CONCURRENT_UPLOADS}: how many uploads may be receiving bytes on this instance
 * at once. Parallel chunks of one upload share its slot; an upload that is only started, or idle
 * between chunks, holds none.
 */
final class UploadSlots {
  private final int max;
  private final Map<UploadId, Integer> busy = new HashMap<>();

  UploadSlots(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one concurrent upload");
    }
    this.max = max;
  }

  /**
   * Takes a slot for a request of {@code id}.
   *
   * @throws RateLimitedException when {@code max} other uploads are receiving
   */
  synchronized AutoCloseable take(UploadId id) {
    Integer n = busy.get(id);
    if (n == null && busy.size() >= max) {
      throw new RateLimitedException(
          "this instance is receiving "
              + max
              + " uploads already (SYNCJOBS_MAX_CONCURRENT_UPLOADS); try again shortly",
          Duration.ofSeconds(5));
    }
    busy.put(id, n == null ? 1 : n + 1);
    return () -> release(id);
  }

  private synchronized void release(UploadId id) {
    busy.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
  }
}
