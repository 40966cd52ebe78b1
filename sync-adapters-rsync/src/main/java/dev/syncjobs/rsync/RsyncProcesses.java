package dev.syncjobs.rsync;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starting, recording and stopping rsync processes so that none outlives its run.
 *
 * <ul>
 *   <li>When util-linux's {@code setpriv} and {@code setsid} are present, rsync runs under a tiny
 *       {@code sh} guard: {@code setpriv --pdeathsig TERM setsid sh -c 'trap "kill -KILL 0" TERM
 *       HUP INT; "$@" & wait $!' sh rsync ...}. The guard leads its own session and process group
 *       (so rsync has no terminal to prompt on); when the thread that started it dies, even because
 *       the JVM was killed with SIGKILL, the kernel sends it SIGTERM and it kills the whole group:
 *       rsync, its forked receiver and ssh. (A parent-death signal on rsync alone would leave its
 *       forked receiver running.) The signal follows the starting <em>thread</em>, so the process
 *       must be started on the thread that waits for it, never on a short-lived helper thread.
 *   <li>The guard's pid and start time are written to a pid file next to the staging directory; a
 *       later run kills a recorded process tree that is still alive before reusing the directory.
 *   <li>Stopping sends SIGTERM to rsync only (not to the guard, whose trap would SIGKILL everything
 *       before rsync saves its partial file; not to rsync's forked receiver, which rsync stops
 *       itself), then SIGKILL to whatever is left of the whole tree after the grace period.
 * </ul>
 */
final class RsyncProcesses {
  static final Duration GRACE = Duration.ofSeconds(3);

  private static final String GUARD = "trap 'kill -KILL 0' TERM HUP INT; \"$@\" & wait $!";

  /** How rsync is started: the command prefix, and whether a guard process leads the tree. */
  record Launcher(List<String> prefix, boolean guarded) {
    static final Launcher DIRECT = new Launcher(List.of(), false);
  }

  private static volatile Launcher launcher;

  private RsyncProcesses() {}

  /** The launcher that ties rsync's life to the JVM's, probed once. */
  static Launcher launcher() {
    Launcher l = launcher;
    if (l == null) {
      l = probe();
      launcher = l;
    }
    return l;
  }

  private static Launcher probe() {
    Optional<Path> setpriv = which("setpriv");
    Optional<Path> setsid = which("setsid");
    Optional<Path> sh = which("/bin/sh");
    if (setpriv.isEmpty() || setsid.isEmpty() || sh.isEmpty()) {
      return Launcher.DIRECT;
    }
    List<String> prefix =
        List.of(
            setpriv.get().toString(),
            "--pdeathsig",
            "TERM",
            setsid.get().toString(),
            sh.get().toString(),
            "-c",
            GUARD,
            "sh");
    List<String> probe = new ArrayList<>(prefix);
    probe.add("true");
    try {
      Process p =
          new ProcessBuilder(probe)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return new Launcher(prefix, true);
      }
      p.destroyForcibly();
    } catch (IOException e) {
      // fall through: start rsync directly
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Launcher.DIRECT;
  }

  /** An executable: a path containing {@code /} as is, otherwise searched on {@code PATH}. */
  static Optional<Path> which(String name) {
    if (name.contains("/")) {
      Path p = Path.of(name);
      return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null || path.isEmpty()) {
      path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Records a started process: {@code <pid> <start time in epoch milliseconds>}. */
  static void writePidFile(Path pidFile, ProcessHandle process) throws IOException {
    long started = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
    Files.writeString(tmp, process.pid() + " " + started + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Start-up repair: when {@code pidFile} names a live rsync (same pid and start time as recorded),
   * stops it and its descendants; then removes the file.
   *
   * @return whether a leftover process was stopped
   */
  static boolean killRecorded(Path pidFile, Consumer<String> log) {
    if (!Files.exists(pidFile)) {
      return false;
    }
    boolean killed = false;
    try {
      String[] parts = Files.readString(pidFile, StandardCharsets.US_ASCII).trim().split("\\s+");
      long pid = Long.parseLong(parts[0]);
      long started = parts.length > 1 ? Long.parseLong(parts[1]) : 0L;
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isPresent() && isRecordedRsync(handle.get(), started)) {
        log.accept("stopping rsync process " + pid + " left by an interrupted run");
        stop(handle.get(), false, GRACE);
        killed = true;
      }
    } catch (IOException | RuntimeException e) {
      log.accept("ignoring unreadable pid file " + pidFile.getFileName() + ": " + e.getMessage());
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      log.accept("cannot delete " + pidFile.getFileName() + ": " + e.getMessage());
    }
    return killed;
  }

  private static boolean isRecordedRsync(ProcessHandle h, long started) {
    if (!h.isAlive() || h.pid() == ProcessHandle.current().pid()) {
      return false;
    }
    ProcessHandle.Info info = h.info();
    if (started != 0 && info.startInstant().map(Instant::toEpochMilli).orElse(started) != started) {
      return false;
    }
    String command = info.command().orElse("");
    String name = command.substring(command.lastIndexOf('/') + 1);
    return name.startsWith("rsync")
        || List.of("setpriv", "setsid", "sh", "dash", "bash").contains(name);
  }

  /** The process and its descendants, as far as they are alive now. */
  static Set<ProcessHandle> tree(ProcessHandle root) {
    Set<ProcessHandle> all = new LinkedHashSet<>();
    all.add(root);
    root.descendants().forEach(all::add);
    return all;
  }

  /**
   * SIGTERM to rsync (the guard's child when {@code guarded}, else the root), which stops its own
   * receiver and ssh and saves the partial file; SIGKILL to what is left of the whole tree after
   * {@code grace}. Returns once all are gone (or after another two seconds, which SIGKILL never
   * needs). Signalling rsync's forked receiver directly would make it linger for seconds.
   */
  static void stop(ProcessHandle root, boolean guarded, Duration grace) {
    Set<ProcessHandle> all = tree(root);
    if (guarded) {
      root.children().forEach(ProcessHandle::destroy);
    } else {
      root.destroy();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    waitGone(all, deadline);
    all.addAll(tree(root));
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    waitGone(all, System.nanoTime() + Duration.ofSeconds(2).toNanos());
  }

  /** SIGKILL to the process and its descendants at once (JVM shutdown). */
  static void killNow(ProcessHandle root) {
    tree(root).forEach(ProcessHandle::destroyForcibly);
  }

  private static void waitGone(Set<ProcessHandle> all, long deadlineNanos) {
    for (ProcessHandle h : all) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        // timed out or not observable: the caller escalates
      }
    }
  }
}
