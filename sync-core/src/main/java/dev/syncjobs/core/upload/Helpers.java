package dev.syncjobs.core.upload;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The helper threads of an upload request ({@link BodyWriter}'s write stage, {@link Writeback}'s
 * syncs): a pool of daemon threads by name, and the wait for a helper's task.
 */
final class Helpers {
  private Helpers() {}

  /** Daemon threads named {@code name}, made as needed and kept a minute when idle. */
  static ExecutorService pool(String name) {
    return Executors.newCachedThreadPool(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Waits for {@code task} even when interrupted (a helper's task uses the request's file channel:
   * it must end before the request goes on), keeping the interrupt for the caller; throws what the
   * task failed with, an {@link IOException} as itself.
   */
  static void await(Future<?> task) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          task.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof IOException io) {
            throw io;
          }
          if (c instanceof RuntimeException r) {
            throw r;
          }
          throw new IOException("a helper of the upload failed", c);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
