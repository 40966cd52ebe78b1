package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.port.TransferReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:17Z");
  static final List<String> FILES =
      List.of("a.txt", "b.bin", "sub/c.txt", "sub/deeper/d.bin", "SHA256SUMS");

  @TempDir Path tmp;

  private TestServer tree() throws IOException {
    TestServer s = TestServer.start();
    s.file("/m/a.txt", "alpha", T);
    s.file("/m/b.bin", Fixture.randomBytes(200_000, 1), T);
    s.file("/m/sub/c.txt", "gamma", T);
    s.file("/m/sub/deeper/d.bin", Fixture.randomBytes(50_000, 2), T);
    sums(s, T);
    return s;
  }

  private static void sums(TestServer s, Instant mtime) {
    s.file("/m/SHA256SUMS", Fixture.sha256(s.content("/m/b.bin").data()) + "  b.bin\n", mtime);
  }

  @Test
  void
      second_run_downloads_nothing_and_stages_nothing_when_the_source_matches_the_previous_version()
          throws IOException {
    try (TestServer s = tree()) {
      HttpTransfer t = new HttpTransfer(Fixture.fastSettings());
      Path v1 = tmp.resolve("v1");
      new Fixture().run(t, s.uri("/m/"), v1, null);
      Fixture.publish(v1);
      s.resetCounters();

      Path v2 = tmp.resolve("v2");
      TransferReport r = new Fixture().run(t, s.uri("/m/"), v2, v1);

      assertThat(s.bytesServed()).isZero();
      assertThat(s.requests())
          .noneMatch(q -> q.method().equals("GET") && !q.rawPath().endsWith("/"));
      assertThat(r.sameAsPrevious()).isTrue();
      assertThat(r.filesTransferred()).isZero();
      assertThat(r.bytesTransferred()).isZero();
      assertThat(r.filesTotal()).isEqualTo(FILES.size());
      // nothing to link: the engine keeps the previous version current
      assertThat(Fixture.tree(v2)).isEmpty();
    }
  }

  @Test
  void second_run_links_every_file_when_the_previous_version_holds_more_than_its_manifest()
      throws IOException {
    try (TestServer s = tree()) {
      HttpTransfer t = new HttpTransfer(Fixture.fastSettings());
      Path v1 = tmp.resolve("v1");
      new Fixture().run(t, s.uri("/m/"), v1, null);
      // a file carried over from an older version (delete_removed=false), in no manifest
      Files.writeString(v1.resolve("sub/carried.txt"), "kept");
      Fixture.publish(v1);
      s.resetCounters();

      Path v2 = tmp.resolve("v2");
      TransferReport r = new Fixture().run(t, s.uri("/m/"), v2, v1);

      assertThat(s.bytesServed()).isZero();
      assertThat(r.sameAsPrevious()).isFalse();
      assertThat(r.filesTransferred()).isZero();
      for (String f : FILES) {
        assertThat(Fixture.inode(v2.resolve(f))).isEqualTo(Fixture.inode(v1.resolve(f)));
      }
      assertThat(Files.exists(v2.resolve("sub/carried.txt"))).isFalse();
      assertThat(Files.exists(PartialFolder.of(v2))).isFalse();
      assertThat(Files.readString(Manifest.of(v2))).isEqualTo(Files.readString(Manifest.of(v1)));
    }
  }

  @Test
  void every_downloaded_file_is_read_only_as_the_engine_is_promised() throws IOException {
    try (TestServer s = tree()) {
      HttpTransfer t = new HttpTransfer(Fixture.fastSettings());
      Path v1 = tmp.resolve("v1");
      new Fixture().run(t, s.uri("/m/"), v1, null);

      assertThat(t.writesReadOnlyFiles()).isTrue();
      for (String f : FILES) {
        assertThat(Files.getPosixFilePermissions(v1.resolve(f)))
            .as(f)
            .doesNotContain(
                PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_WRITE);
      }
    }
  }

  @Test
  void only_the_changed_file_is_downloaded_and_the_rest_are_links() throws IOException {
    try (TestServer s = tree()) {
      HttpTransfer t = new HttpTransfer(Fixture.fastSettings());
      Path v1 = tmp.resolve("v1");
      new Fixture().run(t, s.uri("/m/"), v1, null);
      Fixture.publish(v1);
      byte[] changed = Fixture.randomBytes(200_000, 99);
      s.file("/m/b.bin", changed, T.plusSeconds(3600));
      sums(s, T.plusSeconds(3600));
      s.resetCounters();

      Path v2 = tmp.resolve("v2");
      TransferReport r = new Fixture().run(t, s.uri("/m/"), v2, v1);

      assertThat(s.bytesServed("/m/b.bin")).isEqualTo(200_000);
      assertThat(s.bytesServed()).isEqualTo(200_000 + s.content("/m/SHA256SUMS").data().length);
      assertThat(r.filesTransferred()).isEqualTo(2);
      assertThat(Fixture.sha256(v2.resolve("b.bin"))).isEqualTo(Fixture.sha256(changed));
      assertThat(Fixture.inode(v2.resolve("b.bin")))
          .isNotEqualTo(Fixture.inode(v1.resolve("b.bin")));
      assertThat(Fixture.sha256(v1.resolve("b.bin")))
          .isEqualTo(Fixture.sha256(Fixture.randomBytes(200_000, 1)));
      for (String f : List.of("a.txt", "sub/c.txt", "sub/deeper/d.bin")) {
        assertThat(Fixture.inode(v2.resolve(f))).isEqualTo(Fixture.inode(v1.resolve(f)));
      }
    }
  }

  @Test
  void same_size_change_within_the_listed_minute_is_caught_by_the_checksum_file()
      throws IOException {
    try (TestServer s = tree()) {
      HttpTransfer t = new HttpTransfer(Fixture.fastSettings());
      Path v1 = tmp.resolve("v1");
      new Fixture().run(t, s.uri("/m/"), v1, null);
      Fixture.publish(v1);
      byte[] changed = Fixture.randomBytes(200_000, 5);
      s.file("/m/b.bin", changed, T.plusSeconds(20));
      sums(s, T.plusSeconds(20));

      Path v2 = tmp.resolve("v2");
      new Fixture().run(t, s.uri("/m/"), v2, v1);

      assertThat(Fixture.sha256(v2.resolve("b.bin"))).isEqualTo(Fixture.sha256(changed));
    }
  }

  @Test
  void many_unchanged_files_in_new_folders_are_linked_concurrently() throws IOException {
    try (TestServer s = TestServer.start()) {
      for (int i = 0; i < 300; i++) {
        s.file("/many/d" + (i % 3) + "/f" + i + ".txt", "file " + i, T);
      }
      HttpTransfer t = new HttpTransfer(Fixture.fastSettings().withConnections(8));
      Path v1 = tmp.resolve("v1");
      new Fixture().run(t, s.uri("/many/"), v1, null);
      Fixture.publish(v1);
      // one new file, so the 300 unchanged ones must be linked
      s.file("/many/d0/new.txt", "new", T);
      s.resetCounters();

      Path v2 = tmp.resolve("v2");
      TransferReport r = new Fixture().run(t, s.uri("/many/"), v2, v1);

      assertThat(r.filesTransferred()).isEqualTo(1);
      assertThat(s.bytesServed()).isEqualTo(3);
      Map<String, String> expected = new TreeMap<>(Fixture.tree(v1));
      expected.put("d0/new.txt", "new");
      assertThat(Fixture.tree(v2)).hasSize(301).isEqualTo(expected);
      assertThat(Fixture.inode(v2.resolve("d2/f299.txt")))
          .isEqualTo(Fixture.inode(v1.resolve("d2/f299.txt")));
    }
  }

  @Test
  void a_file_removed_from_the_source_is_not_in_the_new_tree() throws IOException {
    try (TestServer s = tree()) {
      HttpTransfer t = new HttpTransfer(Fixture.fastSettings());
      Path v1 = tmp.resolve("v1");
      new Fixture().run(t, s.uri("/m/"), v1, null);
      Fixture.publish(v1);
      s.remove("/m/sub/deeper/d.bin");
      s.resetCounters();

      Path v2 = tmp.resolve("v2");
      TransferReport r = new Fixture().run(t, s.uri("/m/"), v2, v1);

      assertThat(Fixture.tree(v2).keySet())
          .containsExactlyInAnyOrder("a.txt", "b.bin", "sub/c.txt", "SHA256SUMS");
      assertThat(Files.exists(v2.resolve("sub/deeper"))).isFalse();
      assertThat(Files.exists(v1.resolve("sub/deeper/d.bin"))).isTrue();
      assertThat(r.filesTotal()).isEqualTo(4);
      assertThat(s.bytesServed()).isZero();
    }
  }

  @Test
  void leftovers_in_staging_that_the_source_no_longer_has_are_removed() throws IOException {
    try (TestServer s = tree()) {
      Path staging = tmp.resolve("st");
      Files.createDirectories(staging.resolve("gone/dir"));
      Files.writeString(staging.resolve("gone/dir/old.txt"), "old");
      Files.writeString(staging.resolve("stale.txt"), "stale");
      new Fixture().run(new HttpTransfer(Fixture.fastSettings()), s.uri("/m/"), staging, null);
      assertThat(Fixture.tree(staging).keySet()).containsExactlyInAnyOrderElementsOf(FILES);
      assertThat(Files.exists(staging.resolve("gone"))).isFalse();
    }
  }

  @Test
  void progress_never_goes_backwards_and_ends_complete() throws IOException {
    try (TestServer s = tree()) {
      Fixture fx = new Fixture();
      new Fixture();
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/m/"), tmp.resolve("st"), null);
      assertThat(fx.progress).isNotEmpty();
      double last = 0;
      for (var p : fx.progress) {
        assertThat(p.percent()).isGreaterThanOrEqualTo(last);
        last = p.percent();
      }
      var end = fx.progress.get(fx.progress.size() - 1);
      assertThat(end.filesDone()).isEqualTo(FILES.size());
      assertThat(end.bytesDone()).isEqualTo(end.bytesTotal());
    }
  }
}
