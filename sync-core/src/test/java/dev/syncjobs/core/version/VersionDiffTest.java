package dev.syncjobs.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionDiffTest {
  @TempDir Path tmp;

  @Test
  void a_link_to_the_previous_file_is_unchanged_any_other_staged_file_is_added_or_changed()
      throws IOException {
    Path previous = Files.createDirectories(tmp.resolve("20261123T030000Z"));
    Files.writeString(previous.resolve("same.txt"), "same");
    Files.writeString(previous.resolve("changed.txt"), "old");
    Files.createDirectories(previous.resolve("gone"));
    Files.writeString(previous.resolve("gone/removed.txt"), "removed");
    Path staging = Files.createDirectories(tmp.resolve("20261124T030000Z.partial"));
    Files.createLink(staging.resolve("same.txt"), previous.resolve("same.txt"));
    Files.writeString(staging.resolve("changed.txt"), "old"); // same content, another inode
    Files.createDirectories(staging.resolve("new"));
    Files.writeString(staging.resolve("new/added.txt"), "added");

    VersionDiff.Diff diff = VersionDiff.compare(staging, Optional.of(previous));

    assertThat(diff).isEqualTo(new VersionDiff.Diff(1, 1, 1, 3, 3));
    assertThat(diff.unchanged()).isFalse();
    assertThat(diff.removedPercent()).isBetween(33.3, 33.4);
    assertThat(VersionDiff.compare(staging, Optional.empty()))
        .isEqualTo(new VersionDiff.Diff(3, 0, 0, 0, 3));
    Path twin = Files.createDirectories(tmp.resolve("twin.partial"));
    Files.createLink(twin.resolve("same.txt"), previous.resolve("same.txt"));
    Files.createLink(twin.resolve("changed.txt"), previous.resolve("changed.txt"));
    Files.createDirectories(twin.resolve("gone"));
    Files.createLink(twin.resolve("gone/removed.txt"), previous.resolve("gone/removed.txt"));
    assertThat(VersionDiff.compare(twin, Optional.of(previous)).unchanged()).isTrue();
  }

  @Test
  void the_side_by_side_walk_counts_as_the_listed_tree_does() throws IOException {
    // random trees: shared and new files, links into the previous version, folders on one side
    // only, a folder on one side where the other has a file or a symbolic link, and the records
    // an earlier release kept at the top of a version
    int[] seen = new int[4]; // trees with files added, changed, removed, and unchanged ones
    for (int seed = 0; seed < 40; seed++) {
      Random r = new Random(seed);
      Path root = Files.createDirectories(tmp.resolve("s" + seed));
      Path previous = Files.createDirectories(root.resolve("20261123T030000Z"));
      Path staging = Files.createDirectories(root.resolve("20261124T030000Z.partial"));
      if (r.nextBoolean()) {
        Files.writeString(previous.resolve(".syncjobs-manifest"), "old record");
      }
      for (int i = 0; i < 60; i++) {
        String dir = "d" + r.nextInt(4) + (r.nextBoolean() ? "/e" + r.nextInt(3) : "");
        String name = dir + "/f" + r.nextInt(8);
        Path before = previous.resolve(name);
        Path now = staging.resolve(name);
        try {
          switch (r.nextInt(6)) {
            case 0 -> write(before);
            case 1 -> write(now);
            case 2 -> {
              write(before);
              Files.createDirectories(now.getParent());
              Files.createLink(now, before);
            }
            case 3 -> {
              write(before);
              write(now);
            }
            case 4 -> {
              Files.createDirectories(now.getParent());
              Files.createSymbolicLink(now, Path.of("elsewhere"));
              write(before);
            }
            default -> {
              // a folder where the other side has a file
              write(before.resolveSibling(before.getFileName() + "x"));
              write(now.resolveSibling(now.getFileName() + "x/inner"));
            }
          }
        } catch (java.nio.file.FileSystemException taken) {
          // the name is taken on that side already (a file where a folder would go, or again)
        }
      }
      VersionDiff.Diff diff = VersionDiff.compare(staging, Optional.of(previous));
      assertThat(diff)
          .as("seed %d", seed)
          .isEqualTo(VersionDiff.compare(VersionFiles.list(staging), Optional.of(previous)));
      seen[0] += diff.added() > 0 ? 1 : 0;
      seen[1] += diff.changed() > 0 ? 1 : 0;
      seen[2] += diff.removed() > 0 ? 1 : 0;
      seen[3] += diff.stagedFiles() - diff.added() - diff.changed() > 0 ? 1 : 0;
      assertThat(VersionDiff.compare(staging, Optional.empty()))
          .isEqualTo(VersionDiff.compare(VersionFiles.list(staging), Optional.empty()));
    }
    assertThat(java.util.Arrays.stream(seen).min().orElseThrow())
        .as("%s", java.util.Arrays.toString(seen))
        .isGreaterThan(10);
  }

  private static void write(Path p) throws IOException {
    Files.createDirectories(p.getParent());
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.writeString(p, p.toString());
    }
  }
}
