package dev.syncjobs.core.run;

import dev.syncjobs.core.bandwidth.GlobalBandwidth;
import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.DiskFullException;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.ProgressListener;
import dev.syncjobs.core.port.SourcePolicy;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.version.Bookkeeping;
import dev.syncjobs.core.version.StorageBackends;
import dev.syncjobs.core.version.VersionDiff;
import dev.syncjobs.core.version.VersionStore;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Executes one run of a job, start to end: stage → transfer → verify → publish → prune. It never
 * touches the database; {@link RunWorker} claims runs and records what this returns.
 *
 * <p>Guarantees: a failed, cancelled or crashed run never changes {@code current}; a run that found
 * nothing added, changed or removed publishes no version; a run that would drop more than {@code
 * max_delete_percent} of the previous version's files fails instead of publishing.
 */
public final class SyncEngine {
  private final StorageBackends backends;
  private final List<Transfer> transfers;
  private final Clock clock;
  private final GlobalBandwidth bandwidth;
  private final Duration ioTimeout;
  private final SourcePolicy sourcePolicy;

  /**
   * @param transfers the available transfer adapters; the first that supports a source is used
   * @param globalBandwidthLimit a fixed global download limit in bytes per second, or null
   */
  public SyncEngine(
      StorageBackends backends,
      List<Transfer> transfers,
      Clock clock,
      Long globalBandwidthLimit,
      Duration ioTimeout) {
    this(
        backends,
        transfers,
        clock,
        ioTimeout,
        GlobalBandwidth.fixed(globalBandwidthLimit),
        SourcePolicy.ALLOW_ALL);
  }

  /**
   * @param bandwidth the instance's global limits, shared by every run (the job's own limit applies
   *     on top)
   * @param sourcePolicy asked as each run starts, before anything is staged; the transfer reads the
   *     source it returns
   */
  public SyncEngine(
      StorageBackends backends,
      List<Transfer> transfers,
      Clock clock,
      Duration ioTimeout,
      GlobalBandwidth bandwidth,
      SourcePolicy sourcePolicy) {
    this.sourcePolicy = sourcePolicy;
    this.backends = backends;
    this.transfers = List.copyOf(transfers);
    this.clock = clock;
    this.bandwidth = bandwidth;
    this.ioTimeout = ioTimeout;
  }

  public SyncEngine(StorageBackends backends, List<Transfer> transfers, Clock clock) {
    this(backends, transfers, clock, null, Duration.ofSeconds(60));
  }

  public StorageBackends backends() {
    return backends;
  }

  /** The adapter that handles a source. */
  public Transfer transferFor(Source source) {
    return transfers.stream()
        .filter(t -> t.supports(source))
        .findFirst()
        .orElseThrow(
            () ->
                new TransferException(
                    "no transfer adapter for " + source.uri().getScheme() + " sources",
                    false,
                    null));
  }

  /** Whether retrying a failed outcome may help. */
  public record Result(RunOutcome outcome, boolean retryable) {}

