package dev.syncjobs.http;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.TransferException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;

/**
 * Runs one task per listed file on the run's file pool, a window of files queued at a time, and
 * reports the failure that ends the run: the first one, a real failure before a cancellation.
 */
final class FileQueue {
  /** Files queued on the pool at a time. */
  private static final int WINDOW = 512;

  /** One file's work. */
  @FunctionalInterface
  interface FileTask {
    void run(RemoteFile f) throws IOException;
  }

  private FileQueue() {}

  /**
   * Runs {@code task} for every file of {@code list}; a failure cancels {@code stop}, so the files
   * still queued end at once.
   *
   * @param cancel the user's cancel: when it fired, the run ends as cancelled
   */
  static void runAll(
      List<RemoteFile> list,
      ExecutorService files,
      CancellationToken stop,
      CancellationToken cancel,
      FileTask task)
      throws IOException {
    if (list.isEmpty()) {
      return;
    }
    // A window of files is queued at a time, not the whole tree: a task per file of a large tree
    // would be held until the run's end. The next file is queued when any one ends, so a large
    // file at the head of the window does not hold back the small ones behind it.
    CompletionService<Void> window = new ExecutorCompletionService<>(files);
    int queued = 0;
    Throwable first = null;
    for (RemoteFile f : list) {
      if (queued >= WINDOW) {
        first = outcome(window, first, stop);
        queued--;
      }
      if (stop.isCancelled()) {
        break;
      }
      window.submit(
          () -> {
            try {
              task.run(f);
            } catch (IOException | RuntimeException e) {
              stop.cancel();
              throw e;
            }
            return null;
          });
      queued++;
    }
    for (; queued > 0; queued--) {
      first = outcome(window, first, stop);
    }
    if (first == null && stop.isCancelled()) {
      first = new CancelledException();
    }
    if (cancel.isCancelled()) {
      throw new CancelledException();
    }
    if (first instanceof IOException io) {
      throw io;
    }
    if (first instanceof RuntimeException re) {
      throw re;
    }
    if (first != null) {
      throw new TransferException(first.toString(), first);
    }
  }

  /** Waits for the next file of {@code window} to end; returns the failure the run reports. */
  private static Throwable outcome(
      CompletionService<Void> window, Throwable first, CancellationToken stop) {
    try {
      window.take().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop.cancel();
      return first == null ? new CancelledException() : first;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (first == null
          || (first instanceof CancelledException && !(c instanceof CancelledException))) {
        return c;
      }
    }
    return first;
  }
}
