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
 *   <li>When util-linux's {@code setpriv} and {@code setsid} are present, rsync is started as
 *       {@code setpriv --pdeathsig KILL setsid rsync ...}: the kernel kills rsync when the thread
 *       that started it dies, even when the JVM is killed with SIGKILL, and rsync has no
 *       controlling terminal to prompt on. The parent-death signal follows the starting
 *       <em>thread</em>, so the process must be started on the thread that waits for it (the
 *       transfer's calling thread), never on a short-lived helper thread.
 *   <li>Its pid and start time are written to a pid file next to the staging directory; a later run
 *       kills a recorded process that is still alive before it reuses the staging directory.
 *   <li>Stopping sends SIGTERM to rsync and every descendant (the forked receiver, ssh), then
 *       SIGKILL to whatever is left after the grace period.
 * </ul>
 */
final class RsyncProcesses {
  static final Duration GRACE = Duration.ofSeconds(3);

  private static volatile List<String> prefix;

  private RsyncProcesses() {}

  /** The command prefix that ties rsync's life to the JVM's, probed once. */
  static List<String> launchPrefix() {
    List<String> p = prefix;
    if (p == null) {
      p = probePrefix();
      prefix = p;
    }
    return p;
  }

  private static List<String> probePrefix() {
    Optional<Path> setpriv = which("setpriv");
    Optional<Path> setsid = which("setsid");
    if (setpriv.isEmpty() || setsid.isEmpty()) {
      return List.of();
    }
    List<String> candidate =
        List.of(setpriv.get().toString(), "--pdeathsig", "KILL", setsid.get().toString());
    List<String> probe = new ArrayList<>(candidate);
    probe.add("true");
    try {
      Process p =
          new ProcessBuilder(probe)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return candidate;
      }
      p.destroyForcibly();
    } catch (IOException e) {
      // fall through: start rsync directly
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.of();
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
        stop(handle.get(), GRACE);
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
    return name.startsWith("rsync") || name.equals("setpriv") || name.equals("setsid");
  }

  /** The process and its descendants, as far as they are alive now. */
  static Set<ProcessHandle> tree(ProcessHandle root) {
    Set<ProcessHandle> all = new LinkedHashSet<>();
    all.add(root);
    root.descendants().forEach(all::add);
    return all;
  }

  /**
   * SIGTERM to the process and its descendants, SIGKILL to what is left after {@code grace};
   * returns once all are gone (or after another two seconds, which SIGKILL never needs).
   */
  static void stop(ProcessHandle root, Duration grace) {
    Set<ProcessHandle> all = tree(root);
    all.forEach(ProcessHandle::destroy);
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
