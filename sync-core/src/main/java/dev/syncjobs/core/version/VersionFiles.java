package dev.syncjobs.core.version;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * What a version (or a staging directory) holds, as the engine and the transfers both see it: every
 * file below it. syncjobs keeps its own records beside the versions ({@link Bookkeeping}); only a
 * version an earlier release published still holds some, its top-level {@code .syncjobs*} entries,
 * and they are left out.
 */
public final class VersionFiles {
  private VersionFiles() {}

  /** Takes one file of a tree; returns whether to go on. */
  @FunctionalInterface
  public interface Visit {
    boolean file(String path, BasicFileAttributes attrs);
  }

  /**
   * The files of a tree (relative path → the walk's attributes, symlinks not followed; basic ones,
   * without the mode, on Linux), without the records an earlier release kept in a version; empty
   * for a missing tree or null.
   */
  public static Map<String, BasicFileAttributes> list(Path root) throws IOException {
    Map<String, BasicFileAttributes> out = new HashMap<>();
    forEach(
        root,
        (path, attrs) -> {
          out.put(path, attrs);
          return true;
        });
    return out;
  }

  /**
   * Hands the files {@link #list} would hold to {@code visit} as the walk finds them, until it
   * returns false; none for a missing tree or null. Nothing is kept per file.
   */
  public static void forEach(Path root, Visit visit) throws IOException {
    if (root == null || !Files.isDirectory(root)) {
      return;
    }
    boolean old = Bookkeeping.predatesRecords(root);
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            return Bookkeeping.isOldRecord(root, d, old)
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            if (Bookkeeping.isOldRecord(root, f, old)) {
              return FileVisitResult.CONTINUE;
            }
            return visit.file(root.relativize(f).toString(), attrs)
                ? FileVisitResult.CONTINUE
                : FileVisitResult.TERMINATE;
          }
        });
  }
}
