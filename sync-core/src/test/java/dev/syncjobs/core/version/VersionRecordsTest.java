package dev.syncjobs.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionRecordsTest {
  private static final Instant T1 = Instant.parse("2026-11-27T14:00:00Z");
  private static final Instant T2 = Instant.parse("2026-11-28T14:00:00Z");
  private static final Instant T3 = Instant.parse("2026-11-29T14:00:00Z");

  @TempDir Path tmp;

  private static List<String> names(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void records_live_beside_the_staging_directory_and_become_the_versions_when_published()
      throws IOException {
    Path dest = tmp.resolve("dest");
    VersionStore store = new VersionStore(dest);
    Path staging = store.prepareStaging(T1);
    Files.writeString(staging.resolve("a.txt"), "a");
    Path records = Bookkeeping.create(staging);
    Files.writeString(records.resolve("manifest"), "what the adapter keeps");

    assertThat(records).isEqualTo(dest.resolve(".syncjobs/20261127T140000Z.partial"));
    String version = store.publish(staging);

    assertThat(names(dest.resolve(version))).containsExactly("a.txt");
    assertThat(dest.resolve(".syncjobs").resolve(version).resolve("manifest"))
        .hasContent("what the adapter keeps");
    assertThat(names(dest.resolve(".syncjobs"))).containsExactly(version);
  }

  @Test
  void a_version_published_without_records_gets_an_empty_records_folder() throws IOException {
    Path dest = tmp.resolve("dest");
    VersionStore store = new VersionStore(dest);
    Path staging = store.prepareStaging(T1);
    Files.writeString(staging.resolve(".syncjobs-manifest.tsv"), "a source's file");

    String version = store.publish(staging);

    assertThat(dest.resolve(".syncjobs").resolve(version)).isEmptyDirectory();
    assertThat(Bookkeeping.predatesRecords(dest.resolve(version))).isFalse();
    assertThat(VersionStore.files(dest.resolve(version)))
        .containsOnlyKeys(".syncjobs-manifest.tsv");
  }

  @Test
  void a_reused_staging_directory_takes_its_records_along_and_older_ones_go() throws IOException {
    Path dest = tmp.resolve("dest");
    VersionStore store = new VersionStore(dest);
    Path older = Files.createDirectories(dest.resolve("20261127T140000Z.partial"));
    Files.writeString(Bookkeeping.create(older).resolve("state"), "older");
    Path newer = Files.createDirectories(dest.resolve("20261128T140000Z.partial"));
    Files.writeString(Bookkeeping.create(newer).resolve("state"), "newer");

    Path reused = store.prepareStaging(T3);

    assertThat(Bookkeeping.of(reused).resolve("state")).hasContent("newer");
    assertThat(names(dest.resolve(".syncjobs"))).containsExactly(reused.getFileName().toString());
    assertThat(names(dest)).containsExactly(".syncjobs", reused.getFileName().toString());
  }

  @Test
  void discarding_or_pruning_removes_the_records_and_orphaned_records_are_dropped()
      throws IOException {
    Path dest = tmp.resolve("dest");
    VersionStore store = new VersionStore(dest);
    String v1 = store.publish(store.prepareStaging(T1));
    String v2 = store.publish(store.prepareStaging(T2));
    Path staging = store.prepareStaging(T3);
    Bookkeeping.create(staging);
    store.discard(staging);
    assertThat(names(dest.resolve(".syncjobs"))).containsExactly(v1, v2);

    assertThat(store.prune(1)).containsExactly(v1);
    assertThat(names(dest.resolve(".syncjobs"))).containsExactly(v2);

    Files.createDirectories(dest.resolve(".syncjobs/20200101T000000Z"));
    store.discard(store.prepareStaging(T3));
    assertThat(names(dest.resolve(".syncjobs"))).as("records of no version").containsExactly(v2);
  }

  @Test
  void a_version_of_an_earlier_release_keeps_its_records_out_of_its_listing() throws IOException {
    Path dest = tmp.resolve("dest");
    Path old = Files.createDirectories(dest.resolve("20261127T140000Z"));
    Files.writeString(old.resolve("a.txt"), "a");
    Files.writeString(old.resolve(".syncjobs-manifest.tsv"), "# syncjobs http manifest v1");

    assertThat(Bookkeeping.predatesRecords(old)).isTrue();
    assertThat(Bookkeeping.holdsOldRecords(old)).isTrue();
    assertThat(VersionStore.files(old)).containsOnlyKeys("a.txt");

    Bookkeeping.create(old);
    assertThat(Bookkeeping.predatesRecords(old)).isFalse();
    assertThat(VersionStore.files(old)).containsOnlyKeys("a.txt", ".syncjobs-manifest.tsv");
  }

  @Test
  void a_link_planted_where_records_belong_is_replaced_not_followed() throws IOException {
    Path dest = Files.createDirectories(tmp.resolve("dest"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(dest.resolve(".syncjobs"), outside);
    Path staging = new VersionStore(dest).prepareStaging(T1);

    Path records = Bookkeeping.create(staging);

    assertThat(Files.isSymbolicLink(dest.resolve(".syncjobs"))).isFalse();
    assertThat(records.getParent()).isDirectory();
    assertThat(outside).isEmptyDirectory();
  }
}
