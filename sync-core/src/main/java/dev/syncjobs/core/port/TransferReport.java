package dev.syncjobs.core.port;

import dev.syncjobs.core.staging.StagingPaths;
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
 *     file into it; the engine then publishes nothing without comparing trees. Never set when the
 *     previous version {@linkplain dev.syncjobs.core.version.Bookkeeping#holdsOldRecords holds an
 *     earlier release's records}: that version is followed by one without them
 * @param filesSkipped names of the source the backend cannot hold, left out ({@link StagingPaths});
 *     not counted in {@code filesTotal}
 */
public record TransferReport(
    long filesTotal,
    long bytesTotal,
    long filesTransferred,
    long bytesTransferred,
    List<String> warnings,
    boolean sameAsPrevious,
    long filesSkipped) {
  public TransferReport {
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
    if (filesSkipped < 0) {
      throw new IllegalArgumentException("filesSkipped must not be negative");
    }
  }

  /** A report without skipped names. */
  public TransferReport(
      long filesTotal,
      long bytesTotal,
      long filesTransferred,
      long bytesTransferred,
      List<String> warnings,
      boolean sameAsPrevious) {
    this(filesTotal, bytesTotal, filesTransferred, bytesTransferred, warnings, sameAsPrevious, 0);
  }

  /** A transfer that filled the staging directory. */
  public TransferReport(
      long filesTotal,
      long bytesTotal,
      long filesTransferred,
      long bytesTransferred,
      List<String> warnings) {
    this(filesTotal, bytesTotal, filesTransferred, bytesTransferred, warnings, false, 0);
  }

  /** This report with {@code n} names skipped. */
  public TransferReport withFilesSkipped(long n) {
    return new TransferReport(
        filesTotal, bytesTotal, filesTransferred, bytesTransferred, warnings, sameAsPrevious, n);
  }

  /** The source matches the previous version; nothing was staged. */
  public static TransferReport sameAsPrevious(
      long filesTotal, long bytesTotal, List<String> warnings) {
    return new TransferReport(filesTotal, bytesTotal, 0, 0, warnings, true);
  }
}
