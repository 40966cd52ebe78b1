package dev.syncjobs.core.version;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RecursiveAction;

/**
 * Deletes a tree: the one tree delete of syncjobs (versions, staging, transfers' scratch).
 *
 * <p>A version of a large mirror is a tree of many thousands of hard links: folders are emptied in
 * parallel ({@link FolderWork}).
 */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code root} and everything below it, following no link (a link is deleted, not what it
   * names); nothing happens when it does not exist.
   */
  public static void delete(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(root);
      return;
    }
    FolderWork.invoke(new EmptyAndDelete(root));
  }

  /** Deletes one folder: its files and links here, its folders as tasks of their own. */
  private static final class EmptyAndDelete extends RecursiveAction {
    private final Path dir;

    EmptyAndDelete(Path dir) {
      this.dir = dir;
    }

    @Override
    protected void compute() {
      try {
        // A directory made read-only by a tool must become writable to empty it.
        dir.toFile().setWritable(true, true);
        List<EmptyAndDelete> folders = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
          for (Path p : entries) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
              folders.add(new EmptyAndDelete(p));
            } else {
              Files.delete(p);
            }
          }
        }
        invokeAll(folders);
        Files.delete(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
