package dev.syncjobs.rsync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The run's I/O timeout, kept by watching rsync from {@code /proc} instead of by rsync itself:
 * rsync's own {@code --timeout} (any value) makes it run several percent longer on trees of small
 * files, with the same system calls on both ends, where reading a few counters once a second costs
 * next to nothing.
 *
 * <p>Data moving is read from {@code /proc/<pid>/io}: the bytes rsync's processes (and an ssh
 * child) have read and written, through sockets, pipes and files alike. While any of those counts
 * moves the run is alive, as rsync's own timeout would have it while data or keep-alives flow; when
 * none has moved for the timeout, the run is stalled. Where {@code /proc/self/io} cannot be read
 * (not Linux, or a kernel without task I/O accounting) rsync keeps the timeout itself ({@link
 * RsyncCommand}).
 */
final class RsyncIoWatch {
  private static final Path PROC = Path.of("/proc");

  private final ProcessHandle root;
  private final long timeoutNanos;
  private final LongSupplier clock;
  private List<Long> pids;
  private long lastCount = -1;
  private long lastMoved;

  /**
   * @param root the process started for rsync (its guard, or rsync itself)
   * @param timeout how long no byte may move before the run is stalled
   * @param clock {@link System#nanoTime}, or a test's
   */
  RsyncIoWatch(ProcessHandle root, Duration timeout, LongSupplier clock) {
    this.root = root;
    this.timeoutNanos = timeout.toNanos();
    this.clock = clock;
    this.lastMoved = clock.getAsLong();
    // rsync alone for now: its children are looked for only when the counts stand still, so a
    // run's start pays for no scan of the system's processes
    this.pids = List.of(root.pid());
  }

  /** Whether this system counts each process's I/O in {@code /proc/<pid>/io}. */
  static boolean available() {
    return Files.isReadable(PROC.resolve("self/io"));
  }

  /**
   * Looks at the counters: true once none of rsync's processes has read or written a byte for the
   * timeout. Called at intervals well below the timeout.
   */
  boolean stalled() {
    long now = clock.getAsLong();
    long count = count(pids);
    if (count == lastCount) {
      // rsync forks its receiver (and may start ssh) after it starts: look for new processes
      // before calling it quiet.
      pids = processes();
      count = count(pids);
    }
    if (count != lastCount) {
      lastCount = count;
      lastMoved = now;
      return false;
    }
    return now - lastMoved >= timeoutNanos;
  }

  private List<Long> processes() {
    List<Long> found = new ArrayList<>();
    found.add(root.pid());
    root.descendants().forEach(p -> found.add(p.pid()));
    return found;
  }

  /** The sum of rchar and wchar over {@code pids}; a process that is gone counts nothing. */
  private static long count(List<Long> pids) {
    long sum = 0;
    for (long pid : pids) {
      try {
        for (String line : Files.readAllLines(PROC.resolve(pid + "/io"))) {
          if (line.startsWith("rchar: ") || line.startsWith("wchar: ")) {
            sum += Long.parseLong(line.substring(7).trim());
          }
        }
      } catch (IOException | NumberFormatException | SecurityException e) {
        // gone, or not ours to read: nothing to add
      }
    }
    return sum;
  }
}
