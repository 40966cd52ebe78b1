package dev.syncjobs.core.version;

import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.staging.StagingPaths;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
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
   * path is unchanged; any other staged file is added or changed. Both trees are walked side by
   * side, one folder at a time, each folder's names in order: nothing is held per file of the tree,
   * and each entry is read once, as a walk of each tree would.
   */
  public static Diff compare(Path staging, Optional<Path> previous) {
    Counts c = new Counts();
    try {
      Path before = previous.filter(Files::isDirectory).orElse(null);
      merge(
          staging,
          staging,
          before,
          before,
          Bookkeeping.predatesRecords(staging),
          Bookkeeping.predatesRecords(before),
          c);
    } catch (IOException e) {
      throw new SyncException("cannot compare " + staging + " with the previous version: " + e, e);
    }
    return new Diff(c.staged - c.kept, c.changed, c.previous - c.kept, c.previous, c.staged);
  }

  /** Files seen in each tree, those at the same path in both, and of those the changed ones. */
  private static final class Counts {
    int staged;
    int previous;
    int kept;
    int changed;
  }

  private record Entry(String name, BasicFileAttributes attrs) {}

  /**
   * Merges folder {@code now} of the staging tree {@code nowRoot} with folder {@code before} of the
   * previous version {@code beforeRoot}; either folder may be null (absent on that side).
   */
  private static void merge(
      Path nowRoot,
      Path now,
      Path beforeRoot,
      Path before,
      boolean nowOld,
      boolean beforeOld,
      Counts c)
      throws IOException {
    List<Entry> a = entries(nowRoot, now, nowOld);
    List<Entry> b = entries(beforeRoot, before, beforeOld);
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      int order =
          i == a.size() ? 1 : j == b.size() ? -1 : a.get(i).name().compareTo(b.get(j).name());
      Entry x = order <= 0 ? a.get(i++) : null;
      Entry y = order >= 0 ? b.get(j++) : null;
      boolean xDir = x != null && x.attrs().isDirectory();
      boolean yDir = y != null && y.attrs().isDirectory();
      if (xDir || yDir) {
        merge(
            nowRoot,
            xDir ? now.resolve(x.name()) : null,
            beforeRoot,
            yDir ? before.resolve(y.name()) : null,
            false,
            false,
            c);
      }
      boolean xFile = x != null && !xDir;
      boolean yFile = y != null && !yDir;
      c.staged += xFile ? 1 : 0;
      c.previous += yFile ? 1 : 0;
      if (xFile && yFile) {
        c.kept++;
        Object key = y.attrs().fileKey();
        if (key == null || !key.equals(x.attrs().fileKey())) {
          c.changed++;
        }
      }
    }
  }

  /**
   * The entries of {@code dir} (none for null) in name order, symbolic links not followed, without
   * the records an earlier release kept at the top of a version ({@link VersionFiles}).
   */
  private static List<Entry> entries(Path root, Path dir, boolean rootOld) throws IOException {
    if (dir == null) {
      return List.of();
    }
    List<Entry> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (!Bookkeeping.isOldRecord(root, p, rootOld)) {
          out.add(
              new Entry(
                  p.getFileName().toString(),
                  Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
        }
      }
    }
    out.sort(Comparator.comparing(Entry::name));
    return out;
  }

  /**
   * {@link #compare(Path, Optional)} of a staging tree already listed by {@link VersionFiles#list}
   * (for a transfer whose files the engine makes read-only when it publishes them, which needs that
   * list anyway).
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
