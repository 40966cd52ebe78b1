package dev.syncjobs.rsync;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.Bookkeeping;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@link Transfer} for {@code rsync://host[:port]/module/path} (an rsync daemon) and {@code
 * ssh://user@host[:port]/path} (rsync over ssh) sources, running the system {@code rsync}.
 *
 * <p>rsync mirrors the (filtered) source into the staging directory with {@code --delete}, so
 * leftovers of an interrupted attempt are removed, and with {@code --link-dest} on the previous
 * version, so unchanged files become hard links to it. Files get their write bits removed ({@code
 * --chmod=Fa-w}) as published versions have them, because rsync links a file only when its mode
 * matches too. Interrupted files are kept in a partial directory and resumed by the next attempt.
 * Progress comes from {@code --info=progress2} and the file names from {@code --out-format}; totals
 * are known before any data moves ({@code --no-inc-recursive}).
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
  private static final long PROGRESS_INTERVAL_MILLIS = 500;

  /** How long the output reader lets rsync's lines gather after a short read. */
  private static final long OUTPUT_GATHER_MILLIS = 4;

  private static final int STDERR_TAIL = 20;
  private static final int STDERR_LOGGED = 200;

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
    }
    try {
      // rsync creates the last folder of --partial-dir only
      Bookkeeping.create(staging);
    } catch (IOException e) {
      throw new TransferException("cannot create the records of " + staging + ": " + e, e);
    }
    try (RsyncCommand command = RsyncCommand.build(rsync, request, log)) {
      Run run = new Run(request, command, pidFile, log);
      Result result = run.execute();
      return finish(request, result, resuming, log);
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

  private static TransferReport finish(
      TransferRequest request, Result result, boolean resuming, Consumer<String> log) {
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
    // The file list counts regular files only; rsync's "Total file size" adds symlink lengths.
    long filesTotal = result.totalsKnown() ? last.filesTotal() : Math.max(0, stats.regularFiles());
    long bytesTotal = result.totalsKnown() ? last.bytesTotal() : Math.max(0, stats.bytesTotal());
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

  private record Result(
      int exitCode,
      List<String> stderrTail,
      RsyncProgressParser.Stats stats,
      Progress progress,
      boolean totalsKnown) {}

  /** One rsync process, from start to exit. */
  private static final class Run {
    private final TransferRequest request;
    private final RsyncCommand command;
    private final Path pidFile;
    private final Consumer<String> log;
    private final RsyncProgressParser parser = new RsyncProgressParser();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile Thread stopper;
    private volatile boolean guarded;
    private final AtomicBoolean dirty = new AtomicBoolean();

    Run(TransferRequest request, RsyncCommand command, Path pidFile, Consumer<String> log) {
      this.request = request;
      this.command = command;
      this.pidFile = pidFile;
      this.log = log;
    }

    Result execute() {
      RsyncProcesses.Launcher launcher = RsyncProcesses.launcher();
      guarded = launcher.guarded();
      List<String> argv = new ArrayList<>(launcher.prefix());
      argv.addAll(command.arguments());
      ProcessBuilder builder = new ProcessBuilder(argv);
      Map<String, String> env = builder.environment();
      command
          .environment()
          .forEach(
              (k, v) -> {
                if (v == null) {
                  env.remove(k);
                } else {
                  env.put(k, v);
                }
              });
      builder.directory(request.staging().toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      log.accept("running " + describe(command.arguments()));
      Process process;
      try {
        // Started on the calling thread, which waits for it: see RsyncProcesses on pdeathsig.
        process = builder.start();
      } catch (IOException e) {
        throw new TransferException("cannot start rsync: " + e.getMessage(), false, e);
      }
      ProcessHandle handle = process.toHandle();
      Thread hook = new Thread(() -> RsyncProcesses.killNow(handle), "rsync-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      Thread errors = new Thread(() -> readStderr(process.getErrorStream()), "rsync-stderr");
      errors.setDaemon(true);
      errors.start();
      ScheduledExecutorService ticker =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "rsync-progress");
                t.setDaemon(true);
                return t;
              });
      ticker.scheduleAtFixedRate(
          this::publishProgress,
          PROGRESS_INTERVAL_MILLIS,
          PROGRESS_INTERVAL_MILLIS,
          TimeUnit.MILLISECONDS);
      try {
        RsyncProcesses.writePidFile(pidFile, handle);
        request.cancel().onCancel(() -> stopAsync(handle));
        readStdout(process.getInputStream());
        int code = process.waitFor();
        errors.join(TimeUnit.SECONDS.toMillis(5));
        if (request.cancel().isCancelled()) {
          awaitStopped(handle);
          throw new CancelledException();
        }
        synchronized (parser) {
          return new Result(code, tail(), parser.stats(), parser.progress(), parser.totalsKnown());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        RsyncProcesses.stop(handle, guarded, RsyncProcesses.GRACE);
        throw new CancelledException();
      } catch (IOException e) {
        RsyncProcesses.stop(handle, guarded, RsyncProcesses.GRACE);
        if (request.cancel().isCancelled()) {
          throw new CancelledException();
        }
        throw new TransferException("lost rsync's output: " + e.getMessage(), e);
      } finally {
        ticker.shutdownNow();
        awaitQuietly(ticker);
        if (handle.isAlive()) {
          RsyncProcesses.stop(handle, guarded, RsyncProcesses.GRACE);
        }
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs anyway
        }
        try {
          Files.deleteIfExists(pidFile);
        } catch (IOException e) {
          log.accept("cannot delete " + pidFile.getFileName() + ": " + e.getMessage());
        }
      }
    }

    private static void awaitQuietly(ScheduledExecutorService ticker) {
      try {
        ticker.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void stopAsync(ProcessHandle handle) {
      if (!handle.isAlive() || !stopping.compareAndSet(false, true)) {
        return;
      }
      log.accept("cancel requested: stopping rsync");
      Thread t =
          new Thread(
              () -> RsyncProcesses.stop(handle, guarded, RsyncProcesses.GRACE), "rsync-stop");
      t.setDaemon(true);
      stopper = t;
      t.start();
    }

    private void awaitStopped(ProcessHandle handle) throws InterruptedException {
      Thread t = stopper;
      if (t != null) {
        t.join(TimeUnit.SECONDS.toMillis(6));
      }
      if (handle.isAlive()) {
        RsyncProcesses.stop(handle, guarded, RsyncProcesses.GRACE);
      }
    }

    /** Publishes the latest progress if it changed: at most twice a second. */
    private void publishProgress() {
      Progress p;
      synchronized (parser) {
        // Totals stay 0 (unknown) if an rsync without the file-list debug output ever runs this.
        if (!dirty.getAndSet(false)) {
          return;
        }
        p = parser.progress();
      }
      try {
        request.progress().onProgress(p);
      } catch (RuntimeException e) {
        // A failing listener must not stop the updates that follow (nor the transfer).
        log.accept("progress listener failed: " + e);
      }
    }

    /**
     * Feeds rsync's output to the parser, one read at a time. rsync writes a line at a time (for a
     * tree of small files, several lines per file), so after a short read this waits a few
     * milliseconds for more to gather in the pipe: a read per 10-20 KiB instead of one per line
     * (each read is a system call and a wake-up). A full read never waits, so rsync is never held
     * up on a full pipe for long; progress goes out every 500 ms anyway.
     */
    private void readStdout(InputStream in) throws IOException {
      byte[] buf = new byte[64 * 1024];
      RsyncOutputLines lines = new RsyncOutputLines();
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (parser) {
          lines.feed(buf, n, this::accept);
        }
        if (n < buf.length / 4) {
          try {
            Thread.sleep(OUTPUT_GATHER_MILLIS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading rsync's output");
          }
        }
      }
      synchronized (parser) {
        lines.finish(this::accept);
      }
    }

    private void accept(String text) {
      if (parser.accept(text)) {
        dirty.set(true);
      }
    }

    private void readStderr(InputStream in) {
      int logged = 0;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (stderrTail) {
            stderrTail.addLast(line);
            if (stderrTail.size() > STDERR_TAIL) {
              stderrTail.removeFirst();
            }
          }
          if (logged < STDERR_LOGGED) {
            log.accept("rsync: " + line);
            logged++;
          } else if (logged == STDERR_LOGGED) {
            log.accept("rsync: (further messages omitted; the last ones follow at the end)");
            logged++;
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
    }

    private List<String> tail() {
      synchronized (stderrTail) {
        return List.copyOf(stderrTail);
      }
    }
  }

  private static String describe(List<String> args) {
    List<String> shown = new ArrayList<>();
    for (String a : args) {
      shown.add(a.startsWith("--out-format=") ? "--out-format=..." : a);
    }
    return String.join(" ", shown);
  }

  private static Consumer<String> synchronizedLog(Consumer<String> log) {
    Object lock = new Object();
    return line -> {
      synchronized (lock) {
        log.accept(line);
      }
    };
  }

  private static boolean hasEntries(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Removes the partial directory once rsync finished: the version's records keep nothing of it.
   */
  private static void removePartialDir(Path staging) {
    Path dir = RsyncCommand.partialDir(staging);
    try {
      if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(dir);
      }
    } catch (IOException e) {
      throw new TransferException("cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }
}
