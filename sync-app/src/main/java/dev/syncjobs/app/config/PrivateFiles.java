package dev.syncjobs.app.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what only the server may read to its owner: the data dir 0700 and the admin token 0600 (the
 * database and the sealing key are kept so by the persistence adapter). New files are created so,
 * and files of an older install that are readable by others are tightened at start (and the change
 * logged).
 */
public final class PrivateFiles {
  private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);

  static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /** Creates {@code dir} (and its parents) when missing and makes {@code dir} itself 0700. */
  static void directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
    }
    tighten(dir, DIR);
  }

  /** Creates an empty file with mode 0600 (a file that exists already is an error). */
  static void create(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
  }

  /** Takes group and other permissions away from {@code file} when it exists. */
  static void tighten(Path file) throws IOException {
    tighten(file, FILE);
  }

  private static void tighten(Path p, Set<PosixFilePermission> wanted) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Set<PosixFilePermission> now;
    try {
      now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to tighten
    }
    Set<PosixFilePermission> next = EnumSet.noneOf(PosixFilePermission.class);
    next.addAll(now);
    next.retainAll(wanted);
    if (!next.equals(now)) {
      Files.setPosixFilePermissions(p, next);
      log.info(
          "made {} private to its owner ({} -> {})",
          p,
          PosixFilePermissions.toString(now),
          PosixFilePermissions.toString(next));
    }
  }
}
