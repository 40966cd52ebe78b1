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
 * file below it except the run's own records, the top-level {@code .syncjobs*} entries (manifests,
 * partial downloads).
 */
public final class VersionFiles {
  private VersionFiles() {}

  /**
   * The files of a tree (relative path → attributes, {@code PosixFileAttributes} where the file
   * system has them, symlinks not followed), without the top-level records; empty for a missing
   * tree or null.
   */
  public static Map<String, BasicFileAttributes> list(Path root) throws IOException {
    Map<String, BasicFileAttributes> out = new HashMap<>();
    if (root == null || !Files.isDirectory(root)) {
      return out;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            return isRecord(root, d) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            if (!isRecord(root, f)) {
              out.put(root.relativize(f).toString(), attrs);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }

  /** Whether {@code p} is one of the run's own records at the top of {@code root}. */
  public static boolean isRecord(Path root, Path p) {
    return root.equals(p.getParent()) && p.getFileName().toString().startsWith(".syncjobs");
  }
}
