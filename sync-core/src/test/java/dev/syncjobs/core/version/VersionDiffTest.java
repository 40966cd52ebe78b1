package dev.syncjobs.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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
}
