package dev.syncjobs.core.model;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The staging directory's file system has no room for a file: the device is full (ENOSPC) or the
 * user's quota is used up (EDQUOT), or a file of known size would not fit. Never retryable: the
 * same run would fill the same disk again, so it stops at once; the engine names the backend and
 * its free space in the run's error.
 */
public class DiskFullException extends TransferException {

  public DiskFullException(String message, Throwable cause) {
    super(message, false, cause);
  }

  /**
   * Whether {@code e} or one of its causes reports a full device or an exhausted quota. Java names
   * neither with an exception type, only with the operating system's message.
   */
  public static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DiskFullException) {
        return true;
      }
      String m = t.getMessage();
      if (m != null) {
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * Refuses to start writing {@code bytes} more into {@code dir} when its file system reports less
   * usable space than that. A file system that reports no size at all (total 0) is not judged.
   *
   * @param what names the file in the message
   * @throws DiskFullException when it would not fit
   */
  public static void requireSpace(Path dir, long bytes, String what) {
    if (bytes <= 0) {
      return;
    }
    FileStore store;
    try {
      store = Files.getFileStore(existing(dir));
    } catch (IOException | RuntimeException e) {
      return; // the write itself will tell
    }
    requireSpace(store, bytes, what);
  }

  /**
   * As {@link #requireSpace(Path, long, String)} for a file system already looked up: finding a
   * path's file store reads the mount table, which a caller checking many files does once.
   */
  public static void requireSpace(FileStore store, long bytes, String what) {
    if (bytes <= 0 || store == null) {
      return;
    }
    long usable;
    try {
      if (store.getTotalSpace() == 0) {
        return;
      }
      usable = store.getUsableSpace();
    } catch (IOException | RuntimeException e) {
      return; // the write itself will tell
    }
    if (usable < bytes) {
      throw new DiskFullException(
          what + " needs " + bytes + " bytes, only " + usable + " are free", null);
    }
  }

  private static Path existing(Path dir) {
    Path p = dir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p == null ? dir : p;
  }
}
