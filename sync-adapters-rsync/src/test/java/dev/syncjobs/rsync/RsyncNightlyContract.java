package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.version.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The nightly runs every way of reaching rsync must get right: a run with a previous version asks
 * rsync first what differs ({@link RsyncPreCheck}), and stages nothing, only the differences
 * ({@link RsyncChangedOnly}) or the whole tree.
 */
abstract class RsyncNightlyContract extends RsyncTransferContract {
  /** A run of the tree {@code root} into {@code staging}, with {@code previous} before it. */
  private TransferReport rerun(Path root, Path previous, Path staging) {
    return new RsyncTransfer()
        .transfer(
            request(source(rel(root)), staging, Optional.of(previous), null, null, null, null));
  }

  @Test
  void an_unchanged_source_is_reported_as_such_by_a_dry_run_that_stages_nothing()
      throws IOException {
    Path root = smallTree();
    Files.createSymbolicLink(root.resolve("docs/link-to-readme"), Path.of("../readme.txt"));
    Path first = staging();
    TransferReport copied = transfer(source(rel(root)), first);
    Path second = Files.createDirectories(tmp.resolve("dest").resolve("20261123T040000Z.partial"));
    log.clear();

    TransferReport report = rerun(root, first, second);

    assertThat(report.sameAsPrevious()).as(String.join("\n", log)).isTrue();
    assertThat(report.filesTotal()).isEqualTo(copied.filesTotal());
    assertThat(report.bytesTotal()).isEqualTo(copied.bytesTotal());
    assertThat(report.filesTransferred()).isZero();
    try (Stream<Path> s = Files.list(second)) {
      assertThat(s.toList()).isEmpty();
    }
    assertThat(snapshot(first)).isEqualTo(snapshot(root));
  }

  @Test
  void each_kind_of_difference_makes_the_run_transfer_into_a_tree_equal_to_the_source()
      throws IOException {
    Map<String, Change> changes = new java.util.LinkedHashMap<>();
    changes.put("content", r -> write(r, "data/a.bin", "A".repeat(5001)));
    changes.put(
        "time only",
        r ->
            Files.setLastModifiedTime(
                r.resolve("docs/deep/nested.txt"),
                FileTime.from(Instant.parse("2026-02-01T00:00:00.123456789Z"))));
    changes.put("a new file", r -> write(r, "docs/deep/new.txt", "new\n"));
    changes.put("a removed file", r -> Files.delete(r.resolve("data/b.bin")));
    changes.put("a new empty folder", r -> Files.createDirectory(r.resolve("data/empty")));
    changes.put("a new folder with a file", r -> write(r, "data/new/deeper/x.txt", "x\n"));
    changes.put(
        "a removed folder",
        r -> {
          Files.delete(r.resolve("docs/deep/nested.txt"));
          Files.delete(r.resolve("docs/deep"));
        });
    changes.put(
        "a folder turned into a file",
        r -> {
          Files.delete(r.resolve("docs/deep/nested.txt"));
          Files.delete(r.resolve("docs/deep"));
          write(r, "docs/deep", "now a file\n");
        });
    changes.put(
        "a file turned into a folder",
        r -> {
          Files.delete(r.resolve("data/a.bin"));
          write(r, "data/a.bin/inside.txt", "inside\n");
        });
    changes.put(
        "a new link",
        r -> Files.createSymbolicLink(r.resolve("docs/link"), Path.of("../readme.txt")));
    changes.put(
        "a folder's permissions",
        r ->
            Files.setPosixFilePermissions(
                r.resolve("docs"), PosixFilePermissions.fromString("rwx------")));
    changes.put(
        "a file made executable",
        r ->
            Files.setPosixFilePermissions(
                r.resolve("readme.txt"), PosixFilePermissions.fromString("rwxr-xr-x")));
    changes.put(
        "names rsync escapes",
        r -> {
          write(r, "docs/new\nline.txt", "1\n");
          write(r, "docs/back\\#123.txt", "2\n");
          write(r, "docs/d\u00e9j\u00e0 vu.txt", "3\n");
          write(r, "docs/tab\there.txt", "4\n");
        });
    changes.put("a new file at the top (the whole tree)", r -> write(r, "top.txt", "top\n"));
    for (var change : changes.entrySet()) {
      String what = change.getKey();
      Path root = smallTree();
      // folders and links last changed well before each run, as in a mirror: rsync tells a
      // folder's time from its copy's only in whole seconds, and leaves an entry changed in the
      // current second undated
      FileTime old = FileTime.from(Instant.parse("2026-01-02T00:00:00.5Z"));
      setFolderTimes(root, old, old);
      Path dest = Files.createDirectories(tmp.resolve(UUID.randomUUID().toString()));
      Path first = Files.createDirectories(dest.resolve("20261123T030000Z"));
      transfer(source(rel(root)), first);
      Map<String, String> before = metadata(first);
      change.getValue().apply(root);
      setFolderTimes(root, old, FileTime.from(Instant.parse("2026-01-03T00:00:00.25Z")));
      Path second = Files.createDirectories(first.resolveSibling("20261123T040000Z.partial"));
      log.clear();

      TransferReport report = rerun(root, first, second);

      List<String> logged = List.copyOf(log);
      assertThat(report.sameAsPrevious()).as(what).isFalse();
      // the same tree as a whole copy of the source makes, modes and times to the nanosecond
      Path whole = Files.createDirectories(dest.resolve("whole"));
      TransferReport copied = transfer(source(rel(root)), whole);
      assertThat(metadata(second))
          .as(what + "\n" + String.join("\n", logged))
          .isEqualTo(metadata(whole));
      assertThat(report.filesTotal()).as(what).isEqualTo(copied.filesTotal());
      assertThat(report.bytesTotal()).as(what).isEqualTo(copied.bytesTotal());
      assertThat(metadata(first)).as(what).isEqualTo(before);
      if (what.endsWith("(the whole tree)")) {
        assertThat(logged).as(what).anyMatch(l -> l.contains("transferring the whole tree"));
      } else {
        assertThat(logged).as(what).anyMatch(l -> l.contains("that differ"));
        assertThat(logged)
            .as(what)
            .noneMatch(l -> l.contains("--link-dest") && l.contains("--recursive"));
      }
      // files unchanged since the previous version are that version's, not copies
      for (var e : metadata(second).entrySet()) {
        if (e.getValue().startsWith("file") && e.getValue().equals(before.get(e.getKey()))) {
          assertThat(inode(second.resolve(e.getKey())))
              .as(what + ": " + e.getKey())
              .isEqualTo(inode(first.resolve(e.getKey())));
        }
      }
      // and the next night, with nothing changed, finds nothing to do
      Path third = Files.createDirectories(dest.resolve("20261123T050000Z.partial"));
      TransferReport again = rerun(root, second, third);
      assertThat(again.sameAsPrevious()).as(what + "\n" + String.join("\n", log)).isTrue();
    }
  }

