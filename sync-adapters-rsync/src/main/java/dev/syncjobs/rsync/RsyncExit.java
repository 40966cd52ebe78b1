package dev.syncjobs.rsync;

import dev.syncjobs.core.model.TransferException;
import java.util.List;
import java.util.Locale;

/** Turns rsync's exit status and the tail of its stderr into a clear error. */
final class RsyncExit {
  private RsyncExit() {}

  /** 23 (some files not transferred) and 24 (source files vanished) finish with a warning. */
  static boolean isWarning(int code) {
    return code == 23 || code == 24;
  }

  static String warning(int code, List<String> stderr) {
    String detail = firstMatching(stderr, "vanished", "failed", "error");
    String base =
        code == 24
            ? "some source files vanished during the transfer (rsync exit 24); they are not in this"
                + " version"
            : "some files or attributes were not transferred (rsync exit 23)";
    return detail == null ? base : base + ": " + detail;
  }

  /** The error for a failed rsync run. */
  static TransferException failure(int code, List<String> stderr, String source) {
    String atError = firstMatching(stderr, "@ERROR");
    String lower = String.join("\n", stderr).toLowerCase(Locale.ROOT);
    return switch (code) {
      case 1 ->
          lower.contains("failed to read a password")
              ? new TransferException(
                  "the rsync daemon module requires credentials: give source_auth of type rsync",
                  false,
                  null)
              : error("rsync rejected its arguments (exit 1)", stderr, false);
      case 2 -> error("the rsync server speaks an incompatible protocol (exit 2)", stderr, false);
      case 3 ->
          error("rsync could not open the source or the staging directory (exit 3)", stderr, false);
      case 4 ->
          error("the rsync server does not support a requested action (exit 4)", stderr, false);
      case 5 -> daemonRefused(atError, stderr, source);
      case 10 -> error("cannot connect to " + source + " (exit 10)", stderr, true);
      case 11 ->
          error("file I/O error while writing the staging directory (exit 11)", stderr, true);
      case 12, 255 -> connectionFailed(code, lower, stderr, source);
      case 20 -> error("rsync was stopped by a signal (exit 20)", stderr, true);
      case 22 -> error("rsync ran out of memory (exit 22)", stderr, true);
      case 30 ->
          error(
              "timed out: no data from " + source + " within the I/O timeout (exit 30)",
              stderr,
              true);
      case 35 ->
          error(
              "timed out connecting to the rsync daemon at " + source + " (exit 35)", stderr, true);
      case 126, 127 -> error("rsync could not be executed (exit " + code + ")", stderr, false);
      default ->
          code > 128
              ? error("rsync was killed by signal " + (code - 128), stderr, true)
              : error("rsync failed with exit code " + code, stderr, true);
    };
  }

  private static TransferException daemonRefused(
      String atError, List<String> stderr, String source) {
    String msg = atError == null ? null : atError.substring(atError.indexOf("@ERROR") + 6);
    msg = msg == null ? null : msg.replaceFirst("^:\\s*", "");
    if (msg != null) {
      String lower = msg.toLowerCase(Locale.ROOT);
      if (lower.startsWith("unknown module")) {
        return new TransferException(
            "the rsync daemon at " + source + " has no such module: " + msg, false, null);
      }
      if (lower.contains("auth failed")) {
        return new TransferException(
            "the rsync daemon refused the credentials: " + msg, false, null);
      }
      if (lower.contains("max connections")) {
        return new TransferException("the rsync daemon is busy: " + msg, true, null);
      }
      return new TransferException("the rsync daemon refused the transfer: " + msg, true, null);
    }
    return error("the rsync daemon refused the transfer (exit 5)", stderr, true);
  }

  private static TransferException connectionFailed(
      int code, String lower, List<String> stderr, String source) {
    if (lower.contains("host key verification failed")) {
      return error(
          "ssh does not trust the host key of "
              + source
              + ": give its key in source_auth.known_hosts",
          stderr,
          false);
    }
    if (lower.contains("permission denied")) {
      return error("ssh refused the credentials for " + source, stderr, false);
    }
    if (lower.contains("connection refused")
        || lower.contains("could not resolve")
        || lower.contains("no route to host")
        || lower.contains("connection timed out")) {
      return error("cannot connect to " + source, stderr, true);
    }
    if (lower.contains("rsync: command not found") || lower.contains("rsync: not found")) {
      return error("rsync is not installed on " + source, stderr, false);
    }
    return error(
        "the connection to " + source + " closed unexpectedly (exit " + code + ")", stderr, true);
  }

  private static TransferException error(String message, List<String> stderr, boolean retryable) {
    String detail = lastMeaningful(stderr);
    return new TransferException(
        detail == null ? message : message + ": " + detail, retryable, null);
  }

  private static String lastMeaningful(List<String> stderr) {
    for (int i = stderr.size() - 1; i >= 0; i--) {
      String line = stderr.get(i).strip();
      if (!line.isEmpty() && !line.startsWith("rsync error:")) {
        return line;
      }
    }
    return stderr.isEmpty() ? null : stderr.get(stderr.size() - 1).strip();
  }

  private static String firstMatching(List<String> lines, String... needles) {
    for (String line : lines) {
      String lower = line.toLowerCase(Locale.ROOT);
      for (String n : needles) {
        if (lower.contains(n.toLowerCase(Locale.ROOT))) {
          return line.strip();
        }
      }
    }
    return null;
  }
}
