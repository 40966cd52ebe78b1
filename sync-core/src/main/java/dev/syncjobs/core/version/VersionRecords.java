package dev.syncjobs.core.version;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;

/**
 * Keeps the records folders of a destination ({@link Bookkeeping}) in step with its versions and
 * staging directories: they move with a staging directory that is reused or published and go with
 * one that is discarded or pruned.
 */
final class VersionRecords {
  private VersionRecords() {}

  /** Moves the records of {@code from} to those of {@code to}, if it has any. */
  static void move(Path from, Path to) throws IOException {
    Path source = Bookkeeping.of(from);
    if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path target = Bookkeeping.of(to);
    VersionStore.deleteTree(target);
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Gives the version {@code staging} is about to become its records: the staging directory's, or
   * an empty folder. Called before the staging directory is renamed, so a published version always
   * has a records folder (one without is an earlier release's).
   */
  static void publish(Path staging, Path version) throws IOException {
    move(staging, version);
    Bookkeeping.create(version);
  }

  /** Removes the records of a version or staging directory. */
  static void delete(Path versionOrStaging) {
    VersionStore.deleteTree(Bookkeeping.of(versionOrStaging));
  }

  /**
   * Removes records whose version or staging directory is gone (a crash between moving them and
   * renaming the staging directory, a version deleted by hand).
   *
   * @param names every name in the destination directory
   */
  static void dropOrphans(Path dir, Set<String> names) throws IOException {
    Path records = dir.resolve(Bookkeeping.DIR);
    if (!names.contains(Bookkeeping.DIR)
        || !Files.isDirectory(records, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(records)) {
      for (Path p : s) {
        if (!names.contains(p.getFileName().toString())) {
          VersionStore.deleteTree(p);
        }
      }
    } catch (NoSuchFileException e) {
      // removed meanwhile: nothing to drop
    }
  }
}
