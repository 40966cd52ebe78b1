package dev.syncjobs.core.port;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.UploadId;

/**
 * One writer per chunk of an upload (a tus upload has one "chunk", its tail, {@link #TUS_TAIL}),
 * among every request that may write the upload's data file: those of this process, and in cluster
 * mode those of every instance sharing the store and the backend. A newer request does not queue
 * behind a stalled older one: it asks the holder to let go (the holder's request stops at its next
 * buffer, or at once when it is blocked reading a dead connection, and records nothing) and takes
 * the lock when it has; it gives up after a bounded wait rather than waiting forever.
 */
public interface ChunkLocks {
  /** The lock key of a tus upload's tail. */
  long TUS_TAIL = -1;

  /**
   * Takes the lock of chunk {@code chunk} of {@code upload}, asking the request that holds it to
   * let go.
   *
   * @throws ConflictException when the holder did not let go within the wait, or when a newer
   *     request for the same chunk superseded this one while it waited
   */
  Held acquire(UploadId upload, long chunk);

  /**
   * Asks the request that holds chunk {@code chunk} of {@code upload}, if any, to let go: it is
   * marked {@link Held#superseded() superseded} and, where it waits on its client, interrupted.
   * {@link #acquire} does this itself; a cluster adapter calls it for requests on other instances.
   */
  void requestRelease(UploadId upload, long chunk);

  /** A held chunk lock; closing it releases the lock. */
  interface Held extends AutoCloseable {
    /**
     * True when a newer request asked for the chunk (or the lock could no longer be guaranteed):
     * the holder must stop writing and record nothing.
     */
    boolean superseded();

    @Override
    void close();
  }
}
