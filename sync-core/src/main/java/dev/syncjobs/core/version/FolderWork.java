package dev.syncjobs.core.version;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Work on a file tree split into a task per folder ({@link java.util.concurrent.RecursiveAction}),
 * run on a pool of its own: as many threads as cores, at most 4, started at the first use and
 * ending with the JVM.
 *
 * <p>Deleting or linking a tree of many thousands of files costs a system call per entry, most of
 * it in the kernel, and folders do not wait on each other: on two cores, a tree's folders handled
 * in parallel take about half the time.
 */
public final class FolderWork {
  private FolderWork() {}

  private static final class Pool {
    static final ForkJoinPool INSTANCE =
        new ForkJoinPool(
            Math.min(4, Runtime.getRuntime().availableProcessors()),
            pool -> {
              var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
              t.setName("syncjobs-folder-work-" + t.getPoolIndex());
              t.setDaemon(true);
              return t;
            },
            null,
            false);
  }

  /**
   * Runs {@code task}, and the tasks it forks, to the end.
   *
   * @throws IOException what a task threw wrapped in an {@link UncheckedIOException}
   */
  public static void invoke(ForkJoinTask<?> task) throws IOException {
    try {
      Pool.INSTANCE.invoke(task);
    } catch (RuntimeException e) {
      IOException io = ioCause(e);
      if (io != null) {
        throw io;
      }
      throw e;
    }
  }

  /**
   * The I/O failure a task met, from what the pool threw: that task's {@link UncheckedIOException},
   * or a copy of it the pool made with it as the cause; null for any other.
   */
  static IOException ioCause(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UncheckedIOException io) {
        return io.getCause();
      }
    }
    return null;
  }
}
