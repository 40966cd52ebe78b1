package dev.syncjobs.app.cli;

import dev.syncjobs.app.wiring.Transfers;
import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.run.RunWorker;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code syncjobs once <source> <destination-dir>}: one mirror run into versioned folders, {@code
 * <destination-dir>/<UTC time>} with {@code current} pointing at the newest, with a progress line
 * on a terminal. Exit status 0 on success, 1 when the run failed, 2 for bad arguments, 130 when
 * interrupted.
 */
@Command(
    name = "once",
    mixinStandardHelpOptions = true,
    description = {
      "Mirror <source> once into a new version under <destination-dir>.",
      "Sources: file:///path, http(s)://host/path[/], rsync://host[:port]/module/path,"
          + " ssh://user@host[:port]/path."
    })
public final class OnceCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "Source URL.")
  String source;

  @Parameters(index = "1", description = "Destination directory (created; its parent must exist).")
  Path destination;

  @Option(names = "--include", description = "Only files matching this rsync-style glob.")
  String include;

  @Option(names = "--exclude", description = "Skip files and folders matching this glob.")
  String exclude;

  @Option(
      names = "--filter",
      description = "An ordered rsync-style rule, e.g. '- *.tmp' (repeatable; before the above).")
  List<String> filters = new ArrayList<>();

  @Option(
      names = "--keep-versions",
      defaultValue = "3",
      description = "Versions kept, 0..10 (0 = all). Default: ${DEFAULT-VALUE}.")
  int keepVersions;

  @Option(
      names = "--delete-removed",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Drop files the source no longer has (default); --no-delete-removed keeps them.")
  boolean deleteRemoved;

  @Option(
      names = "--max-delete-percent",
      defaultValue = "50",
      description =
          "Refuse to publish when more than this share of files would go. Default: ${DEFAULT-VALUE}.")
  int maxDeletePercent;

  @Option(
      names = "--verify-checksums",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Verify every transferred file (default on).")
  boolean verifyChecksums;

  @Option(
      names = "--compare-checksums",
      description = "Decide 'changed' by content instead of size and time.")
  boolean compareChecksums;

  @Option(names = "--bandwidth-limit", description = "Bytes per second.")
  Long bandwidthLimit;

  @Option(
      names = "--max-retries",
      defaultValue = "0",
      description = "Retries of a failed run, 0..10. Default: ${DEFAULT-VALUE}.")
  int maxRetries;

  @Option(
      names = "--retry-delay",
      defaultValue = "10",
      description =
          "Seconds before the first retry (doubled each time). Default: ${DEFAULT-VALUE}.")
  long retryDelaySeconds;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      description = "I/O timeout in seconds. Default: ${DEFAULT-VALUE}.")
  long timeoutSeconds;

  @Option(
      names = "--http-connections",
      defaultValue = "${env:SYNCJOBS_HTTP_CONNECTIONS:-4}",
      description = "Parallel connections of an HTTP run. Default: ${DEFAULT-VALUE}.")
  int httpConnections;

  @Option(
      names = "--rsync-path",
      defaultValue = "${env:SYNCJOBS_RSYNC_PATH:-rsync}",
      description = "The rsync binary. Default: ${DEFAULT-VALUE}.")
  String rsyncPath;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress line.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Job job;
    SyncRuntime runtime;
    try {
      Path dest = destination.toAbsolutePath().normalize();
      Path parent = dest.getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw new ValidationException(
            "destination-dir", "its parent directory must exist: " + parent);
      }
      runtime = buildRuntime(new StorageBackend("once", parent, false));
      job =
          Job.builder(
                  runtime.jobs().newId(),
                  "once",
                  Source.parse(source),
                  new Destination("once", dest.getFileName().toString()))
              .include(include)
              .exclude(exclude)
              .filters(filters.stream().map(FilterRule::parse).toList())
              .options(
                  new JobOptions(
                      verifyChecksums,
                      compareChecksums,
                      deleteRemoved,
                      maxDeletePercent,
                      keepVersions,
                      bandwidthLimit,
                      maxRetries))
              .build();
      runtime.jobs().create(job);
    } catch (ValidationException e) {
      err.println("syncjobs once: " + e.getMessage());
      return 2;
    }
    return execute(runtime, job, out, err);
  }

  private SyncRuntime buildRuntime(StorageBackend backend) {
    SyncRuntime.Builder b =
        SyncRuntime.builder()
            .backend(backend)
            .workerSettings(
                RunWorker.Settings.builder("once")
                    .maxConcurrentRuns(1)
                    .pollInterval(Duration.ofMillis(50))
                    .retryBaseDelay(Duration.ofSeconds(retryDelaySeconds))
                    .build())
            .ioTimeout(Duration.ofSeconds(timeoutSeconds))
            .notifier(new QuietNotifier());
    Transfers.all(rsyncPath, httpConnections, DeniedNetworks.DEFAULT).forEach(b::transfer);
    return b.build();
  }

  private int execute(SyncRuntime runtime, Job job, PrintWriter out, PrintWriter err)
      throws InterruptedException {
    boolean tty = System.console() != null && !quiet;
    AtomicReference<ProgressEvent> lastEvent = new AtomicReference<>();
    Semaphore ended = new Semaphore(0);
    runtime
        .progress()
        .subscribe(
            e -> {
              lastEvent.set(e);
              if (e.status().isTerminal()) {
                ended.release();
              }
              if (tty && e.status() == RunStatus.RUNNING) {
                err.print("\r" + progressLine(e.progress()));
                err.flush();
              }
            });
    Thread hook =
        new Thread(
            () -> {
              runtime.jobs().list().forEach(j -> cancelQuietly(runtime, j));
              runtime.close();
            });
    Runtime.getRuntime().addShutdownHook(hook);
    Run run;
    try {
      run = runtime.jobs().runNow(job.id());
    } catch (SyncException e) {
      err.println("syncjobs once: " + e.getMessage());
      return 1;
    }
    runtime.start();
    Run finished = waitForEnd(runtime, job, run, ended);
    Runtime.getRuntime().removeShutdownHook(hook);
    runtime.close();
    if (tty) {
      err.print("\r" + " ".repeat(100) + "\r");
    }
    String log = runtime.jobs().log(job.id(), finished.id());
    if (finished.filesSkipped() > 0) {
      err.printf(
          Locale.ROOT,
          "%d names the backend cannot hold were skipped (see the run's log)%n",
          finished.filesSkipped());
    }
    if (finished.status() == RunStatus.SUCCESS) {
      Progress p = finished.progress();
      if (p.filesDone() == 0 && p.bytesDone() == 0 && p.filesTotal() > 0) {
        out.printf(
            Locale.ROOT,
            "%s: nothing changed in %d files; %s stays current%n",
            destination,
            p.filesTotal(),
            finished.version());
        return 0;
      }
      out.printf(
          Locale.ROOT,
          "%s: %d of %d files, %s transferred, version %s%n",
          destination,
          p.filesDone(),
          p.filesTotal(),
          bytes(p.bytesDone()),
          finished.version());
      return 0;
    }
    err.print(log);
    err.println(
        "syncjobs once: run "
            + finished.status().name().toLowerCase(Locale.ROOT)
            + ": "
            + finished.error());
    return finished.status() == RunStatus.CANCELLED ? 130 : 1;
  }

  /**
   * Follows the run and its retries until one ends without a retry queued; woken by the runs' end
   * events, and looks every 50 ms anyway.
   */
  private static Run waitForEnd(SyncRuntime runtime, Job job, Run run, Semaphore ended)
      throws InterruptedException {
    while (true) {
      Run r = runtime.jobs().run(job.id(), run.id());
      if (r.status().isTerminal()) {
        var active = runtime.runRepository().findActive(job.id());
        if (active.isEmpty()) {
          return r;
        }
        run = active.get();
      }
      ended.tryAcquire(50, TimeUnit.MILLISECONDS);
    }
  }

  private static void cancelQuietly(SyncRuntime runtime, Job j) {
    try {
      runtime.jobs().cancel(j.id());
    } catch (SyncException ignored) {
      // nothing running
    }
  }

  static String progressLine(Progress p) {
    String eta =
        p.etaSeconds() < 0
            ? "--:--"
            : String.format(Locale.ROOT, "%d:%02d", p.etaSeconds() / 60, p.etaSeconds() % 60);
    String current = p.currentFile() == null ? "" : p.currentFile();
    if (current.length() > 40) {
      current = "…" + current.substring(current.length() - 39);
    }
    return String.format(
        Locale.ROOT,
        "%5.1f%%  %d/%d files  %s/%s  %s/s  ETA %s  %-40s",
        p.percent(),
        p.filesDone(),
        p.filesTotal(),
        bytes(p.bytesDone()),
        bytes(p.bytesTotal()),
        bytes(p.bytesPerSecond()),
        eta,
        current);
  }

  static String bytes(long n) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
