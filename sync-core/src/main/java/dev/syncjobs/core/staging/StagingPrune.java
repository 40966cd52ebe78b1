package dev.syncjobs.core.staging;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Takes out of a staging directory what the source no longer lists (what a reused staging directory
 * still holds of an interrupted attempt), once a transfer put every file it lists in place.
 */
public final class StagingPrune {
  private StagingPrune() {}

  /**
   * Deletes every entry below {@code root} that is not one of {@code files} (a regular file) and
   * every folder that is not one of {@code dirs} and holds nothing once its entries are gone; no
   * link is followed.
   */
  public static void keepOnly(Path root, Set<Path> files, Set<Path> dirs) throws IOException {
    keepOnly(root, files::contains, dirs);
  }

  /**
   * {@link #keepOnly(Path, Set, Set)} with the files to keep named by {@code keep}: a caller with a
   * large tree asks its own index rather than building a second set of every path.
   */
  public static void keepOnly(Path root, Predicate<Path> keep, Set<Path> dirs) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (!attrs.isRegularFile() || !keep.test(file)) {
              Files.delete(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (!dir.equals(root) && !dirs.contains(dir)) {
              try (var s = Files.list(dir)) {
                if (s.findAny().isEmpty()) {
                  Files.delete(dir);
                }
              }
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
