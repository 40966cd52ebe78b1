package dev.syncjobs.core.model;

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
}
