package dev.syncjobs.rsync;

import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.staging.StagingPaths;
import dev.syncjobs.core.version.Bookkeeping;
import dev.syncjobs.core.version.FileTrees;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link Transfer} for {@code rsync://host[:port]/module/path} (an rsync daemon) and {@code
 * ssh://user@host[:port]/path} (rsync over ssh) sources, running the system {@code rsync}.
 *
 * <p>rsync mirrors the (filtered) source into the staging directory with {@code --delete}, so
 * leftovers of an interrupted attempt are removed, and with {@code --link-dest} on the previous
 * version, so unchanged files become hard links to it. Files get their write bits removed ({@code
 * --chmod=Fa-w}) as published versions have them, because rsync links a file only when its mode
 * matches too. Interrupted files are kept in a partial directory and resumed by the next attempt;
 * the files an interrupted attempt linked to a version are unlinked before rsync resumes ({@link
 * RsyncResume}), so that no change rsync applies in place reaches a published version. Progress
 * comes from lines rsync prints when asked, twice a second ({@link RsyncProgressRequest}; {@code
 * --info=progress2}, a line per transferred file, from an rsync older than 3.2.0), read by {@link
 * RsyncProgressParser}; the current file and its bytes so far from the receiver's open file ({@link
 * RsyncCurrentFile}).
 *
 * <p>With a previous version and nothing staged yet, a dry run first asks rsync which entries of
 * the source differ from that version ({@link RsyncPreCheck}): when none does, nothing is staged
 * and the report says {@link TransferReport#sameAsPrevious}; when some do, the run links the others
 * itself and rsync transfers those alone ({@link RsyncChangedOnly}).
 *
 * <p>Credentials: an rsync daemon password reaches rsync through its environment ({@code
 * RSYNC_PASSWORD}), never its arguments or the disk; an ssh key and known_hosts lines go to private
 * temporary files, deleted when the transfer ends. Without known_hosts in the credentials the host
 * key must already be trusted by the server user's or the system's known_hosts: an unknown host key
 * is never accepted. ssh runs with {@code BatchMode=yes} and rsync without a terminal, so nothing
 * ever waits for a typed password.
 *
 * <p>Cancelling stops rsync and its children (SIGTERM, SIGKILL after 3 s); rsync also dies with the
 * JVM, even when the JVM is killed, where util-linux's {@code setpriv} is available (see {@link
 * RsyncProcesses}).
 *
 * <p>Before rsync starts, every address the source host resolves to is checked against the denied
 * networks; a host in one is refused without starting anything.
 */
public final class RsyncTransfer implements Transfer {
  private final String rsyncPath;
  private final DeniedNetworks deniedNetworks;

  /** Uses {@code rsync} found on {@code PATH}; link-local and metadata addresses are denied. */
  public RsyncTransfer() {
    this("rsync");
  }

  /**
   * @param rsyncPath the rsync binary: a path, or a name looked up on {@code PATH}
   *     (SYNCJOBS_RSYNC_PATH); link-local and metadata addresses are denied
   */
  public RsyncTransfer(String rsyncPath) {
    this(rsyncPath, DeniedNetworks.DEFAULT);
  }

  /**
   * @param rsyncPath the rsync binary: a path, or a name looked up on {@code PATH}
   * @param deniedNetworks address ranges the source host may not resolve to, checked before rsync
   *     or ssh is started (SYNCJOBS_SOURCE_DENY_NETWORKS)
   */
  public RsyncTransfer(String rsyncPath, DeniedNetworks deniedNetworks) {
    this.rsyncPath = Objects.requireNonNull(rsyncPath, "rsyncPath");
    this.deniedNetworks = Objects.requireNonNull(deniedNetworks, "deniedNetworks");
  }

  @Override
  public boolean supports(Source source) {
    return source instanceof Source.Rsync || source instanceof Source.Ssh;
  }

