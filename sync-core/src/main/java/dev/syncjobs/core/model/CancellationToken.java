package dev.syncjobs.core.model;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Asks a running transfer to stop. Transfers poll {@link #isCancelled()} between units of work and
 * may register a callback to interrupt blocking work (kill a process, close a socket).
 */
public final class CancellationToken {
  private volatile boolean cancelled;
  private volatile boolean abandoned;
  private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();

  public boolean isCancelled() {
    return cancelled;
  }

  /** Throws {@link CancelledException} once cancelled. */
  public void throwIfCancelled() {
    if (cancelled) {
      throw new CancelledException();
    }
  }

  /** Cancels, running every registered callback once. Later calls do nothing. */
  public void cancel() {
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
    }
    for (Runnable r : callbacks) {
      try {
        r.run();
      } catch (RuntimeException ignored) {
        // a failing callback must not stop the others
      }
    }
  }

  /**
   * Cancels because the run's job is gone: nothing will resume the run, so its partial data is
   * removed instead of kept (see {@link #isAbandoned()}).
   */
  public void abandon() {
    abandoned = true;
    cancel();
  }

  /** Whether the run was cancelled for good, its partial data to be removed. */
  public boolean isAbandoned() {
    return abandoned;
  }

  /** Runs {@code callback} on cancel, or at once when already cancelled. */
  public void onCancel(Runnable callback) {
    callbacks.add(callback);
    if (cancelled && callbacks.remove(callback)) {
      callback.run();
    }
  }
}
