package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir Path tmp;

  static final List<Manifest.Entry> ENTRIES =
      List.of(
          new Manifest.Entry("b/c.txt", 3, 1_700_000_000L, 1_699_999_980L, "\"e\\1\"", null),
          new Manifest.Entry("a%\tb\r\n.bin", 0, null, null, null, "ab".repeat(32)),
          new Manifest.Entry("a.txt", 12, 5L, null, "W/\"x\ty\"", null));

  static final String TEXT =
      "# syncjobs http manifest v1\tsize\tmtime\tlisted\tetag\tsha256\n"
          + "a%25%09b%0D%0A.bin\t0\t-\t-\t-\t"
          + "ab".repeat(32)
          + "\n"
          + "a.txt\t12\t5\t-\tW/\"x%09y\"\t-\n"
          + "b/c.txt\t3\t1700000000\t1699999980\t\"e%5C1\"\t-\n";

  @Test
  void writes_the_entries_sorted_by_path_in_the_tab_separated_format() throws Exception {
    Path staging = tmp.resolve("staging");
    Manifest.write(staging, null, ENTRIES);
    assertThat(Files.readString(Manifest.of(staging), StandardCharsets.UTF_8)).isEqualTo(TEXT);
    assertThat(Manifest.of(staging).resolveSibling(Manifest.FILE + ".tmp")).doesNotExist();
  }

  @Test
  void reads_back_what_it_wrote() throws Exception {
    Path staging = tmp.resolve("staging");
    Manifest.write(staging, null, ENTRIES);
    assertThat(Manifest.read(Manifest.of(staging)).values())
        .containsExactlyInAnyOrderElementsOf(ENTRIES);
  }

  @Test
  void links_the_previous_manifest_when_nothing_changed() throws Exception {
    Path v1 = tmp.resolve("v1");
    Manifest.write(v1, null, ENTRIES);
    Path old = Manifest.of(v1);
    Path v2 = tmp.resolve("v2");
    Manifest.write(v2, old, List.of(ENTRIES.get(2), ENTRIES.get(0), ENTRIES.get(1)));
    assertThat(Files.isSameFile(Manifest.of(v2), old)).isTrue();
    assertThat(Manifest.of(v2).resolveSibling(Manifest.FILE + ".tmp")).doesNotExist();
  }

  @Test
  void writes_a_new_file_when_an_entry_changed_and_leaves_the_previous_one_alone()
      throws Exception {
    Path v1 = tmp.resolve("v1");
    Manifest.write(v1, null, ENTRIES);
    Path old = Manifest.of(v1);
    Path v2 = tmp.resolve("v2");
    Manifest.Entry changed = new Manifest.Entry("a.txt", 13, 5L, null, "W/\"x\ty\"", null);
    Manifest.write(v2, old, List.of(ENTRIES.get(0), ENTRIES.get(1), changed));
    assertThat(Files.isSameFile(Manifest.of(v2), old)).isFalse();
    assertThat(Files.readString(Manifest.of(v2)))
        .isEqualTo(TEXT.replace("a.txt\t12\t", "a.txt\t13\t"));
    assertThat(Files.readString(old)).isEqualTo(TEXT);
    assertThat(Manifest.of(v2).resolveSibling(Manifest.FILE + ".tmp")).doesNotExist();
  }

  @Test
  void a_shorter_previous_manifest_is_not_the_same() throws Exception {
    Path v1 = tmp.resolve("v1");
    Manifest.write(v1, null, ENTRIES.subList(0, 2));
    Path v2 = tmp.resolve("v2");
    Manifest.write(v2, Manifest.of(v1), ENTRIES);
    assertThat(Files.isSameFile(Manifest.of(v2), Manifest.of(v1))).isFalse();
    assertThat(Files.readString(Manifest.of(v2))).isEqualTo(TEXT);
  }

  @Test
  void a_line_with_a_time_no_entry_can_hold_is_damaged_and_dropped() throws Exception {
    Path file = tmp.resolve("m.tsv");
    Files.writeString(
        file,
        TEXT
            + "d.txt\t1\t"
            + Long.MIN_VALUE
            + "\t-\t-\t-\n"
            + "e.txt\t1\t-\t"
            + Long.MIN_VALUE
            + "\t-\t-\n");
    assertThat(Manifest.read(file).values()).containsExactlyInAnyOrderElementsOf(ENTRIES);
    Manifest.Entry e = Manifest.read(file).get("b/c.txt");
    assertThat(e.mtime()).isEqualTo(1_700_000_000L);
    assertThat(e.listed()).isEqualTo(1_699_999_980L);
    assertThat(Manifest.read(file).get("a.txt").listed()).isNull();
  }

  @Test
  void an_unreadable_manifest_reads_as_none() throws Exception {
    Path file = tmp.resolve("m.tsv");
    byte[] text = TEXT.getBytes(StandardCharsets.UTF_8);
    byte[] bad = java.util.Arrays.copyOf(text, text.length + 2);
    bad[text.length] = (byte) 0xC3; // a UTF-8 sequence cut short, after valid lines
    bad[text.length + 1] = '\n';
    Files.write(file, bad);
    assertThat(Manifest.read(file)).isEmpty();
    Files.writeString(file, TEXT.substring(TEXT.indexOf('\n') + 1));
    assertThat(Manifest.read(file)).as("no header").isEmpty();
    Files.writeString(file, "");
    assertThat(Manifest.read(file)).isEmpty();
    assertThat(Manifest.read(tmp.resolve("missing"))).isEmpty();
  }
}
