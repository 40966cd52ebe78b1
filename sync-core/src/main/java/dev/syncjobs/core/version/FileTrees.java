package dev.syncjobs.core.version;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Deletes a tree: the one tree delete of syncjobs (versions, staging, transfers' scratch).
 *
 * <p>A version of a large mirror is a tree of many thousands of hard links, and removing one costs
 * a system call per entry, most of it in the kernel. Folders are therefore emptied in parallel, on
 * a small pool of its own (as many threads as cores, at most 4): on two cores that halves the time
 * a pruned version takes to go.
 */
public final class FileTrees {
  private static final int THREADS = Math.min(4, Runtime.getRuntime().availableProcessors());

  private FileTrees() {}

  /** The pool, started at the first delete; its threads end with the JVM. */
  private static final class Pool {
    static final ForkJoinPool INSTANCE =
        new ForkJoinPool(
            THREADS,
            pool -> {
              var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
              t.setName("syncjobs-tree-delete-" + t.getPoolIndex());
              t.setDaemon(true);
              return t;
            },
            null,
            false);
  }

  /**
   * Deletes {@code root} and everything below it, following no link (a link is deleted, not what it
   * names); nothing happens when it does not exist.
   */
  public static void delete(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(root);
      return;
    }
    try {
      Pool.INSTANCE.invoke(new EmptyAndDelete(root));
    } catch (RuntimeException e) {
      IOException io = ioCause(e);
      if (io != null) {
        throw io;
      }
      throw e;
    }
  }

  /**
   * The I/O failure a worker met, from what the pool threw: that worker's {@link
   * UncheckedIOException}, or a copy of it the pool made with it as the cause; null for any other.
   */
  static IOException ioCause(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UncheckedIOException io) {
        return io.getCause();
      }
    }
    return null;
  }

  /** Deletes one folder: its files and links here, its folders as tasks of their own. */
  private static final class EmptyAndDelete extends RecursiveAction {
    private final Path dir;

    EmptyAndDelete(Path dir) {
      this.dir = dir;
    }

    @Override
    protected void compute() {
      try {
        // A directory made read-only by a tool must become writable to empty it.
        dir.toFile().setWritable(true, true);
        List<EmptyAndDelete> folders = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
          for (Path p : entries) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
              folders.add(new EmptyAndDelete(p));
            } else {
              Files.delete(p);
            }
          }
        }
        invokeAll(folders);
        Files.delete(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
