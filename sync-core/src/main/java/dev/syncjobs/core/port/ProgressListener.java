package dev.syncjobs.core.port;

import dev.syncjobs.core.model.Progress;

/**
 * Receives a transfer's progress. Implementations are cheap and thread-safe: transfers may call
 * them often and from several threads; the engine throttles what reaches subscribers.
 */
@FunctionalInterface
public interface ProgressListener {
  void onProgress(Progress progress);
}
