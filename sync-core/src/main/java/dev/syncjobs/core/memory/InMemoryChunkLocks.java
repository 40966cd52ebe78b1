package dev.syncjobs.core.memory;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.port.ChunkLocks;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link ChunkLocks} within one process: enough for a single instance (SQLite is single-instance by
 * construction). A newer request interrupts the thread of the request that holds the chunk (whose
 * read of a dead connection may otherwise block for minutes) and takes the lock once that request
 * has given up. A cluster adapter wraps it and calls {@link #requestRelease} on behalf of a request
 * on another instance.
 */
public final class InMemoryChunkLocks implements ChunkLocks {
  private record Key(UploadId upload, long chunk) {}

  private static final class Holder {
    final ReentrantLock lock = new ReentrantLock();
    Thread owner;
    HeldLock held;
    int users;
  }

  private static final class HeldLock implements Held {
    private final InMemoryChunkLocks locks;
    private final Key key;
    private final Holder h;
    volatile boolean released;

    HeldLock(InMemoryChunkLocks locks, Key key, Holder h) {
      this.locks = locks;
      this.key = key;
      this.h = h;
    }

    @Override
    public boolean superseded() {
      return released || h.lock.hasQueuedThreads();
    }

    @Override
    public void close() {
      synchronized (h) {
        h.owner = null;
        h.held = null;
        // an interrupt meant for this request must not hit the next one on this thread
        if (Thread.interrupted()) {
          released = true;
        }
      }
      h.lock.unlock();
      locks.release(key, h);
    }
  }

  /** How long a newer request waits by default for the holder to let go. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  private final Map<Key, Holder> holders = new ConcurrentHashMap<>();
  private final Duration wait;

  /**
   * @param wait how long a newer request waits for the holder to let go before it gives up
   */
  public InMemoryChunkLocks(Duration wait) {
    this.wait = wait;
  }

  @Override
  public Held acquire(UploadId upload, long chunk) {
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
    boolean interrupted = false;
    try {
      locked = h.lock.tryLock();
      if (!locked) {
        interruptOwner(h);
        locked = h.lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (!locked) {
      release(key, h);
      if (interrupted) {
        throw new ConflictException(
            "chunk_number", "a newer request for this chunk took over; this one stored nothing");
      }
      throw new ConflictException(
          "chunk_number", "another request is still writing this chunk; try again");
    }
    HeldLock held = new HeldLock(this, key, h);
    synchronized (h) {
      h.owner = Thread.currentThread();
      h.held = held;
    }
    return held;
  }

  /** Marks the holder in this process superseded and interrupts its thread. */
  @Override
  public void requestRelease(UploadId upload, long chunk) {
    Holder h = holders.get(new Key(upload, chunk));
    if (h != null) {
      interruptOwner(h);
    }
  }

  private static void interruptOwner(Holder h) {
    synchronized (h) {
      if (h.held != null) {
        h.held.released = true;
      }
      if (h.owner != null) {
        h.owner.interrupt();
      }
    }
  }

  private void release(Key key, Holder h) {
    holders.computeIfPresent(key, (k, x) -> --x.users == 0 ? null : x);
  }
}
