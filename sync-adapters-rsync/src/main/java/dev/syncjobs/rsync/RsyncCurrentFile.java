package dev.syncjobs.rsync;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file rsync is writing now, read from {@code /proc}: rsync's receiver writes each file to a
 * temporary {@code .<name>.XXXXXX} beside it in the staging directory and renames it when done, so
 * the open file descriptor of the receiver that points into the staging directory names the file in
 * flight. This costs a few system calls per look, however many files the tree has, where asking
 * rsync for a line per file costs it (and the reader) work for every file.
 *
 * <p>The size of that temporary file is what rsync has written of the file so far: the bytes in
 * flight, which no progress line tells while a large file is being received ({@link
 * RsyncProgressRequest}).
 *
 * <p>Where {@code /proc} is missing (not Linux) nothing is found and the current file stays
 * unknown; a name too long for rsync to add its suffix shows as rsync's shortened temporary name.
 */
final class RsyncCurrentFile {
  private static final Path PROC = Path.of("/proc");
  private static final Pattern TEMPORARY = Pattern.compile("\\.(.+)\\.[A-Za-z0-9]{6}");

  private final ProcessHandle root;
  private final Path staging;
  private long receiver = -1;

  /** The file being written: its staging-relative name and the bytes written of it so far. */
  record InFlight(String name, long bytes) {}

  /**
   * @param root the process started for rsync (its guard, or rsync itself)
   * @param staging the staging directory, a real path (symbolic links resolved)
   */
  RsyncCurrentFile(ProcessHandle root, Path staging) {
    this.root = root;
    this.staging = staging;
  }

  /** Whether this system has {@code /proc} to look in. */
  static boolean available() {
    return Files.isDirectory(PROC.resolve("self/fd"));
  }

  /** The file being written, or null when none is open now. */
  InFlight find() {
    if (receiver > 0) {
      InFlight f = openIn(receiver);
      if (f != null) {
        return f;
      }
    }
    // rsync forks its receiver once the file list is in: look through the tree until found.
    for (ProcessHandle p : (Iterable<ProcessHandle>) root.descendants()::iterator) {
      InFlight f = openIn(p.pid());
      if (f != null) {
        receiver = p.pid();
        return f;
      }
    }
    return null;
  }

  /**
   * The pid of rsync's receiver, or -1 before there is one: the process seen writing into staging,
   * or else the rsync process whose parent is the same rsync binary (the client forks its receiver
   * once the file list begins; its other child, for an ssh source, is ssh). Between two small files
   * the receiver may have none open, so it is not only found by its files.
   */
  long receiver() {
    if (receiver <= 0 || !ProcessHandle.of(receiver).map(RsyncCurrentFile::isRsync).orElse(false)) {
      receiver = forkedRsync();
    }
    return receiver;
  }

  private long forkedRsync() {
    for (ProcessHandle p : (Iterable<ProcessHandle>) root.descendants()::iterator) {
      if (isRsync(p) && p.parent().map(RsyncCurrentFile::isRsync).orElse(false)) {
        return p.pid();
      }
    }
    return -1;
  }

  /**
   * Whether {@code p} is alive and runs an rsync binary (by name): a child rsync forked to run ssh
   * is one only until it starts ssh.
   */
  static boolean isRsync(ProcessHandle p) {
    Optional<String> command = p.info().command();
    return p.isAlive()
        && command.isPresent()
        && Path.of(command.get()).getFileName().toString().startsWith("rsync");
  }

  private InFlight openIn(long pid) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(pid + "/fd"))) {
      for (Path fd : fds) {
        String name = temporaryName(readLink(fd));
        if (name != null) {
          return new InFlight(name, size(fd));
        }
      }
    } catch (IOException | SecurityException e) {
      // gone, or not ours to look at
    }
    return null;
  }

  /** The size of the file a descriptor link leads to (the link is followed), 0 once it is gone. */
  private static long size(Path fd) {
    try {
      return Files.size(fd);
    } catch (IOException | SecurityException e) {
      return 0;
    }
  }

  private static Path readLink(Path fd) {
    try {
      return Files.readSymbolicLink(fd);
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** {@code <staging>/a/.f.bin.Xy12Ab} to {@code a/f.bin}; null for any other path. */
  String temporaryName(Path target) {
    if (target == null || !target.startsWith(staging) || target.equals(staging)) {
      return null;
    }
    Path relative = staging.relativize(target);
    Matcher m = TEMPORARY.matcher(relative.getFileName().toString());
    if (!m.matches()) {
      return null;
    }
    Path parent = relative.getParent();
    return parent == null ? m.group(1) : parent.resolve(m.group(1)).toString();
  }
}
