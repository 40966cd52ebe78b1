package dev.syncjobs.rsync;

import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.version.Bookkeeping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One rsync invocation for a transfer request: the argument list (never through a shell) and the
 * environment, with the way to the source ({@link RsyncEndpoint}, whose credential files {@link
 * #close()} deletes).
 *
 * <p>User input only ever reaches rsync as the value of an option it belongs to ({@code
 * --filter=...}) or as the source operand after {@code --} ({@link RsyncEndpoint}).
 */
final class RsyncCommand implements AutoCloseable {
  /**
   * The partial directory in the staging directory's records ({@link Bookkeeping}): rsync keeps
   * interrupted files there and resumes from them. An absolute path, so rsync puts none in the
   * staging tree and excludes no source name for it.
   */
  static final String PARTIAL_DIR = "rsync-partial";

  private final List<String> arguments;
  private final RsyncEndpoint endpoint;
  private final boolean ioWatched;
  private final boolean progressOnRequest;

  private RsyncCommand(
      List<String> arguments,
      RsyncEndpoint endpoint,
      boolean ioWatched,
      boolean progressOnRequest) {
    this.arguments = List.copyOf(arguments);
    this.endpoint = endpoint;
    this.ioWatched = ioWatched;
    this.progressOnRequest = progressOnRequest;
  }

  /**
   * Whether the run's I/O timeout is left to {@link RsyncIoWatch} (no {@code --timeout} for rsync).
   */
  boolean ioWatched() {
    return ioWatched;
  }

  /**
   * Whether rsync prints progress only when asked ({@link RsyncProgressRequest}); otherwise it
   * prints {@code --info=progress2} lines, one per transferred file.
   */
  boolean progressOnRequest() {
    return progressOnRequest;
  }

  List<String> arguments() {
    return arguments;
  }

  /**
   * The rsync command that lists the one source entry {@code name} (relative to the source folder)
   * with this command's way to the source: for {@link RsyncFileSize}. {@code name} goes after
   * {@code --}, whole ({@code --protect-args}).
   */
  List<String> listingOf(String name, long timeoutSeconds) {
    List<String> args = new ArrayList<>();
    args.add(arguments.get(0));
    args.addAll(
        List.of(
            "--list-only",
            "--no-motd",
            "--no-human-readable",
            "--protect-args",
            "--timeout=" + timeoutSeconds));
    args.addAll(endpoint.options());
    args.add("--");
    args.add(endpoint.operand() + name);
    return args;
  }

  /** Variables to set in the child's environment (a null value removes the variable). */
  Map<String, String> environment() {
    return endpoint.environment();
  }

  /** Sets (and removes) {@link #environment()}'s variables in {@code builder}'s environment. */
  void applyEnvironment(ProcessBuilder builder) {
    Map<String, String> env = builder.environment();
    environment()
        .forEach(
            (k, v) -> {
              if (v == null) {
                env.remove(k);
              } else {
                env.put(k, v);
              }
            });
  }

  /** Where rsync keeps the interrupted files of {@code staging}. */
  static Path partialDir(Path staging) {
    return Bookkeeping.of(staging).resolve(PARTIAL_DIR);
  }

  /**
   * The command for {@code request}; the I/O timeout is watched from /proc, and progress asked for,
   * where they can be.
   */
  static RsyncCommand build(Path rsync, TransferRequest request, Consumer<String> log) {
    return writing(rsync, request, log, Mode.COPY, null);
  }

  /**
   * @param ioWatched true when {@link RsyncIoWatch} keeps the I/O timeout, false to give rsync
   *     {@code --timeout}; connecting is bounded by rsync and ssh either way
   */
  static RsyncCommand build(
      Path rsync, TransferRequest request, Consumer<String> log, boolean ioWatched) {
    return build(rsync, request, log, ioWatched, false, Mode.COPY, null);
  }

  /**
   * The dry run that compares the source with {@code previous} ({@link RsyncPreCheck}): the same
   * selection and comparison as {@link #build}, writing nothing, printing each entry that differs
   * ({@code --out-format=%i %n}) and the totals. For a job that keeps the files the source removed,
   * nothing is deleted: the previous version holds such files (carried over), and they are no
   * difference.
   */
  static RsyncCommand buildCheck(
      Path rsync, TransferRequest request, Path previous, Consumer<String> log) {
    return build(rsync, request, log, RsyncIoWatch.available(), false, Mode.CHECK, previous);
  }

  /**
   * The run that transfers only the entries named in {@code filesFrom} ({@link RsyncChangedOnly}):
   * no recursion (a folder named there is made or updated, its contents left alone), nothing
   * deleted, no filter (the dry run's selected the names), the previous version as the basis of
   * changed files.
   */
  static RsyncCommand buildListed(
      Path rsync, TransferRequest request, Path filesFrom, Consumer<String> log) {
    return writing(rsync, request, log, Mode.LISTED, filesFrom);
  }

  /** A run that writes into staging: I/O watched and progress asked for where they can be. */
  private static RsyncCommand writing(
      Path rsync, TransferRequest request, Consumer<String> log, Mode mode, Path path) {
    return build(
        rsync,
        request,
        log,
        RsyncIoWatch.available(),
        RsyncProgressRequest.available(rsync),
        mode,
        path);
  }

  /** What an invocation does. */
  private enum Mode {
    /** The whole (filtered) tree into staging, linking unchanged files to the previous version. */
    COPY,
    /** A dry run against the previous version, itemizing each entry that differs. */
    CHECK,
    /** The entries a list names, into staging. */
    LISTED
  }

  /**
   * @param path the previous version to compare with ({@link Mode#CHECK}), the file listing the
   *     names to transfer ({@link Mode#LISTED}), or null ({@link Mode#COPY})
   */
  private static RsyncCommand build(
      Path rsync,
      TransferRequest request,
      Consumer<String> log,
      boolean ioWatched,
      boolean progressOnRequest,
      Mode mode,
      Path path) {
    Source source = request.source();
    TransferRequest.Options options = request.options();
    List<String> args = new ArrayList<>();
    args.add(rsync.toString());
    // Archive mode without devices and specials: -rlptgo.
    if (mode != Mode.LISTED) {
      args.add("--recursive");
    }
    args.addAll(
        List.of(
            "--links",
            "--perms",
            "--times",
            "--group",
            "--owner",
            "--safe-links",
            "--protect-args",
            "--chmod=Fa-w",
            "--no-motd",
            "--no-human-readable",
            "--stats"));
    if (mode == Mode.COPY || (mode == Mode.CHECK && !options.keepsRemoved())) {
      args.add("--delete");
      args.add("--delete-excluded");
    } else if (mode == Mode.LISTED) {
      args.add("--files-from=" + path.toAbsolutePath());
      args.add("--from0");
    }
    if (mode != Mode.CHECK) {
      args.add("--partial-dir=" + partialDir(request.staging()));
      if (!progressOnRequest) {
        // Running bytes, rate and list position, with incremental recursion (files move while the
        // list is still coming); no line per listed file (see RsyncProgressParser), but one per
        // transferred file.
        args.add("--info=progress2");
      }
    } else {
      args.add("--dry-run");
      args.add("--out-format=%i %n");
    }
    long timeout = seconds(options.timeout());
    if (!ioWatched) {
      args.add("--timeout=" + timeout);
    }
    if (options.compareChecksums()) {
      args.add("--checksum");
    }
    if (options.bandwidthLimit() != null) {
      long bytes = options.bandwidthLimit();
      long kib = Math.max(1, bytes / 1024);
      if (bytes < 1024) {
        log.accept("bandwidth limit of " + bytes + " B/s raised to rsync's minimum of 1 KiB/s");
      }
      args.add("--bwlimit=" + kib);
    }
    if (!request.filters().isEmpty() && mode != Mode.LISTED) {
      args.add("--prune-empty-dirs");
      for (FilterRule rule : request.filters().rules()) {
        args.add("--filter=" + rule);
      }
    }
    if (mode != Mode.CHECK) {
      request
          .previousVersion()
          .ifPresent(p -> args.add("--link-dest=" + p.toAbsolutePath().normalize()));
    }

    RsyncEndpoint endpoint = RsyncEndpoint.of(source, request.auth(), timeout);
    args.addAll(endpoint.options());
    args.add("--");
    args.add(mode == Mode.LISTED ? endpoint.moduleTopOperand() : endpoint.operand());
    Path destination = mode == Mode.CHECK ? path : request.staging();
    args.add(destination.toAbsolutePath().normalize() + "/");
    return new RsyncCommand(args, endpoint, ioWatched, progressOnRequest);
  }

  /**
   * {@code d} in whole seconds, rounded up and at least 1, as rsync's and ssh's timeouts take it.
   */
  static long seconds(java.time.Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /** Deletes the temporary credential files. */
  @Override
  public void close() {
    endpoint.close();
  }
}
