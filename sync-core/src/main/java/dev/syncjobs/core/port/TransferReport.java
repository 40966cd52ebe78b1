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
 */
public record TransferReport(
    long filesTotal,
    long bytesTotal,
    long filesTransferred,
    long bytesTransferred,
    List<String> warnings) {
  public TransferReport {
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }
}
