package dev.syncjobs.core.version;

import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.staging.StagingPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a staging tree differs from the previous version (by inode: a hard link of the previous
 * version's file is unchanged), and the carry-over of files the source no longer has when a job
 * keeps them ({@code delete_removed=false}).
 */
public final class VersionDiff {
  private VersionDiff() {}

  /** How a staging tree differs from the previous version. */
  public record Diff(int added, int changed, int removed, int previousFiles, int stagedFiles) {
    public boolean unchanged() {
      return added == 0 && changed == 0 && removed == 0;
    }

    /** Share of the previous version's files that are gone, 0..100. */
    public double removedPercent() {
      return previousFiles == 0 ? 0 : 100.0 * removed / previousFiles;
    }
  }

  /**
   * Compares by inode: a staged file that is a hard link of the previous version's file at the same
   * path is unchanged; any other staged file is added or changed.
   */
  public static Diff compare(Path staging, Optional<Path> previous) {
    try {
      return compare(VersionFiles.list(staging), previous);
    } catch (IOException e) {
      throw new SyncException("cannot compare " + staging + " with the previous version: " + e, e);
    }
  }

  /**
   * {@link #compare(Path, Optional)} of a staging tree already listed by {@link VersionFiles#list}.
   */
  public static Diff compare(Map<String, BasicFileAttributes> now, Optional<Path> previous) {
    // The previous version is walked, not listed: only the staged tree is held, one entry per file.
    int[] counts = new int[3]; // previous files, of them still staged, of those changed
    try {
      VersionFiles.forEach(
          previous.orElse(null),
          (path, old) -> {
            counts[0]++;
            BasicFileAttributes staged = now.get(path);
            if (staged != null) {
              counts[1]++;
              if (old.fileKey() == null || !Objects.equals(old.fileKey(), staged.fileKey())) {
                counts[2]++;
              }
            }
            return true;
          });
    } catch (IOException e) {
      throw new SyncException("cannot list the previous version " + previous + ": " + e, e);
    }
    int previousFiles = counts[0];
    int kept = counts[1];
    return new Diff(now.size() - kept, counts[2], previousFiles - kept, previousFiles, now.size());
  }

  /**
   * Hard-links into the staging directory every file of the previous version the source no longer
   * has ({@code delete_removed=false}); returns how many. A folder it creates gets the previous
   * version's mode (no wider than its source's); a file whose folder the source replaced with a
   * file or a symbolic link is not carried over, and no link is ever followed.
   */
  public static int carryOver(Path staging, Path previous) {
    try {
      Map<String, BasicFileAttributes> now = VersionFiles.list(staging);
      int n = 0;
      for (String rel : VersionFiles.list(previous).keySet()) {
        if (!now.containsKey(rel)) {
          Path target = staging.resolve(rel);
          if (folderFor(staging, target, previous)) {
            Files.createLink(target, previous.resolve(rel));
            n++;
          }
        }
      }
      return n;
    } catch (IOException e) {
      throw new SyncException("cannot carry files over from " + previous + ": " + e, e);
    }
  }

  private static final Set<PosixFilePermission> OWNER_ALL =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);

  /**
   * Makes the folders leading to {@code target} below {@code staging}, each with the mode of the
   * previous version's folder (and its owner's rwx, which the engine needs to manage the tree);
   * false when something other than a folder stands in the way.
   */
  private static boolean folderFor(Path staging, Path target, Path previous) throws IOException {
    Path dir = staging;
    for (Path name : staging.relativize(target.getParent())) {
      dir = dir.resolve(name);
      if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      Files.createDirectory(dir);
      Set<PosixFilePermission> mode =
          EnumSet.copyOf(
              Files.getPosixFilePermissions(
                  previous.resolve(staging.relativize(dir)), LinkOption.NOFOLLOW_LINKS));
      mode.addAll(OWNER_ALL);
      StagingPaths.setMode(dir, mode);
    }
    return true;
  }
}