  /**
   * Runs the job once. Never throws for transfer problems: they become a failed outcome.
   *
   * @param progress receives (unthrottled) progress
   * @param log receives the run's log lines
   */
  public Result execute(
      Job job, CancellationToken cancel, ProgressListener progress, Consumer<String> log) {
    Progress[] last = {Progress.NONE};
    ProgressListener monotonic =
        p -> {
          synchronized (last) {
            Progress prev = last[0];
            Progress next =
                new Progress(
                    Math.max(prev.filesDone(), p.filesDone()),
                    Math.max(prev.filesTotal(), p.filesTotal()),
                    Math.max(prev.bytesDone(), p.bytesDone()),
                    Math.max(prev.bytesTotal(), p.bytesTotal()),
                    p.currentFile(),
                    p.bytesPerSecond());
            last[0] = next;
            progress.onProgress(next);
          }
        };
    VersionStore store = null;
    Path staging = null;
    try {
      cancel.throwIfCancelled();
      Source source = sourcePolicy.admit(job.source());
      if (!source.equals(job.source())) {
        log.accept("reading " + source.uri());
      }
      Path dir = backends.resolve(job.destination());
      store = new VersionStore(dir);
      Optional<Path> previous = store.current();
      Transfer transfer = transferFor(source);
      staging = store.prepareStaging(clock.instant(), !transfer.createsStaging());
      log.accept("staging in " + staging.getFileName());
      Long jobLimit = job.options().bandwidthLimit();
      TransferReport report =
          transfer.transfer(
              new TransferRequest(
                  source,
                  job.auth(),
                  job.caBundle(),
                  staging,
                  previous,
                  job.effectiveFilters(),
                  new TransferRequest.Options(
                      job.options().verifyChecksums(),
                      job.options().compareChecksums(),
                      bandwidth.downloadLimitNow(jobLimit),
                      ioTimeout,
                      bandwidth.downloadThrottle(jobLimit),
                      !job.options().deleteRemoved()),
                  monotonic,
                  cancel,
                  log));
      report.warnings().forEach(w -> log.accept("warning: " + w));
      if (report.filesSkipped() > 0) {
        log.accept(
            report.filesSkipped() + " names the backend cannot hold were skipped (files_skipped)");
      }
      cancel.throwIfCancelled();
      if (report.sameAsPrevious() && previous.isPresent()) {
        log.accept("the source matches the previous version file for file");
        Progress seen = finalTotals(last[0], report);
        return nothingChanged(
            store,
            staging,
            previous.get(),
            new Progress(0, seen.filesTotal(), 0, seen.bytesTotal(), null, seen.bytesPerSecond()),
            report.filesSkipped(),
            log);
      }
      Map<String, BasicFileAttributes> staged;
      VersionDiff.Diff diff;
      if (previous.isEmpty() && transfer.writesReadOnlyFiles()) {
        // A first version compares with nothing, and its files are read-only already.
        staged = Map.of();
        int files = (int) Math.min(Integer.MAX_VALUE, report.filesTotal());
        diff = new VersionDiff.Diff(files, 0, 0, 0, files);
      } else if (transfer.writesReadOnlyFiles()) {
        // Nothing to make read-only when publishing: compared without holding the staged list.
        staged = Map.of();
        diff = VersionDiff.compare(staging, previous);
      } else {
        staged = listStaging(staging);
        diff = VersionDiff.compare(staged, previous);
      }
      log.accept(
          String.format(
              Locale.ROOT,
              "%d added, %d changed, %d removed of %d files",
              diff.added(),
              diff.changed(),
              diff.removed(),
              diff.previousFiles()));
      if (job.options().deleteRemoved()) {
        if (diff.removed() > 0 && diff.removedPercent() > job.options().maxDeletePercent()) {
          return new Result(
              RunOutcome.failed(
                  String.format(
                      Locale.ROOT,
                      "refused to publish: the source dropped %d of %d files (%.0f%%), more than"
                          + " max_delete_percent %d%%; the current version stays",
                      diff.removed(),
                      diff.previousFiles(),
                      diff.removedPercent(),
                      job.options().maxDeletePercent())),
              false);
        }
      } else if (previous.isPresent() && diff.removed() > 0) {
        int carried = VersionDiff.carryOver(staging, previous.get());
        log.accept("carried over " + carried + " files the source no longer has");
        diff = new VersionDiff.Diff(diff.added(), diff.changed(), 0, diff.previousFiles(), 0);
      }
      Progress done = finalTotals(last[0], report);
      if (previous.isPresent() && diff.unchanged() && !holdsOldRecords(previous.get(), log)) {
        return nothingChanged(
            store,
            staging,
            previous.get(),
            new Progress(0, done.filesTotal(), 0, done.bytesTotal(), null, done.bytesPerSecond()),
            report.filesSkipped(),
            log);
      }
      // A transfer that writes read-only files leaves nothing to make read-only (links to the
      // previous version, carried-over files included): publishing looks at no file again.
      String version = store.publish(staging, transfer.writesReadOnlyFiles() ? Map.of() : staged);
      log.accept("published " + version);
      List<String> pruned = store.prune(job.options().keepVersions());
      if (!pruned.isEmpty()) {
        log.accept("pruned " + String.join(", ", pruned));
      }
      return new Result(
          new RunOutcome(
              RunStatus.SUCCESS,
              new Progress(
                  report.filesTransferred(),
                  done.filesTotal(),
                  report.bytesTransferred(),
                  done.bytesTotal(),
                  null,
                  done.bytesPerSecond()),
              null,
              version,
              report.filesSkipped()),
          false);
    } catch (CancelledException e) {
      if (cancel.isAbandoned() && staging != null) {
        store.discard(staging);
        log.accept("cancelled: the job was deleted, so its staging directory was removed");
        return new Result(new RunOutcome(RunStatus.CANCELLED, last[0], "cancelled", null), false);
      }
      log.accept("cancelled; partial files stay for the next run to resume");
      return new Result(new RunOutcome(RunStatus.CANCELLED, last[0], "cancelled", null), false);
    } catch (RuntimeException e) {
      if (DiskFullException.isDiskFull(e)) {
        String error = diskFull(job, e);
        log.accept("failed: " + error);
        return new Result(new RunOutcome(RunStatus.FAILED, last[0], error, null), false);
      }
      if (e instanceof TransferException t) {
        log.accept("failed: " + t.getMessage());
        return new Result(
            new RunOutcome(RunStatus.FAILED, last[0], t.getMessage(), null), t.retryable());
      }
      if (e instanceof SyncException) {
        log.accept("failed: " + e.getMessage());
        return new Result(new RunOutcome(RunStatus.FAILED, last[0], e.getMessage(), null), false);
      }
      log.accept("failed: " + e);
      return new Result(
          new RunOutcome(RunStatus.FAILED, last[0], "internal error: " + e, null), true);
    }
  }

