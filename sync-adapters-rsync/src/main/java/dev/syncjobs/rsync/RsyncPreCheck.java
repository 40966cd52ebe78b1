package dev.syncjobs.rsync;

import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Asks rsync, before a run copies anything, whether the source still matches the previous version:
 * a dry run with the run's own selection and comparison, against the previous version instead of
 * the staging directory. When rsync finds no entry to create, change or delete, the run stages
 * nothing and reports {@link TransferReport#sameAsPrevious}; at the first entry that differs, rsync
 * is stopped and the run transfers as usual.
 *
 * <p>Why: a run against the previous version makes rsync link every unchanged file, and rsync
 * resolves the {@code --link-dest} folder one path component at a time for each file, which makes
 * an unchanged night cost several times a copy's {@code rsync -a}; the engine would then compare
 * and remove the linked tree. The dry run only reads the previous version. Nights with changes pay
 * for the dry run up to the first difference.
 *
 * <p>The answer holds for the moment of the dry run, as any rsync run's does for each file it
 * visits: a file changed after rsync looked at it waits for the next run either way.
 */
final class RsyncPreCheck {
  /**
   * One entry that differs, as {@code --out-format=%i} prints it: an itemize code ({@code
   * >f..t......}, {@code cL+++++++++}, {@code .d...p.....}) or {@code *deleting}.
   */
  private static final Pattern DIFFERENCE =
      Pattern.compile("^(?:\\*deleting|[<>ch.][fdLDS]\\S{9})\\s*$");

  private RsyncPreCheck() {}

  /** Whether {@code line} of the dry run's output names an entry that differs. */
  static boolean isDifference(String line) {
    return DIFFERENCE.matcher(line).matches();
  }

  /**
   * Runs the dry run against {@code previous}.
   *
   * @return the report of a run that found the source unchanged, or empty when something differs or
   *     rsync could not tell (some files unreadable or vanished: the run itself reports those)
   * @throws dev.syncjobs.core.model.TransferException as the run would, when rsync fails (the
   *     source is unreachable, refuses, times out)
   */
  static Optional<TransferReport> sameAsPrevious(
      Path rsync, TransferRequest request, Path previous, Path pidFile, Consumer<String> log) {
    log.accept("comparing the source with " + previous.getFileName() + " (rsync --dry-run)");
    RsyncExecution.Result result;
    try (RsyncCommand command = RsyncCommand.buildCheck(rsync, request, previous, log)) {
      result =
          new RsyncExecution(request, command, pidFile, log)
              .stopAt(RsyncPreCheck::isDifference)
              .execute();
    }
    if (result.stoppedAtLine()) {
      log.accept("the source differs from " + previous.getFileName() + ": transferring");
      return Optional.empty();
    }
    int code = result.exitCode();
    if (RsyncExit.isWarning(code)) {
      log.accept("the comparison could not read every file: transferring");
      return Optional.empty();
    }
    if (code != 0) {
      throw RsyncExit.failure(code, result.stderrTail(), request.source().uri().toString());
    }
    RsyncProgressParser.Stats stats = result.stats();
    if (stats.regularFiles() < 0 || stats.bytesTotal() < 0 || stats.filesTransferred() != 0) {
      log.accept("rsync's comparison ended without its totals: transferring");
      return Optional.empty();
    }
    log.accept(
        String.format(
            java.util.Locale.ROOT,
            "rsync: %d files (%d bytes) in the source, all as in %s",
            stats.regularFiles(),
            stats.bytesTotal(),
            previous.getFileName()));
    return Optional.of(
        TransferReport.sameAsPrevious(stats.regularFiles(), stats.bytesTotal(), List.of()));
  }
}
