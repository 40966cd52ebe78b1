package dev.syncjobs.rsync;

import dev.syncjobs.core.model.TransferException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

/**
 * Prepares a staging directory an interrupted attempt left for rsync to resume in.
 *
 * <p>That attempt linked the previous version's unchanged files into staging ({@code --link-dest},
 * or {@link RsyncChangedOnly}). rsync, finding such a file in place, applies a change of mode or
 * owner at the source to it in place: to the inode the published version shares, which would change
 * that version. So every staged file that shares its inode is removed first; rsync links it again
 * from the previous version when it is still the same, or transfers it. Files the attempt wrote
 * itself (one link each) are kept, and what rsync left in its partial folder too.
 */
final class RsyncResume {
  private RsyncResume() {}

  /**
   * Removes the files of {@code staging} that have more than one link.
   *
   * @return how many were removed
   */
  static long unshare(Path staging, Consumer<String> log) {
    long[] removed = {0};
    try {
      Files.walkFileTree(
          staging,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (attrs.isRegularFile() && links(file) > 1) {
                Files.delete(file);
                removed[0]++;
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new TransferException(
          "cannot prepare " + staging + " to resume in: " + e.getMessage(), e);
    }
    if (removed[0] > 0) {
      log.accept(
          "unlinked "
              + removed[0]
              + " files the interrupted attempt had linked to the previous version:"
              + " rsync links them again");
    }
    return removed[0];
  }

  private static int links(Path file) throws IOException {
    return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
  }
}