  /**
   * The error of a run that found its backend full: which backend, how much room is left, and what
   * did not fit. Not retried: the disk stays full until someone frees space or the file leaves the
   * source, and the run already removed what it had half-written of that file.
   */
  private String diskFull(Job job, RuntimeException e) {
    String name = job.destination().backendId();
    String free =
        backends
            .find(name)
            .map(b -> String.format(Locale.ROOT, "%,d bytes free", b.freeBytes()))
            .orElse("free space unknown");
    String what = e.getMessage() == null ? e.toString() : e.getMessage();
    return "backend '"
        + name
        + "' is full ("
        + free
        + "): "
        + what
        + "; the current version stays, the next run continues once there is room";
  }

  /**
   * Discards the staging directory: the previous version stays current.
   *
   * @param outcome the run's final progress (nothing transferred)
   * @param filesSkipped names the transfer left out
   */
  private static Result nothingChanged(
      VersionStore store,
      Path staging,
      Path previous,
      Progress outcome,
      long filesSkipped,
      Consumer<String> log) {
    store.discard(staging);
    String current = previous.getFileName().toString();
    log.accept("nothing changed; " + current + " stays current");
    return new Result(
        new RunOutcome(RunStatus.SUCCESS, outcome, null, current, filesSkipped), false);
  }

  /**
   * Whether the previous version still holds records an earlier release kept inside versions: then
   * an unchanged source is published anyway, as a version of links without them, so that {@code
   * current} serves the source's files alone without the old version being changed in place.
   */
  private static boolean holdsOldRecords(Path previous, Consumer<String> log) {
    try {
      if (Bookkeeping.holdsOldRecords(previous)) {
        log.accept(
            previous.getFileName()
                + " holds syncjobs' records of an earlier release; publishing the same files"
                + " without them");
        return true;
      }
      return false;
    } catch (IOException e) {
      throw new SyncException("cannot read " + previous + ": " + e, e);
    }
  }

  private static Map<String, BasicFileAttributes> listStaging(Path staging) {
    try {
      return VersionStore.files(staging);
    } catch (IOException e) {
      throw new SyncException("cannot list " + staging + ": " + e, e);
    }
  }

  /**
   * The run's totals: the transfer's report where it counted anything, else what the live progress
   * reached. Live totals never shrink and may be estimates that overshoot (rsync counts folders
   * among its entries while its list grows); the report's are exact.
   */
  private static Progress finalTotals(Progress live, TransferReport report) {
    Progress seen = live.completed();
    boolean counted = report.filesTotal() > 0 || report.bytesTotal() > 0;
    long files = counted ? report.filesTotal() : seen.filesTotal();
    long bytes = counted ? report.bytesTotal() : seen.bytesTotal();
    return new Progress(files, files, bytes, bytes, null, seen.bytesPerSecond());
  }
}
