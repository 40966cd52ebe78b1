package dev.syncjobs.core.upload;

/**
 * Paces the bytes of uploads: {@link #take} blocks until {@code bytes} more may be written. The
 * server passes its instance-wide upload bandwidth limit here; {@link #NONE} lets every byte
 * through at once.
 */
@FunctionalInterface
public interface UploadThrottle {
  /** No limit. */
  UploadThrottle NONE = bytes -> {};

  /**
   * Waits until {@code bytes} may pass.
   *
   * @throws InterruptedException when the request is interrupted (a newer one took its chunk)
   */
  void take(long bytes) throws InterruptedException;
}