  /** rsync writes every file with {@code --chmod=Fa-w}. */
  @Override
  public boolean writesReadOnlyFiles() {
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Runs on the calling thread and blocks until rsync has exited.
   *
   * @throws TransferException naming the binary when rsync is missing (not retryable), or with a
   *     message for rsync's exit status and the last line of its stderr
   */
  @Override
  public TransferReport transfer(TransferRequest request) {
    request.cancel().throwIfCancelled();
    admit(request.source());
    Path rsync =
        RsyncProcesses.which(rsyncPath)
            .orElseThrow(
                () ->
                    new TransferException(
                        "rsync binary not found: '"
                            + rsyncPath
                            + "'"
                            + (rsyncPath.contains("/") ? "" : " is not on PATH")
                            + "; install rsync or set SYNCJOBS_RSYNC_PATH",
                        false,
                        null));
    Path staging = request.staging().toAbsolutePath().normalize();
    Path pidFile = staging.resolveSibling(staging.getFileName() + ".pid");
    Consumer<String> log = synchronizedLog(request.log());
    RsyncProcesses.killRecorded(pidFile, log);
    boolean resuming = hasEntries(staging);
    if (resuming) {
      log.accept("resuming from the files of an interrupted attempt");
      RsyncResume.unshare(staging, log);
    }
    try {
      // rsync creates the last folder of --partial-dir only
      Bookkeeping.create(staging);
    } catch (IOException e) {
      throw new TransferException("cannot create the records of " + staging + ": " + e, e);
    }
    Optional<Path> previous = request.previousVersion();
    if (!resuming && previous.isPresent() && !holdsOldRecords(previous.get())) {
      RsyncPreCheck.Outcome found =
          RsyncPreCheck.compare(rsync, request, previous.get(), pidFile, log);
      if (found.same() != null) {
        return found.same();
      }
      request.cancel().throwIfCancelled();
      if (found.changes() != null) {
        Optional<RsyncExecution.Result> result =
            RsyncChangedOnly.transfer(
                rsync, request, previous.get(), found.changes(), pidFile, log);
        if (result.isPresent()) {
          return finish(request, result.get(), found.totals(), log);
        }
        request.cancel().throwIfCancelled();
      }
    }
    try (RsyncCommand command = RsyncCommand.build(rsync, request, log)) {
      RsyncExecution.Result result = new RsyncExecution(request, command, pidFile, log).execute();
      return finish(request, result, result.stats(), log);
    }
  }

  /**
   * Resolves the source host and checks every address before rsync or ssh is started. rsync and ssh
   * resolve the name again themselves, through the same system resolver moments later.
   *
   * @throws TransferException when an address lies in a denied network (a {@code
   *     SourceRefusedException}), or, retryable, when the name does not resolve
   */
  private void admit(Source source) {
    if (deniedNetworks.isEmpty()) {
      return;
    }
    String host = source.uri().getHost();
    try {
      deniedNetworks.resolve(host);
    } catch (UnknownHostException e) {
      throw new TransferException(
          "cannot resolve " + host + " to check it against the denied networks", true, e);
    }
  }

  /**
   * The report of a finished rsync run.
   *
   * @param totals the {@code --stats} that counted the whole source: the run's own, or the dry
   *     run's when the run transferred only the entries that differ
   */
  private static TransferReport finish(
      TransferRequest request,
      RsyncExecution.Result result,
      RsyncProgressParser.Stats totals,
      Consumer<String> log) {
    String source = request.source().uri().toString();
    RsyncProgressParser.Stats stats = result.stats();
    List<String> warnings = new ArrayList<>();
    if (result.exitCode() != 0) {
      if (RsyncExit.isWarning(result.exitCode()) && stats.entries() > 0) {
        String warning = RsyncExit.warning(result.exitCode(), result.stderrTail());
        log.accept("warning: " + warning);
        warnings.add(warning);
      } else if (RsyncExit.isWarning(result.exitCode())) {
        throw new TransferException(
            "the source "
                + source
                + " does not exist or cannot be read: "
                + String.join(" / ", result.stderrTail()),
            true,
            null);
      } else {
        throw RsyncExit.failure(result.exitCode(), result.stderrTail(), source);
      }
    }
    removePartialDir(request.staging());
    Progress last = result.progress();
    // The exact figures (a link counts the length of its target, as rsync counts it): the running
    // ones count folders among the entries and read the bytes off a percentage.
    long filesTotal = totals.regularFiles() >= 0 ? totals.regularFiles() : last.filesTotal();
    long bytesTotal = totals.bytesTotal() >= 0 ? totals.bytesTotal() : last.bytesTotal();
    long filesTransferred = Math.max(0, stats.filesTransferred());
    long bytesTransferred = Math.max(0, stats.bytesTransferred());
    request
        .progress()
        .onProgress(
            new Progress(
                filesTotal, filesTotal, bytesTotal, bytesTotal, null, last.bytesPerSecond()));
    log.accept(
        String.format(
            java.util.Locale.ROOT,
            "rsync: %d files (%d bytes) in the source, %d transferred (%d bytes), %d bytes"
                + " received",
            filesTotal,
            bytesTotal,
            filesTransferred,
            bytesTransferred,
            Math.max(0, stats.bytesReceived())));
    return new TransferReport(
        filesTotal, bytesTotal, filesTransferred, bytesTransferred, warnings, false, 0);
  }

  /**
   * An unchanged source is never reported for a version holding an earlier release's records (see
   * {@link TransferReport#sameAsPrevious}): the run links a version without them.
   */
  private static boolean holdsOldRecords(Path previous) {
    try {
      return Bookkeeping.holdsOldRecords(previous);
    } catch (IOException e) {
      throw new TransferException("cannot read " + previous + ": " + e.getMessage(), e);
    }
  }

  private static Consumer<String> synchronizedLog(Consumer<String> log) {
    Object lock = new Object();
    return line -> {
      synchronized (lock) {
        log.accept(line);
      }
    };
  }

  private static boolean hasEntries(Path staging) {
    try {
      return StagingPaths.holdsEntries(staging);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Removes the partial directory once rsync finished: the version's records keep nothing of it.
   */
  private static void removePartialDir(Path staging) {
    Path dir = RsyncCommand.partialDir(staging);
    try {
      if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        FileTrees.delete(dir);
      }
    } catch (IOException e) {
      throw new TransferException("cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }
}
