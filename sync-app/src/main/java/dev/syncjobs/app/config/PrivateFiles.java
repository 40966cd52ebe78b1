package dev.syncjobs.app.config;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what only the server may read to its owner: the data dir 0700; the database, its journal
 * files, the admin token and the sealing key 0600. New files are created so, and files of an older
 * install that are readable by others are tightened at start (and the change logged).
 */
public final class PrivateFiles {
  private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);

  static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  /** What SQLite writes beside its database file, with the same permissions as the database. */
  private static final String[] SQLITE_SIDE_FILES = {"-wal", "-shm", "-journal"};

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

  /**
   * The SQLite database of a {@code jdbc:sqlite:} URL (other URLs are left alone): created empty
   * with mode 0600 before SQLite opens it, because SQLite creates its database with the process's
   * umask and its -wal, -shm and -journal files with the database's own mode; an existing one and
   * its side files are tightened.
   */
  public static void sqliteDatabase(String jdbcUrl) {
    Path db = sqlitePath(jdbcUrl);
    if (db == null) {
      return;
    }
    try {
      if (!Files.exists(db, LinkOption.NOFOLLOW_LINKS)) {
        if (db.getParent() != null) {
          Files.createDirectories(db.getParent());
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
    } catch (IOException e) {
      throw new ConfigException("cannot make " + db + " private to its owner: " + e.getMessage());
    }
  }

  /** The file of a {@code jdbc:sqlite:} URL, or null for another database or an in-memory one. */
  static Path sqlitePath(String jdbcUrl) {
    String prefix = "jdbc:sqlite:";
    if (jdbcUrl == null || !jdbcUrl.toLowerCase(Locale.ROOT).startsWith(prefix)) {
      return null;
    }
    String rest = jdbcUrl.substring(prefix.length());
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    if (rest.startsWith("file:")) {
      rest = rest.substring("file:".length());
    }
    if (rest.isEmpty() || rest.startsWith(":memory:") || rest.contains("mode=memory")) {
      return null;
    }
    return Path.of(rest);
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
