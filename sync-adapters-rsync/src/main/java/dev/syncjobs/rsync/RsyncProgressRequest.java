package dev.syncjobs.rsync;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks rsync's receiver for a progress line, instead of having it write one for every file.
 *
 * <p>rsync 3.2.0 and later, run without {@code --info=progress}, answer SIGVTALRM: once the file in
 * hand is written, the receiver prints its name and a line of running totals in {@code
 * --info=progress2}'s form (bytes of the files transferred so far, their share of the bytes listed
 * so far, and the list position), then goes on quietly. Asked twice a second, a tree of 100,000
 * small files costs rsync a few lines instead of 100,000 writes. While one large file is in flight
 * rsync says nothing; its bytes so far come from the receiver's open file ({@link
 * RsyncCurrentFile}).
 *
 * <p>An rsync that does not know the signal dies of it, so this is used only when {@code rsync
 * --version} says 3.2.0 or later, a {@code kill} executable exists (a JVM sends no such signal
 * itself) and {@code /proc} shows rsync's processes; otherwise rsync runs with {@code
 * --info=progress2}. The signal goes only to a live descendant of the process this run started that
 * runs an rsync binary, never to a pid that may have been reused nor to ssh.
 */
final class RsyncProgressRequest {
  private static final Pattern VERSION = Pattern.compile("version\\s+(\\d+)\\.(\\d+)\\.(\\d+)");
  private static final Map<Path, Boolean> ANSWERS = new ConcurrentHashMap<>();
  private static final int MAX_DEPTH = 4; // the guard, its shell, rsync, then the receiver

  private final ProcessHandle root;
  private final Path kill;

  private RsyncProgressRequest(ProcessHandle root, Path kill) {
    this.root = root;
    this.kill = kill;
  }

  /** Whether runs of {@code rsync} can ask for progress; probed once per binary. */
  static boolean available(Path rsync) {
    if (!RsyncCurrentFile.available() || RsyncProcesses.which("kill").isEmpty()) {
      return false;
    }
    return ANSWERS.computeIfAbsent(rsync, RsyncProgressRequest::probe);
  }

  /** Requests for the processes under {@code root}, or empty where they cannot be made. */
  static Optional<RsyncProgressRequest> under(ProcessHandle root) {
    return RsyncProcesses.which("kill").map(k -> new RsyncProgressRequest(root, k));
  }

  /** Whether the first line of {@code rsync --version} names 3.2.0 or later. */
  static boolean answersSignal(String versionLine) {
    Matcher m = VERSION.matcher(versionLine == null ? "" : versionLine);
    if (!m.find()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 3 || (major == 3 && minor >= 2);
  }

  private static boolean probe(Path rsync) {
    try {
      Process p =
          new ProcessBuilder(rsync.toString(), "--version")
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String first;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        first = r.readLine();
        while (r.readLine() != null) {
          // drained, so rsync is not stopped by a full pipe
        }
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0 && answersSignal(first);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Asks process {@code receiver} for a progress line, if it is still a live descendant of the
   * process this run started. Quiet when it is not, or when the request fails: the next one
   * follows.
   */
  void ask(long receiver) {
    Optional<ProcessHandle> h = ProcessHandle.of(receiver);
    if (h.isEmpty() || !descendsFromRoot(h.get()) || !RsyncCurrentFile.isRsync(h.get())) {
      return;
    }
    try {
      Process p =
          new ProcessBuilder(kill.toString(), "-s", "VTALRM", Long.toString(receiver))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(2, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      // no request this time
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean descendsFromRoot(ProcessHandle p) {
    Optional<ProcessHandle> parent = p.parent();
    for (int depth = 0; depth < MAX_DEPTH && parent.isPresent(); depth++) {
      if (parent.get().pid() == root.pid()) {
        return p.isAlive();
      }
      parent = parent.get().parent();
    }
    return false;
  }
}
