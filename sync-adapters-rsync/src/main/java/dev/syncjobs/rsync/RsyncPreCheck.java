package dev.syncjobs.rsync;

import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Asks rsync, before a run copies anything, in which entries the source differs from the previous
 * version: a dry run with the run's own selection and comparison, against the previous version
 * instead of the staging directory, itemizing each entry that differs ({@link RsyncChanges}). When
 * none does, the run stages nothing and reports {@link TransferReport#sameAsPrevious}; when some
 * do, the run links the others itself and has rsync transfer those alone ({@link
 * RsyncChangedOnly}).
 *
 * <p>Why: a run against the previous version makes rsync link every unchanged file, and rsync
 * resolves the {@code --link-dest} folder one path component at a time for each file, which makes a
 * night with few changes cost several times a copy's {@code rsync -a}. The dry run only reads the
 * previous version.
 *
 * <p>The answer holds for the moment of the dry run, as any rsync run's does for each file it
 * visits: a file changed after rsync looked at it waits for the next run either way.
 */
final class RsyncPreCheck {
  /**
   * What the dry run found: the source as the previous version ({@code same}), or the entries that
   * differ ({@code changes}, with the source's totals), or neither when the run must transfer as if
   * no dry run had been made (too many differences, the top folder changed, output it cannot use).
   */
  record Outcome(TransferReport same, RsyncChanges changes, RsyncProgressParser.Stats totals) {
    static final Outcome UNKNOWN = new Outcome(null, null, null);
  }

  private RsyncPreCheck() {}

  /**
   * Runs the dry run against {@code previous}.
   *
   * @throws dev.syncjobs.core.model.TransferException as the run would, when rsync fails (the
   *     source is unreachable, refuses, times out)
   */
  static Outcome compare(
      Path rsync, TransferRequest request, Path previous, Path pidFile, Consumer<String> log) {
    log.accept("comparing the source with " + previous.getFileName() + " (rsync --dry-run)");
    RsyncChanges changes = new RsyncChanges();
    RsyncExecution.Result result;
    try (RsyncCommand command = RsyncCommand.buildCheck(rsync, request, previous, log)) {
      result =
          new RsyncExecution(request, command, pidFile, log)
              .stopAt(line -> !changes.add(line))
              .execute();
    }
    int code = result.exitCode();
    if (result.stoppedAtLine()) {
      log.accept(changes.reason() + ": transferring the whole tree");
      return Outcome.UNKNOWN;
    }
    if (RsyncExit.isWarning(code)) {
      log.accept("the comparison could not read every file: transferring the whole tree");
      return Outcome.UNKNOWN;
    }
    if (code != 0) {
      throw RsyncExit.failure(code, result.stderrTail(), request.source().uri().toString());
    }
    RsyncProgressParser.Stats stats = result.stats();
    if (stats.regularFiles() < 0 || stats.bytesTotal() < 0) {
      log.accept("rsync's comparison ended without its totals: transferring the whole tree");
      return Outcome.UNKNOWN;
    }
    if (changes.none()) {
      if (stats.filesTransferred() != 0) {
        log.accept("rsync's comparison itemized nothing it counts: transferring the whole tree");
        return Outcome.UNKNOWN;
      }
      log.accept(
          String.format(
              java.util.Locale.ROOT,
              "rsync: %d files (%d bytes) in the source, all as in %s",
              stats.regularFiles(),
              stats.bytesTotal(),
              previous.getFileName()));
      return new Outcome(
          TransferReport.sameAsPrevious(stats.regularFiles(), stats.bytesTotal(), List.of()),
          null,
          stats);
    }
    if (!changes.usable()) {
      log.accept(changes.reason() + ": transferring the whole tree");
      return Outcome.UNKNOWN;
    }
    log.accept(changes.transfer().size() + " entries differ from " + previous.getFileName());
    return new Outcome(null, changes, stats);
  }
}
