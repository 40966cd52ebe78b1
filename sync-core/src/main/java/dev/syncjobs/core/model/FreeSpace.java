package dev.syncjobs.core.model;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The free space of the file system a run writes its files to, asked before each file so that a
 * file that cannot fit is refused before any of it is written ({@link DiskFullException}).
 *
 * <p>Reading a file system's free space is a system call ({@code statfs}), and finding the file
 * system of a path reads the mount table: for a tree of small files, more work than writing the
 * files. The file system is therefore looked up once, and its free space read again only when the
 * bytes granted since the last reading could use up half of what was free then, or when that
 * reading is a second old. A file that would not fit in what is left is always judged on a fresh
 * reading. What other writers take from the disk in between is caught by the writes themselves
 * ({@link DiskFullException#isDiskFull}).
 */
public final class FreeSpace {
  private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final FileStore store;
  private final LongSupplier clock;
  private boolean read;
  private long readAt;
  private long left; // usable at the last reading, less what was granted since

  /**
   * @param store the file system, or null when it is unknown (nothing is refused: the writes tell)
   * @param clock {@link System#nanoTime}, or a test's
   */
  FreeSpace(FileStore store, LongSupplier clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The file system holding {@code dir}, or its nearest existing parent. */
  public static FreeSpace of(Path dir) {
    FileStore store;
    try {
      store = Files.getFileStore(existing(dir));
      if (store.getTotalSpace() == 0) {
        store = null; // a file system that reports no size at all is not judged
      }
    } catch (IOException | RuntimeException e) {
      store = null; // the writes will tell
    }
    return new FreeSpace(store, System::nanoTime);
  }

  /**
   * Grants {@code bytes} more to be written.
   *
   * @param what names the file in the message
   * @throws DiskFullException when they would not fit
   */
  public synchronized void require(long bytes, String what) {
    if (bytes <= 0 || store == null) {
      return;
    }
    long now = clock.getAsLong();
    if (!read || bytes > left / 2 || now - readAt >= FRESH_NANOS) {
      try {
        left = store.getUsableSpace();
      } catch (IOException | RuntimeException e) {
        return; // the write itself will tell
      }
      read = true;
      readAt = now;
    }
    if (left < bytes) {
      throw new DiskFullException(
          what + " needs " + bytes + " bytes, only " + left + " are free", null);
    }
    left -= bytes;
  }

  static Path existing(Path dir) {
    Path p = dir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p == null ? dir : p;
  }
}
