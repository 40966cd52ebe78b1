package dev.syncjobs.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionStoreTest {
  static final Instant T = Instant.parse("2026-11-27T14:00:00Z");

  @TempDir Path tmp;

  @Test
  void a_staging_directory_is_created_with_the_destination_folder() {
    VersionStore store = new VersionStore(tmp.resolve("a/b"));

    Path staging = store.prepareStaging(T);

    assertThat(staging).isDirectory().hasFileName("20261127T140000Z.partial");
    assertThat(staging.getParent()).isEqualTo(tmp.resolve("a/b"));
  }

  @Test
  void a_tree_that_is_missing_or_a_file_lists_nothing_and_a_tree_lists_its_files()
      throws IOException {
    Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
    Files.writeString(tree.resolve("a.txt"), "a");
    Files.writeString(tmp.resolve("tree/.syncjobs-manifest.tsv"), "a source's file");
    Path file = Files.writeString(tmp.resolve("plain.txt"), "x");

    assertThat(VersionStore.files(tmp.resolve("missing"))).isEmpty();
    assertThat(VersionStore.files(file)).isEmpty();
    assertThat(VersionStore.files(tmp.resolve("tree")))
        .containsOnlyKeys("sub/a.txt", ".syncjobs-manifest.tsv");
  }

  @Test
  void current_is_only_a_link_to_a_version_inside_the_directory() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("dest"));
    VersionStore store = new VersionStore(dir);
    assertThat(store.current()).isEmpty();

    Files.createDirectory(dir.resolve(VersionStore.CURRENT));
    assertThat(store.current()).as("a directory named current").isEmpty();
    Files.delete(dir.resolve(VersionStore.CURRENT));

    Path version = Files.createDirectory(dir.resolve("20261127T140000Z"));
    Files.createSymbolicLink(dir.resolve(VersionStore.CURRENT), version.getFileName());
    assertThat(store.current()).contains(version);
  }

  @Test
  void a_taken_name_gets_a_counter_even_when_it_is_a_dangling_link() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Files.createDirectory(dir.resolve("20261127T140000Z"));
    Files.createSymbolicLink(dir.resolve("20261127T140000Z-1"), Path.of("nowhere"));

    Path staging = new VersionStore(dir).prepareStaging(T);

    assertThat(staging).hasFileName("20261127T140000Z-2.partial");
  }

  @Test
  void a_current_link_left_by_a_crash_in_the_middle_of_the_swap_is_removed_by_the_next_run()
      throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Files.createDirectory(dir.resolve("20261126T000000Z"));
    Files.createSymbolicLink(dir.resolve(".current-1f2e3d"), Path.of("20261126T000000Z"));
    VersionStore store = new VersionStore(dir);

    store.publish(store.prepareStaging(T));

    try (var names = Files.list(dir)) {
      assertThat(names.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "20261126T000000Z", "20261127T140000Z", "current", Bookkeeping.DIR);
    }
  }

  @Test
  void a_version_being_pruned_leaves_the_versions_before_its_files_go_and_the_next_run_finishes()
      throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Path half = Files.createDirectories(dir.resolve("20261120T000000Z.pruned/sub"));
    Files.writeString(half.resolve("left.bin"), "left by a kill in the middle of a prune");
    VersionStore store = new VersionStore(dir);
    for (int day = 21; day <= 23; day++) {
      Path staging = store.prepareStaging(Instant.parse("2026-11-" + day + "T00:00:00Z"));
      Files.writeString(staging.resolve("f"), "day " + day);
      store.publish(staging);
    }

    assertThat(store.prune(2)).containsExactly("20261121T000000Z");

    try (var names = Files.list(dir)) {
      assertThat(names.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "20261122T000000Z", "20261123T000000Z", "current", Bookkeeping.DIR);
    }
    try (var records = Files.list(dir.resolve(Bookkeeping.DIR))) {
      assertThat(records.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("20261122T000000Z", "20261123T000000Z");
    }
  }

  @Test
  void the_newest_partial_is_reused_with_its_pid_file_and_older_ones_are_deleted()
      throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Path older = Files.createDirectories(dir.resolve("20261125T000000Z.partial/sub"));
    Path newer = Files.createDirectories(dir.resolve("20261126T000000Z.partial"));
    Files.writeString(newer.resolve("half.iso"), "half");
    Files.writeString(dir.resolve("20261126T000000Z.partial.pid"), "123");

    Path staging = new VersionStore(dir).prepareStaging(T);

    assertThat(staging.resolve("half.iso")).hasContent("half");
    assertThat(dir.resolve("20261127T140000Z.partial.pid")).hasContent("123");
    assertThat(newer).doesNotExist();
    assertThat(older.getParent()).doesNotExist();
  }

  @Test
  void a_staging_directory_created_by_the_transfer_is_only_named_and_stands_for_an_empty_tree()
      throws IOException {
    VersionStore store = new VersionStore(tmp.resolve("d"));

    Path staging = store.prepareStaging(T, false);

    assertThat(staging).doesNotExist().hasFileName("20261127T140000Z.partial");
    assertThat(VersionStore.files(staging)).isEmpty();
    store.discard(staging);
    assertThat(store.publish(store.prepareStaging(T, false))).isEqualTo("20261127T140000Z");
    assertThat(tmp.resolve("d/current")).isDirectory().isEmptyDirectory();
  }

  @Test
  void leftovers_are_reused_even_when_the_transfer_creates_its_staging_directory()
      throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Files.writeString(
        Files.createDirectories(dir.resolve("20261126T000000Z.partial")).resolve("half.iso"),
        "half");

    Path staging = new VersionStore(dir).prepareStaging(T, false);

    assertThat(staging.resolve("half.iso")).hasContent("half");
  }

  @Test
  void discard_removes_an_empty_staging_directory_and_its_pid_file() throws IOException {
    VersionStore store = new VersionStore(tmp.resolve("d"));
    Path staging = store.prepareStaging(T);
    Path pid = staging.resolveSibling(staging.getFileName() + ".pid");
    Files.writeString(pid, "123");

    store.discard(staging);

    assertThat(staging).doesNotExist();
    assertThat(pid).doesNotExist();
    assertThat(tmp.resolve("d")).isEmptyDirectory();
  }

  @Test
  void discard_removes_a_staging_tree_with_read_only_files() throws IOException {
    VersionStore store = new VersionStore(tmp.resolve("d"));
    Path staging = store.prepareStaging(T);
    Path file = Files.createDirectories(staging.resolve("x/y")).resolve("f");
    Files.writeString(file, "data");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));

    store.discard(staging);

    assertThat(Files.exists(staging, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void carry_over_follows_no_link_in_staging_and_gives_new_folders_the_previous_mode()
      throws IOException {
    Path previous = Files.createDirectories(tmp.resolve("dest/20261126T140000Z/private"));
    Files.writeString(previous.resolve("kept.txt"), "kept");
    Files.createDirectories(tmp.resolve("dest/20261126T140000Z/moved"));
    Files.writeString(tmp.resolve("dest/20261126T140000Z/moved/f.txt"), "f");
    Files.setPosixFilePermissions(previous, PosixFilePermissions.fromString("rwx------"));
    Path staging = Files.createDirectories(tmp.resolve("dest/20261127T140000Z.partial"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(staging.resolve("moved"), outside);

    int carried = VersionDiff.carryOver(staging, previous.getParent());

    assertThat(carried).isOne();
    assertThat(staging.resolve("private/kept.txt")).hasContent("kept");
    assertThat(Files.getPosixFilePermissions(staging.resolve("private")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(outside).isEmptyDirectory();
  }
}
