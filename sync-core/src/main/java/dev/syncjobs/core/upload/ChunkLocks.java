package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.UploadId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per chunk of an upload (a tus upload has one, its tail) in this process, so two requests
 * never write one chunk at once. A newer request does not queue behind a stalled older one: it
 * interrupts the older request's thread (whose read of a dead connection may otherwise block for
 * minutes) and takes the lock once that request has given up, recording nothing.
 */
final class ChunkLocks {
  private record Key(UploadId upload, long chunk) {}

  private static final class Holder {
    final ReentrantLock lock = new ReentrantLock();
    Thread owner;
    int users;
  }

  /** A held chunk lock; closing it releases the lock. */
  interface Held extends AutoCloseable {
    /** True when a newer request for the same chunk interrupted this one. */
    boolean superseded();

    @Override
    void close();
  }

  private final Map<Key, Holder> holders = new ConcurrentHashMap<>();
  private final Duration wait;

  ChunkLocks(Duration wait) {
    this.wait = wait;
  }

  /**
   * Takes the lock of chunk {@code chunk} of {@code upload}, interrupting the request that holds
   * it.
   *
   * @throws ConflictException when the holder does not let go within the wait
   */
  Held acquire(UploadId upload, long chunk) {
    Key key = new Key(upload, chunk);
    Holder h =
        holders.compute(
            key,
            (k, existing) -> {
              Holder x = existing == null ? new Holder() : existing;
              x.users++;
              return x;
            });
    boolean locked = false;
    try {
      locked = h.lock.tryLock();
      if (!locked) {
        synchronized (h) {
          if (h.owner != null) {
            h.owner.interrupt();
          }
        }
        locked = h.lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!locked) {
      release(key, h);
      throw new ConflictException(
          "chunk_number", "another request is still writing this chunk; try again");
    }
    synchronized (h) {
      h.owner = Thread.currentThread();
    }
    boolean[] interrupted = {false};
    return new Held() {
      @Override
      public boolean superseded() {
        return interrupted[0] || h.lock.hasQueuedThreads();
      }

      @Override
      public void close() {
        synchronized (h) {
          h.owner = null;
          // an interrupt meant for this request must not hit the next one on this thread
          interrupted[0] |= Thread.interrupted();
        }
        h.lock.unlock();
        release(key, h);
      }
    };
  }

  private void release(Key key, Holder h) {
    holders.computeIfPresent(key, (k, x) -> --x.users == 0 ? null : x);
  }
}
