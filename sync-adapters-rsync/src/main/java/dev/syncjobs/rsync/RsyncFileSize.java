package dev.syncjobs.rsync;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The size of the first file rsync receives, asked of the source while that file is in flight and
 * rsync has said nothing yet: rsync asked for progress ({@link RsyncProgressRequest}) answers only
 * once a file is written, so a large first file would otherwise leave the run without a byte total
 * (and an ETA) until it is done. One {@code rsync --list-only} of that one entry, over the same
 * connection options as the run, at most once per run and in the background.
 *
 * <p>The host was checked against the denied networks before the run started, as for the run's own
 * connections. The lookup is bounded by the run's I/O timeout, and {@link #close()} stops one still
 * running when the run ends.
 */
final class RsyncFileSize implements AutoCloseable {
  private final RsyncCommand command;
  private final long timeoutSeconds;
  private final AtomicBoolean asked = new AtomicBoolean();
  private volatile String name;
  private volatile long size = -1;
  private volatile Process process;

  RsyncFileSize(RsyncCommand command, long timeoutSeconds) {
    this.command = command;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** Starts looking up the size of {@code name} (staging-relative), the first time only. */
  void lookUp(String name) {
    if (!asked.compareAndSet(false, true)) {
      return;
    }
    this.name = name;
    Thread t = new Thread(() -> run(name), "rsync-size");
    t.setDaemon(true);
    t.start();
  }

  /** The size found for {@code name}, or -1 while unknown. */
  long sizeOf(String name) {
    return name.equals(this.name) ? size : -1;
  }

  private void run(String name) {
    ProcessBuilder builder =
        new ProcessBuilder(command.listingOf(name, timeoutSeconds))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    command.applyEnvironment(builder);
    try {
      Process p = builder.start();
      process = p;
      String first;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        first = r.readLine();
        while (r.readLine() != null) {
          // drained
        }
      }
      if (p.waitFor(timeoutSeconds + 5, TimeUnit.SECONDS) && p.exitValue() == 0) {
        size = parse(first);
      }
    } catch (IOException e) {
      // no size: the run goes on without it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
  }

  /**
   * The size in a listing line of a regular file, {@code -rw-r--r-- 6291456 2026/12/05 05:00:00
   * name}, or -1.
   */
  static long parse(String line) {
    if (line == null || !line.startsWith("-")) {
      return -1;
    }
    String[] t = line.trim().split("\\s+", 3);
    if (t.length < 3 || !t[1].matches("[0-9]{1,19}")) {
      return -1;
    }
    try {
      return Long.parseLong(t[1]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
    }
  }
}
