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

  /**
   * The files of a tree (relative path → attributes, {@code PosixFileAttributes} where the file
   * system has them, symlinks not followed), without the records an earlier release kept in a
   * version; empty for a missing tree or null.
   */
  public static Map<String, BasicFileAttributes> list(Path root) throws IOException {
    Map<String, BasicFileAttributes> out = new HashMap<>();
    if (root == null || !Files.isDirectory(root)) {
      return out;
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
            if (!Bookkeeping.isOldRecord(root, f, old)) {
              out.put(root.relativize(f).toString(), attrs);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }
}
