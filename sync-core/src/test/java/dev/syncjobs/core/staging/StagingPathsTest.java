package dev.syncjobs.core.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingPathsTest {
  @TempDir Path tmp;
  Path staging;
  final List<String> log = new ArrayList<>();
  StagingPaths paths;

  @BeforeEach
  void setUp() throws Exception {
    staging = Files.createDirectories(tmp.resolve("dest/20261123T030000Z.partial"));
    paths = new StagingPaths(staging, log::add);
  }

  @Test
  void a_backslash_is_an_ordinary_character_and_the_name_lands_byte_for_byte_inside() {
    String name = "..\\..\\..\\..\\tmp\\x\\pwned.txt";

    Optional<Path> target = paths.resolve(name);

    assertThat(target).isPresent();
    assertThat(target.get().getParent()).isEqualTo(staging);
    assertThat(target.get().getFileName().toString()).isEqualTo(name);
    assertThat(paths.skipped()).isZero();
    assertThat(log).isEmpty();
  }

  @Test
  void dot_segments_nul_slash_inside_a_name_and_empty_segments_are_skipped_and_counted() {
    List<String> bad =
        List.of(
            "..", ".", "a/../../x", "../x", "a/./b", "a\0b", "a//b", "", "/abs", "dir/", "a/..");

    for (String name : bad) {
      assertThat(paths.resolve(name)).as(name).isEmpty();
    }

    assertThat(paths.skipped()).isEqualTo(bad.size());
    assertThat(log).hasSize(bad.size());
    assertThat(log.get(5)).isEqualTo("skipped \"a\\x00b\": it holds a NUL character");
    assertThat(log).allMatch(l -> l.startsWith("skipped "));
  }

  @Test
  void a_segment_longer_than_255_bytes_of_utf8_is_skipped_but_255_bytes_land() {
    String fits = "é".repeat(127) + "x"; // 255 bytes
    String tooLong = "é".repeat(128); // 256 bytes, 128 characters

    assertThat(paths.resolve("d/" + fits)).isPresent();
    assertThat(paths.resolve("d/" + tooLong)).isEmpty();

    assertThat(paths.skipped()).isOne();
    assertThat(log.get(0)).contains("256 bytes long, more than 255");
  }

  @Test
  void a_path_longer_than_path_max_is_skipped() {
    String deep = String.join("/", java.util.Collections.nCopies(20, "d".repeat(250)));

    assertThat(paths.resolve(deep)).isEmpty();
    assertThat(log.get(0)).contains("longer than 4095 bytes");
  }

  @Test
  void syncjobs_names_are_ordinary_at_any_depth() {
    assertThat(paths.resolve(".syncjobs-manifest.tsv")).isPresent();
    assertThat(paths.resolve(".syncjobs")).isPresent();
    assertThat(paths.resolve(".syncjobs-partial/x")).isPresent();
    assertThat(paths.resolve("sub/.syncjobs-manifest.tsv")).isPresent();
    assertThat(paths.skipped()).isZero();
  }

  @Test
  void unicode_control_characters_and_leading_dots_are_names_like_any_other() {
    for (String name : List.of("日本語.txt", "emoji 🎉", "...", "..a", " lead", "tab\there", "nl\n")) {
      assertThat(paths.resolve(name)).as(name).isPresent();
    }
    assertThat(paths.skipped()).isZero();
  }

  @Test
  void a_lone_surrogate_is_not_a_name_a_file_system_can_hold() {
    assertThat(StagingPaths.nameProblem("a\uD800b")).contains("it is not valid Unicode");
  }

  @Test
  void path_names_keep_their_elements_and_an_absolute_path_is_refused() {
    Path rel = Path.of("a\\b", "c d", "ü");

    assertThat(paths.resolve(rel)).contains(staging.resolve("a\\b").resolve("c d").resolve("ü"));
    assertThat(paths.resolve(Path.of("/etc/passwd"))).isEmpty();
    assertThat(paths.resolve(Path.of("a", "..", "..", "x"))).isEmpty();
    assertThat(paths.skipped()).isEqualTo(2);
  }

  @Test
  void folders_are_created_through_no_symbolic_link_planted_in_staging() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(staging.resolve("sub"), outside);
    Files.writeString(staging.resolve("file-in-the-way"), "x");
    Path target = paths.resolve("sub/deeper/f.txt").orElseThrow();
    Path second = paths.resolve("file-in-the-way/g.txt").orElseThrow();

    paths.createParents(target, PosixFilePermissions.fromString("rwxr-x---"));
    paths.createParents(second, null);

    assertThat(staging.resolve("sub")).isDirectory();
    assertThat(Files.isSymbolicLink(staging.resolve("sub"))).isFalse();
    assertThat(Files.getPosixFilePermissions(staging.resolve("sub/deeper")))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
    assertThat(Files.isDirectory(staging.resolve("file-in-the-way"), LinkOption.NOFOLLOW_LINKS))
        .isTrue();
    try (var s = Files.list(outside)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void a_new_file_is_private_and_never_opened_through_a_link() throws Exception {
    Path outside = tmp.resolve("victim.txt");
    Files.writeString(outside, "keep");
    Path link = staging.resolve("link");
    Files.createSymbolicLink(link, outside);
    Path temp = StagingPaths.tempFor(staging.resolve("x".repeat(255)));

    Assertions.assertThatThrownBy(() -> StagingPaths.createNew(link).close())
        .isInstanceOf(FileAlreadyExistsException.class);
    try (OutputStream out = StagingPaths.createNew(temp)) {
      out.write(1);
    }

    assertThat(Files.readString(outside)).isEqualTo("keep");
    assertThat(temp.getFileName().toString())
        .startsWith(StagingPaths.TEMP_PREFIX)
        .hasSizeLessThan(40);
    assertThat(Files.getPosixFilePermissions(temp))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void modes_are_set_on_the_file_itself() throws Exception {
    Path f = Files.writeString(staging.resolve("f"), "x");

    StagingPaths.setMode(f, PosixFilePermissions.fromString("r--------"));

    assertThat(Files.getPosixFilePermissions(f))
        .isEqualTo(PosixFilePermissions.fromString("r--------"));
  }

  @Test
  void log_lines_escape_control_characters_and_stop_after_a_thousand_but_counting_goes_on() {
    for (int i = 0; i < 1500; i++) {
      paths.resolve("bad\0" + i);
    }

    assertThat(paths.skipped()).isEqualTo(1500);
    assertThat(log).hasSize(1001);
    assertThat(log.get(1000)).contains("not logged");
    assertThat(StagingPaths.printable("a\nb\u0001\"")).isEqualTo("\"a\\nb\\x01\\\"\"");
  }

  @Test
  void a_staging_folder_holds_entries_only_once_something_is_in_it() throws Exception {
    Path staging = tmp.resolve("20261123T030000Z.partial");
    assertThat(StagingPaths.holdsEntries(staging)).as("missing").isFalse();
    java.nio.file.Files.createDirectory(staging);
    assertThat(StagingPaths.holdsEntries(staging)).as("fresh").isFalse();
    java.nio.file.Files.createDirectory(staging.resolve("docs"));
    assertThat(StagingPaths.holdsEntries(staging)).as("left by an attempt").isTrue();
  }
}
