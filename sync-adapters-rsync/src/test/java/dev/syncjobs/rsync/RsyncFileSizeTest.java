package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RsyncFileSizeTest {
  @Test
  void the_size_of_a_regular_file_is_read_from_its_listing_line() {
    assertThat(RsyncFileSize.parse("-rw-r--r--        6291456 2026/12/05 05:00:00 big/large.bin"))
        .isEqualTo(6_291_456L);
    assertThat(RsyncFileSize.parse("-r--r--r--              0 2026/12/05 05:00:00 empty")).isZero();
  }

  @Test
  void anything_else_gives_no_size() {
    assertThat(RsyncFileSize.parse("drwxr-xr-x           4096 2026/12/05 05:00:00 big"))
        .isEqualTo(-1);
    assertThat(RsyncFileSize.parse("lrwxrwxrwx              4 2026/12/05 05:00:00 link"))
        .isEqualTo(-1);
    assertThat(RsyncFileSize.parse("-rw-r--r--      6,291,456 2026/12/05 05:00:00 x"))
        .isEqualTo(-1);
    assertThat(RsyncFileSize.parse("-rw-r--r-- 99999999999999999999 2026/12/05 05:00:00 x"))
        .isEqualTo(-1);
    assertThat(RsyncFileSize.parse("@ERROR: Unknown module 'nope'")).isEqualTo(-1);
    assertThat(RsyncFileSize.parse("")).isEqualTo(-1);
    assertThat(RsyncFileSize.parse(null)).isEqualTo(-1);
  }
}