  /**
   * Gives each folder and link under {@code root} whose time is not {@code unless} the time {@code
   * to}.
   */
  private static void setFolderTimes(Path root, FileTime unless, FileTime to) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            || Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).equals(unless)) {
          continue;
        }
        Files.getFileAttributeView(
                p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setTimes(to, null, null);
      }
    }
  }

  /**
   * Relative path → type, mode, modification time and content digest (files) or target (links), the
   * top folder included.
   */
  protected static Map<String, String> metadata(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        var a =
            Files.readAttributes(
                p, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String kind =
            a.isSymbolicLink()
                ? "link -> " + Files.readSymbolicLink(p)
                : a.isDirectory() ? "folder" : "file " + digest(p);
        out.put(
            root.relativize(p).toString(),
            kind
                + " "
                + PosixFilePermissions.toString(a.permissions())
                + " "
                + a.lastModifiedTime());
      }
    }
    return out;
  }

  @Test
  void a_previous_version_holding_an_earlier_releases_records_is_linked_without_a_check()
      throws IOException {
    Path root = smallTree();
    Path first = firstVersion(root, "old");
    // as an earlier release published it: its records inside, none beside it
    dev.syncjobs.core.version.FileTrees.delete(dev.syncjobs.core.version.Bookkeeping.of(first));
    Files.writeString(first.resolve(Destination.RESERVED_PREFIX + "-manifest.tsv"), "old\n");
    Path second = Files.createDirectories(first.resolveSibling("20261123T040000Z.partial"));
    log.clear();

    TransferReport report = rerun(root, first, second);

    assertThat(report.sameAsPrevious()).isFalse();
    assertThat(log).noneMatch(l -> l.contains("--dry-run"));
    assertThat(snapshot(second)).isEqualTo(snapshot(root));
    assertThat(inode(second.resolve("readme.txt"))).isEqualTo(inode(first.resolve("readme.txt")));
  }

  @Test
  void resuming_over_an_interrupted_attempts_links_leaves_the_previous_version_as_published()
      throws IOException {
    Path root = smallTree();
    Path first = firstVersion(root, "resume");
    Set<PosixFilePermission> published =
        Files.getPosixFilePermissions(first.resolve("data/a.bin"), LinkOption.NOFOLLOW_LINKS);
    // what an interrupted attempt left: previous files linked into staging, one file of its own
    Path second = Files.createDirectories(first.resolveSibling("20261123T040000Z.partial"));
    Files.createDirectories(second.resolve("data"));
    Files.createLink(second.resolve("data/a.bin"), first.resolve("data/a.bin"));
    Files.createLink(second.resolve("readme.txt"), first.resolve("readme.txt"));
    write(second, "data/b.bin", "b".repeat(7000));
    Files.setLastModifiedTime(
        second.resolve("data/b.bin"), Files.getLastModifiedTime(root.resolve("data/b.bin")));
    // since then, at the source, only a mode changed
    Files.setPosixFilePermissions(
        root.resolve("data/a.bin"), PosixFilePermissions.fromString("rwxr-xr-x"));
    log.clear();

    rerun(root, first, second);

    assertThat(
            Files.getPosixFilePermissions(first.resolve("data/a.bin"), LinkOption.NOFOLLOW_LINKS))
        .as("the published version's file")
        .isEqualTo(published);
    assertThat(
            Files.getPosixFilePermissions(second.resolve("data/a.bin"), LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(PosixFilePermissions.fromString("r-xr-xr-x"));
    assertThat(snapshot(second)).isEqualTo(snapshot(root));
    assertThat(inode(second.resolve("readme.txt"))).isEqualTo(inode(first.resolve("readme.txt")));
    assertThat(log).anyMatch(l -> l.startsWith("unlinked 2 files"));
  }

  @Test
  void for_a_job_that_keeps_removed_files_the_files_carried_over_are_no_difference()
      throws IOException {
    Path root = smallTree();
    Path first = firstVersion(root, "keeps");
    // a file the source removed on an earlier night, which the engine carried over
    FileTime docsTime = Files.getLastModifiedTime(first.resolve("docs"));
    write(first, "docs/gone.txt", "kept\n");
    Files.setLastModifiedTime(first.resolve("docs"), docsTime);
    TransferRequest.Options keeps =
        new TransferRequest.Options(true, false, null, Duration.ofSeconds(30), null, true);

    Path second = Files.createDirectories(first.resolveSibling("20261123T040000Z.partial"));
    assertThat(rerun(root, first, second, TransferRequest.Options.DEFAULTS).sameAsPrevious())
        .as("a job that deletes what the source removed")
        .isFalse();
    FileTrees.delete(second);
    Files.createDirectories(second);
    TransferReport report = rerun(root, first, second, keeps);

    assertThat(report.sameAsPrevious()).as(String.join("\n", log)).isTrue();
    try (Stream<Path> s = Files.list(second)) {
      assertThat(s.toList()).isEmpty();
    }

    // a night with a change: the carried file stays in the new version, linked
    write(root, "data/a.bin", "A".repeat(6000));
    TransferReport changed = rerun(root, first, second, keeps);

    assertThat(changed.sameAsPrevious()).isFalse();
    assertThat(Files.readString(second.resolve("data/a.bin"))).isEqualTo("A".repeat(6000));
    assertThat(inode(second.resolve("docs/gone.txt")))
        .isEqualTo(inode(first.resolve("docs/gone.txt")));
  }

  private TransferReport rerun(
      Path root, Path previous, Path staging, TransferRequest.Options options) {
    return new RsyncTransfer()
        .transfer(
            new TransferRequest(
                source(rel(root)),
                auth(),
                null,
                staging,
                Optional.of(previous),
                null,
                options,
                null,
                null,
                log::add));
  }

  @Test
  void with_compare_checksums_a_same_size_same_time_change_is_a_difference() throws IOException {
    Path root = smallTree();
    Path first = firstVersion(root, "sums");
    write(root, "data/a.bin", "A".repeat(5000)); // same size, same time
    Path second = Files.createDirectories(first.resolveSibling("20261123T040000Z.partial"));

    TransferReport report =
        new RsyncTransfer()
            .transfer(
                new TransferRequest(
                    source(rel(root)),
                    auth(),
                    null,
                    second,
                    Optional.of(first),
                    null,
                    new TransferRequest.Options(true, true, null, Duration.ofSeconds(30)),
                    null,
                    null,
                    log::add));

    assertThat(report.sameAsPrevious()).as(String.join("\n", log)).isFalse();
    assertThat(Files.readString(second.resolve("data/a.bin"))).isEqualTo("A".repeat(5000));
  }

  /** A change made to a source tree. */
  private interface Change {
    void apply(Path root) throws IOException;
  }

  /** The source's first version, transferred into {@code <dest>/20261123T030000Z}. */
  private Path firstVersion(Path root, String dest) throws IOException {
    Path first = Files.createDirectories(tmp.resolve(dest).resolve("20261123T030000Z"));
    transfer(source(rel(root)), first);
    return first;
  }
}
