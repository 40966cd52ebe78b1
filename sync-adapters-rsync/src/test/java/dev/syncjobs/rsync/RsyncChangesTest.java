package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Lines as rsync 3.5's dry run prints them ({@code --out-format=%i %n}, {@code LC_ALL=C}). */
class RsyncChangesTest {
  @Test
  void entries_to_transfer_and_to_leave_out_are_told_apart() {
    RsyncChanges c = new RsyncChanges();
    for (String line :
        new String[] {
          "*deleting   top/t",
          "*deleting   top/",
          "*deleting   old.txt",
          ">f.st...... d/c",
          ".d..t...... d/e/",
          "cd+++++++++ d/e/newdir/",
          ">f+++++++++ d/e/newdir/q",
          "cL+++++++++ d/link",
          "",
          "Number of files: 8 (reg: 5, dir: 3)",
          "Total file size: 12 bytes",
        }) {
      assertThat(c.add(line)).as(line).isTrue();
    }
    assertThat(c.usable()).isTrue();
    assertThat(c.none()).isFalse();
    assertThat(c.transfer())
        .extracting(RsyncChanges.Entry::name)
        .containsExactly("d/c", "d/e", "d/e/newdir", "d/e/newdir/q", "d/link");
    assertThat(c.leavesOut("d/c")).isTrue();
    assertThat(c.leavesOut("old.txt")).isTrue();
    assertThat(c.leavesOut("d/e")).isFalse();
    assertThat(c.transfersFolder("d/e")).isTrue();
    assertThat(c.removesFolder("top")).isTrue();
    assertThat(c.removesFolder("d")).isFalse();
    assertThat(new String(c.filesFrom("sub/./"), StandardCharsets.UTF_8))
        .isEqualTo("sub/./d/c\0sub/./d/e\0sub/./d/e/newdir\0sub/./d/e/newdir/q\0sub/./d/link\0");
  }

  @Test
  void names_are_decoded_from_rsyncs_escapes_to_their_bytes() {
    RsyncChanges c = new RsyncChanges();
    assertThat(c.add(">f..t...... d/new\\#012line")).isTrue();
    assertThat(c.add(">f..t...... d/back\\#134#123")).isTrue();
    assertThat(c.add(">f..t...... d/\\#303\\#251t\\#303\\#251")).isTrue();
    assertThat(c.add(">f..t...... d/tab\there")).isTrue();
    assertThat(c.transfer())
        .extracting(RsyncChanges.Entry::name)
        .containsExactly("d/new\nline", "d/back\\#123", "d/\u00e9t\u00e9", "d/tab\there");
  }

  @Test
  void nothing_itemized_means_the_source_is_unchanged() {
    RsyncChanges c = new RsyncChanges();
    c.add("Number of files: 8 (reg: 5, dir: 3)");
    c.add("total size is 12  speedup is 1.00 (DRY RUN)");
    assertThat(c.none()).isTrue();
    assertThat(c.usable()).isTrue();
  }

  @Test
  void a_changed_top_folder_or_a_name_that_is_not_utf8_makes_the_list_unusable() {
    RsyncChanges top = new RsyncChanges();
    assertThat(top.add(".d..t...... ./")).isTrue();
    assertThat(top.usable()).isFalse();
    assertThat(top.none()).isFalse();
    assertThat(top.reason()).contains("top folder");

    RsyncChanges latin1 = new RsyncChanges();
    assertThat(latin1.add(">f+++++++++ caf\\#351")).isFalse();
    assertThat(latin1.usable()).isFalse();
    assertThat(latin1.none()).isFalse();
    assertThat(latin1.reason()).contains("cannot address");

    for (String unsafe :
        new String[] {">f+++++++++ ../x", ">f+++++++++ a/../../x", "*deleting   /etc"}) {
      RsyncChanges c = new RsyncChanges();
      assertThat(c.add(unsafe)).as(unsafe).isFalse();
      assertThat(c.reason()).contains("does not stay below");
    }

    RsyncChanges device = new RsyncChanges();
    assertThat(device.add("cD+++++++++ dev/null")).isFalse();
    assertThat(device.reason()).contains("device");
  }

  @Test
  void more_entries_than_the_limit_make_the_list_unusable_and_drop_what_it_held() {
    RsyncChanges c = new RsyncChanges();
    for (int i = 0; i < RsyncChanges.MAX_ENTRIES; i++) {
      assertThat(c.add(">f+++++++++ f" + i)).isTrue();
    }
    assertThat(c.add(">f+++++++++ one-more")).isFalse();
    assertThat(c.usable()).isFalse();
    assertThat(c.transfer()).isEmpty();
    assertThat(c.reason()).contains("more than " + RsyncChanges.MAX_ENTRIES);
  }
}
