package dev.syncjobs.core.port;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.throttle.Throttle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Everything a {@link Transfer} needs for one run.
 *
 * @param source where to read
 * @param auth credentials, null when none
 * @param caBundle extra trusted PEM CAs for https, null when none
 * @param staging the directory to fill (exists, unless the transfer {@linkplain
 *     Transfer#createsStaging() creates it}; may hold leftovers of an interrupted attempt)
 * @param previousVersion the current version, to hard-link unchanged files from
 * @param filters effective filter rules
 * @param options per-run transfer options
 * @param progress receives progress; may be called from any thread
 * @param cancel cancellation of this run
 * @param log lines for the run's log (what was skipped, warnings, the tail of a tool's stderr)
 */
public record TransferRequest(
    Source source,
    SourceAuth auth,
    String caBundle,
    Path staging,
    Optional<Path> previousVersion,
    Filters filters,
    Options options,
    ProgressListener progress,
    CancellationToken cancel,
    Consumer<String> log) {

  public TransferRequest {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(staging, "staging");
    previousVersion = previousVersion == null ? Optional.empty() : previousVersion;
    filters = filters == null ? Filters.none() : filters;
    options = options == null ? Options.DEFAULTS : options;
    progress = progress == null ? p -> {} : progress;
    cancel = cancel == null ? new CancellationToken() : cancel;
    log = log == null ? line -> {} : log;
  }

  /**
   * Per-run transfer options.
   *
   * @param verifyChecksums verify every transferred file
   * @param compareChecksums decide "changed" by content, not size and time
   * @param bandwidthLimit bytes per second for the whole run as the run starts (the lower of the
   *     job's limit and the global one then in force), null for unlimited: what a transfer that
   *     cannot take {@code throttle} (an external process) is limited to
   * @param timeout I/O timeout (stalled connection)
   * @param throttle what a transfer that moves bytes itself takes each read or write from: the
   *     job's own limit and the instance's live global limit
   * @param keepsRemoved the job keeps the files the source no longer has (its {@code
   *     delete_removed} is false): the engine carries them over from the previous version, so a
   *     transfer comparing the source with that version need not count them as differences
   */
  public record Options(
      boolean verifyChecksums,
      boolean compareChecksums,
      Long bandwidthLimit,
      Duration timeout,
      Throttle throttle,
      boolean keepsRemoved) {
    public static final Options DEFAULTS = new Options(true, false, null, Duration.ofSeconds(60));

    public Options {
      timeout = timeout == null ? Duration.ofSeconds(60) : timeout;
      throttle = throttle == null ? Throttle.NONE : throttle;
    }

    /** Options of a job that deletes what the source removed. */
    public Options(
        boolean verifyChecksums,
        boolean compareChecksums,
        Long bandwidthLimit,
        Duration timeout,
        Throttle throttle) {
      this(verifyChecksums, compareChecksums, bandwidthLimit, timeout, throttle, false);
    }

    /** Options whose throttle is a bucket of their own at {@code bandwidthLimit}. */
    public Options(
        boolean verifyChecksums, boolean compareChecksums, Long bandwidthLimit, Duration timeout) {
      this(verifyChecksums, compareChecksums, bandwidthLimit, timeout, Throttle.of(bandwidthLimit));
    }
  }
}
