package dev.syncjobs.persistence;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
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
 * Keeps the SQLite database, its side files and the secret key file readable by their owner only
 * (0600), and a server's data dir usable by its owner only (0700): created so, and tightened (with
 * a log line) when an older install left them readable by others. SQLite creates a database with
 * the process's umask and its -wal, -shm and -journal files with the database's own mode, so the
 * database is created empty with 0600 before SQLite opens it.
 */
public final class PrivateFiles {
  private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);

  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

  private static final String[] SQLITE_SIDE_FILES = {"-wal", "-shm", "-journal"};

  private PrivateFiles() {}

  /** Creates {@code dir} (and its parents) when missing and makes {@code dir} itself 0700. */
  public static void directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
    }
    tighten(dir, DIR);
  }

  /** Creates an empty file with mode 0600 (a file that exists already is an error). */
  public static void create(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
  }

  /** The SQLite database {@code db}: created empty with 0600 when missing, else tightened. */
  static void sqliteDatabase(Path db) throws IOException {
    if (!Files.exists(db, LinkOption.NOFOLLOW_LINKS)) {
      Path parent = db.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        create(db);
      } catch (FileAlreadyExistsException raced) {
        tighten(db);
      }
    } else {
      tighten(db);
    }
    for (String side : SQLITE_SIDE_FILES) {
      tighten(db.resolveSibling(db.getFileName() + side));
    }
  }

  /** Takes group and other permissions away from {@code file} when it exists. */
  public static void tighten(Path file) throws IOException {
    tighten(file, FILE);
  }

  private static void tighten(Path file, Set<PosixFilePermission> wanted) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Set<PosixFilePermission> now;
    try {
      now = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to tighten
    }
    Set<PosixFilePermission> next = EnumSet.noneOf(PosixFilePermission.class);
    next.addAll(now);
    next.retainAll(wanted);
    if (!next.equals(now)) {
      Files.setPosixFilePermissions(file, next);
      log.info(
          "made {} private to its owner ({} -> {})",
          file,
          PosixFilePermissions.toString(now),
          PosixFilePermissions.toString(next));
    }
  }
}
