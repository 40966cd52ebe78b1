package dev.syncjobs.rsync;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.version.Bookkeeping;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** One rsync process, from start to exit. */
final class RsyncExecution {
  private static final long PROGRESS_INTERVAL_MILLIS = 500;

  /** How often the output file is read while rsync runs (progress goes out every 500 ms). */
  private static final long OUTPUT_POLL_MILLIS = 100;

  private static final int STDERR_TAIL = 20;
  private static final int STDERR_LOGGED = 200;

  /**
   * @param stoppedAtLine rsync printed a line {@link #stopAt} waits for and was stopped then (its
   *     exit code tells of the stop)
   */
  record Result(
      int exitCode,
      List<String> stderrTail,
      RsyncProgressParser.Stats stats,
      Progress progress,
      boolean stoppedAtLine) {}

  private final TransferRequest request;
  private final RsyncCommand command;
  private final Path pidFile;
  private final Consumer<String> log;
  private final RsyncProgressParser parser = new RsyncProgressParser();
  private final Deque<String> stderrTail = new ArrayDeque<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean stalled = new AtomicBoolean();
  private volatile Thread stopper;
  private volatile boolean guarded;
  private final AtomicBoolean dirty = new AtomicBoolean();
  private Predicate<String> stopAt;
  private volatile ProcessHandle running;
  private volatile boolean stoppedAtLine;

  RsyncExecution(
      TransferRequest request, RsyncCommand command, Path pidFile, Consumer<String> log) {
    this.request = request;
    this.command = command;
    this.pidFile = pidFile;
    this.log = log;
  }

  /**
   * Kills rsync at the first line of its output that {@code line} accepts (quietly: {@link
   * Result#stoppedAtLine} tells, also when rsync exited before the line was read). For runs that
   * write nothing (a dry run): rsync takes a good part of a second to stop on SIGTERM.
   */
  RsyncExecution stopAt(Predicate<String> line) {
    this.stopAt = line;
    return this;
  }

  Result execute() {
    RsyncProcesses.Launcher launcher = RsyncProcesses.launcher();
    guarded = launcher.guarded();
    List<String> argv = new ArrayList<>(launcher.prefix());
    argv.addAll(command.arguments());
    ProcessBuilder builder = new ProcessBuilder(argv);
    command.applyEnvironment(builder);
    builder.directory(request.staging().toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try (RsyncOutputFile output = RsyncOutputFile.create(Bookkeeping.of(request.staging()))) {
      builder.redirectOutput(output.redirect());
      return execute(builder, output);
    } catch (IOException e) {
      throw new TransferException("cannot keep rsync's output: " + e.getMessage(), e);
    }
  }

  private Result execute(ProcessBuilder builder, RsyncOutputFile output) {
    log.accept("running " + String.join(" ", command.arguments()));
    Process process;
    long started = System.nanoTime();
    try {
      // Started on the calling thread, which waits for it: see RsyncProcesses on pdeathsig.
      process = builder.start();
    } catch (IOException e) {
      throw new TransferException("cannot start rsync: " + e.getMessage(), false, e);
    }
    ProcessHandle handle = process.toHandle();
    running = handle;
    RsyncCurrentFile files =
        RsyncCurrentFile.available()
            ? new RsyncCurrentFile(handle, realPath(request.staging()))
            : null;
    RsyncFileSize sizes = new RsyncFileSize(command, RsyncCommand.seconds(timeout()));
    RsyncLiveProgress live =
        new RsyncLiveProgress(
            parser,
            dirty,
            files,
            command.progressOnRequest() ? RsyncProgressRequest.under(handle).orElse(null) : null,
            sizes,
            request.progress(),
            log,
            System::nanoTime);
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
        live::tick, PROGRESS_INTERVAL_MILLIS, PROGRESS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    if (command.ioWatched()) {
      RsyncIoWatch watch = new RsyncIoWatch(handle, timeout(), System::nanoTime);
      long every = Math.max(100, Math.min(1_000, timeout().toMillis() / 4));
      ticker.scheduleAtFixedRate(
          () -> {
            if (watch.stalled() && stalled.compareAndSet(false, true)) {
              stopAsync(
                  handle,
                  "no data moved for " + RsyncCommand.seconds(timeout()) + " s: stopping rsync");
            }
          },
          every,
          every,
          TimeUnit.MILLISECONDS);
    }
    try {
      RsyncProcesses.writePidFile(pidFile, handle);
      request.cancel().onCancel(() -> stopAsync(handle, "cancel requested: stopping rsync"));
      readOutput(output, process);
      int code = process.waitFor();
      // How long rsync itself took, beside the run's own duration: what the run adds around it.
      log.accept(
          String.format(
              java.util.Locale.ROOT,
              "rsync exited with status %d after %.3f s",
              code,
              (System.nanoTime() - started) / 1e9));
      errors.join(TimeUnit.SECONDS.toMillis(5));
      if (request.cancel().isCancelled()) {
        awaitStopped(handle);
        throw new CancelledException();
      }
      if (stalled.get()) {
        awaitStopped(handle);
        throw new TransferException(
            "timed out: no data from "
                + request.source().uri()
                + " for "
                + RsyncCommand.seconds(timeout())
                + " s, the I/O timeout",
            true,
            null);
      }
      synchronized (parser) {
        return new Result(code, tail(), parser.stats(), parser.progress(), stoppedAtLine);
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
      sizes.close();
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

  /** The run's I/O timeout: no byte may move for longer. */
  private Duration timeout() {
    return request.options().timeout();
  }

  private void stopAsync(ProcessHandle handle, String reason) {
    if (!handle.isAlive() || !stopping.compareAndSet(false, true)) {
      return;
    }
    log.accept(reason);
    Thread t =
        new Thread(() -> RsyncProcesses.stop(handle, guarded, RsyncProcesses.GRACE), "rsync-stop");
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

  private static Path realPath(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      return dir.toAbsolutePath().normalize();
    }
  }

  /**
   * Feeds rsync's output to the parser as it gathers in its file: all that is there at each look, a
   * look every {@value #OUTPUT_POLL_MILLIS} ms while rsync runs, and the rest once it has exited.
   */
  private void readOutput(RsyncOutputFile output, Process process)
      throws IOException, InterruptedException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    RsyncOutputLines lines = new RsyncOutputLines();
    boolean exited;
    do {
      exited = process.waitFor(OUTPUT_POLL_MILLIS, TimeUnit.MILLISECONDS);
      int n;
      while ((n = output.read(buf)) > 0) {
        synchronized (parser) {
          lines.feed(buf.array(), n, this::accept);
        }
      }
    } while (!exited);
    synchronized (parser) {
      lines.finish(this::accept);
    }
  }

  private void accept(String text) {
    if (stopAt != null && !stoppedAtLine && stopAt.test(text)) {
      stoppedAtLine = true;
      stopping.set(true);
      RsyncProcesses.killNow(running);
    }
    if (parser.accept(text)) {
      dirty.set(true);
    }
  }

  private void readStderr(InputStream in) {
    int logged = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (stderrTail) {
          stderrTail.addLast(line);
          if (stderrTail.size() > STDERR_TAIL) {
            stderrTail.removeFirst();
          }
        }
        if (stoppedAtLine) {
          continue; // rsync telling of the stop asked for: nothing the run needs to know
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
