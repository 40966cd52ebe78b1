package dev.syncjobs.core.port;

import java.util.List;

/**
 * What a transfer did.
 *
 * @param filesTotal files in the (filtered) source
 * @param bytesTotal bytes in the (filtered) source
 * @param filesTransferred files actually copied or downloaded (not linked)
 * @param bytesTransferred bytes actually copied or downloaded
 * @param warnings problems that did not fail the run (e.g. files that vanished during it)
 * @param sameAsPrevious the transfer found the source identical to the previous version (same
 *     paths, every file unchanged) and left the staging directory empty instead of linking every
 *     file into it; the engine then publishes nothing without comparing trees
 */
public record TransferReport(
    long filesTotal,
    long bytesTotal,
    long filesTransferred,
    long bytesTransferred,
    List<String> warnings,
    boolean sameAsPrevious) {
  public TransferReport {
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /** A transfer that filled the staging directory. */
  public TransferReport(
      long filesTotal,
      long bytesTotal,
      long filesTransferred,
      long bytesTransferred,
      List<String> warnings) {
    this(filesTotal, bytesTotal, filesTransferred, bytesTransferred, warnings, false);
  }

  /** The source matches the previous version; nothing was staged. */
  public static TransferReport sameAsPrevious(
      long filesTotal, long bytesTotal, List<String> warnings) {
    return new TransferReport(filesTotal, bytesTotal, 0, 0, warnings, true);
  }
}
