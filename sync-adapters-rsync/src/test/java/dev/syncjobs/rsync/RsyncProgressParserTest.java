package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RsyncProgressParserTest {
  private static final long TOTAL = 20_000_000L + 200_000 + 1_500_000 + 6;

  /** The captured tree's entries: four files and three folders. */
  private static final long ENTRIES = 7;

  private final RsyncProgressParser parser = new RsyncProgressParser();

  private List<Progress> feed(String resource) throws IOException {
    String text;
    try (InputStream in = getClass().getResourceAsStream("/rsync-output/" + resource)) {
      assertThat(in).as(resource).isNotNull();
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Progress> seen = new ArrayList<>();
    for (String line : text.split("[\r\n]")) {
      if (parser.accept(line)) {
        seen.add(parser.progress());
      }
    }
    return seen;
  }

  /** Counts and totals never go back, and the totals never pass the truth. */
  private static void assertMonotonicAndBounded(List<Progress> seen) {
    for (int i = 1; i < seen.size(); i++) {
      Progress a = seen.get(i - 1);
      Progress b = seen.get(i);
      assertThat(b.filesDone()).isGreaterThanOrEqualTo(a.filesDone());
      assertThat(b.bytesDone()).isGreaterThanOrEqualTo(a.bytesDone());
      assertThat(b.filesTotal()).isGreaterThanOrEqualTo(a.filesTotal());
      assertThat(b.bytesTotal()).isGreaterThanOrEqualTo(a.bytesTotal());
    }
    for (Progress p : seen) {
      assertThat(p.filesDone()).isLessThanOrEqualTo(p.filesTotal());
      assertThat(p.filesTotal()).isLessThanOrEqualTo(ENTRIES);
      assertThat(p.bytesTotal()).isLessThanOrEqualTo(TOTAL);
    }
  }

  @Test
  void a_full_copy_ends_with_every_entry_checked_and_every_byte_counted() throws IOException {
    List<Progress> seen = feed("full-copy-plain.txt");

    assertThat(seen).hasSizeGreaterThan(3);
    assertMonotonicAndBounded(seen);
    assertThat(seen)
        .anySatisfy(
            p -> {
              assertThat(p.filesDone()).isBetween(1L, ENTRIES - 1);
              assertThat(p.percent()).isBetween(1.0, 99.99);
            });
    Progress last = parser.progress();
    assertThat(last.filesDone()).isEqualTo(ENTRIES);
    assertThat(last.filesTotal()).isEqualTo(ENTRIES);
    assertThat(last.bytesDone()).isEqualTo(TOTAL);
    assertThat(last.bytesTotal()).isEqualTo(TOTAL);
    assertThat(last.percent()).isEqualTo(100.0);
    assertThat(parser.stats())
        .isEqualTo(
            new RsyncProgressParser.Stats(7, 4, TOTAL, 4, TOTAL, parser.stats().bytesReceived()));
    assertThat(parser.stats().bytesReceived()).isGreaterThan(TOTAL);
  }

  @Test
  void hard_linked_files_count_as_checked_in_a_link_dest_run() throws IOException {
    List<Progress> seen = feed("link-dest-one-changed-plain.txt");

    assertMonotonicAndBounded(seen);
    Progress last = parser.progress();
    assertThat(last.filesDone()).isEqualTo(ENTRIES);
    assertThat(last.bytesDone()).isEqualTo(200_000);
    RsyncProgressParser.Stats stats = parser.stats();
    assertThat(stats.regularFiles()).isEqualTo(4);
    assertThat(stats.filesTransferred()).isEqualTo(1);
    assertThat(stats.bytesTransferred()).isEqualTo(200_000);
    assertThat(stats.bytesTotal()).isEqualTo(TOTAL);
  }

  @Test
  void digit_grouped_progress_lines_give_intermediate_bytes_a_rate_and_an_eta() throws IOException {
    List<Progress> seen = feed("full-copy-grouped-bwlimit.txt");

    assertMonotonicAndBounded(seen);
    assertThat(seen)
        .anySatisfy(
            p -> {
              assertThat(p.bytesDone()).isBetween(1L, 19_999_999L);
              assertThat(p.bytesPerSecond()).isGreaterThan(1_000_000);
              assertThat(p.etaSeconds()).isPositive();
            });
    assertThat(parser.progress().bytesDone()).isEqualTo(TOTAL);
    assertThat(parser.stats().bytesTotal()).isEqualTo(TOTAL);
    assertThat(parser.stats().filesTransferred()).isEqualTo(4);
  }

  @Test
  void human_readable_units_are_read_as_powers_of_1000() throws IOException {
    List<Progress> seen = feed("full-copy-human-units.txt");

    assertThat(seen).extracting(Progress::bytesDone).contains(8_550_000L, 17_100_000L);
    assertThat(parser.stats().bytesTotal()).isEqualTo(21_700_000L);
    assertThat(parser.stats().regularFiles()).isEqualTo(4);
    // rsync rounds 21,700,006 bytes to 21.70M in the last line: so does the parser
    assertThat(parser.progress().percent()).isGreaterThan(99.99);
  }

  @Test
  void the_byte_total_is_read_off_the_percentage_and_never_passes_the_truth() {
    // 52 % of a total T means 52 <= 100 * 524,288 / T < 53
    assertThat(parser.accept("        524,288  52%    1.50MB/s    0:00:01  ")).isTrue();

    Progress p = parser.progress();
    assertThat(p.bytesDone()).isEqualTo(524_288);
    assertThat(p.bytesTotal()).isBetween(524_288L * 100 / 53, 524_288L * 100 / 52);
    assertThat(p.filesDone()).isZero();
    assertThat(p.bytesPerSecond()).isEqualTo((long) (1.5 * 1024 * 1024));
    assertThat(p.percent()).isBetween(52.0, 53.0);
  }

  @Test
  void an_incremental_list_grows_its_totals_and_ignores_the_repeated_line_of_a_part_end() {
    // as rsync 3.5 wrote them for ten folders of 1,000 files (the second line repeats the first
    // file's at the end of the first part of the list, with an index far ahead)
    parser.accept("          1,024   0% 1000.00kB/s    0:00:00 (xfr#1, ir-chk=1999/2011)");
    parser.accept("          1,024   0% 1000.00kB/s    0:00:00 (xfr#1, ir-chk=1000/2011)");
    assertThat(parser.progress().filesDone()).isEqualTo(12);
    assertThat(parser.progress().filesTotal()).isEqualTo(2011);

    parser.accept("          2,048   0%    1.95MB/s    0:00:00 (xfr#2, ir-chk=1998/2011)");
    assertThat(parser.progress().filesDone()).isEqualTo(13);

    parser.accept("      1,025,024  33%   12.37MB/s    0:00:00 (xfr#1001, ir-chk=1999/3011)");
    Progress grown = parser.progress();
    assertThat(grown.filesDone()).isEqualTo(1012);
    assertThat(grown.filesTotal()).isEqualTo(3011);
    assertThat(grown.bytesTotal()).isBetween(1_025_024L * 100 / 34, 1_025_024L * 100 / 33);

    parser.accept("     10,240,000 100%   16.55MB/s    0:00:00 (xfr#10000, to-chk=0/10011)");
    Progress end = parser.progress();
    assertThat(end.filesDone()).isEqualTo(10_011);
    assertThat(end.filesTotal()).isEqualTo(10_011);
    assertThat(end.bytesTotal()).isEqualTo(10_240_000);
    assertThat(end.percent()).isEqualTo(100.0);
  }

  @Test
  void unrelated_lines_change_nothing() {
    assertThat(parser.accept("created directory /tmp/x")).isFalse();
    assertThat(parser.accept("delta-transmission enabled")).isFalse();
    assertThat(parser.accept("sent 142 bytes  received 21.71M bytes  8.68M bytes/sec")).isFalse();
    assertThat(parser.accept("[Receiver] i=1 1 big.bin mode=0100644 len=1,000 uid=0")).isFalse();
    assertThat(parser.progress()).isEqualTo(Progress.NONE);
  }

  @Test
  void numbers_in_every_notation() {
    assertThat(RsyncProgressParser.number("1234")).isEqualTo(1234);
    assertThat(RsyncProgressParser.number("21,700,006")).isEqualTo(21_700_006);
    assertThat(RsyncProgressParser.number("21.70M")).isEqualTo(21_700_000);
    assertThat(RsyncProgressParser.number("4.10K")).isEqualTo(4_100);
  }
}
