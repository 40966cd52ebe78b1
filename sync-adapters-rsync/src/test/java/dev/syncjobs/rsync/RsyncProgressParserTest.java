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

  private final RsyncProgressParser parser = new RsyncProgressParser();

  private List<Progress> feed(String resource) throws IOException {
    String text;
    try (InputStream in = getClass().getResourceAsStream("/rsync-output/" + resource)) {
      assertThat(in).as(resource).isNotNull();
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Progress> seen = new ArrayList<>();
    for (String line : text.split("[\r\n]")) {
      if (parser.accept(line) && parser.totalsKnown()) {
        seen.add(parser.progress());
      }
    }
    return seen;
  }

  private static void assertMonotonic(List<Progress> seen) {
    for (int i = 1; i < seen.size(); i++) {
      Progress a = seen.get(i - 1);
      Progress b = seen.get(i);
      assertThat(b.percent()).isGreaterThanOrEqualTo(a.percent());
      assertThat(b.filesDone()).isGreaterThanOrEqualTo(a.filesDone());
      assertThat(b.bytesDone()).isGreaterThanOrEqualTo(a.bytesDone());
      assertThat(b.filesTotal()).isEqualTo(a.filesTotal());
      assertThat(b.bytesTotal()).isEqualTo(a.bytesTotal());
    }
  }

  @Test
  void full_copy_with_plain_numbers_reaches_totals_known_from_the_file_list() throws IOException {
    List<Progress> seen = feed("full-copy-plain.txt");

    assertThat(seen).isNotEmpty();
    assertThat(seen.get(0).filesTotal()).isEqualTo(4);
    assertThat(seen.get(0).bytesTotal()).isEqualTo(TOTAL);
    assertMonotonic(seen);
    Progress last = parser.progress();
    assertThat(last.filesDone()).isEqualTo(4);
    assertThat(last.bytesDone()).isEqualTo(TOTAL);
    assertThat(last.percent()).isEqualTo(100.0);
    assertThat(seen).extracting(Progress::currentFile).contains("large.iso", "data/file one.bin");
    assertThat(parser.stats())
        .isEqualTo(
            new RsyncProgressParser.Stats(7, 4, TOTAL, 4, TOTAL, parser.stats().bytesReceived()));
    assertThat(parser.stats().bytesReceived()).isGreaterThan(TOTAL);
  }

  @Test
  void names_with_escaped_bytes_are_decoded() throws IOException {
    List<Progress> seen = feed("full-copy-plain.txt");

    assertThat(seen).extracting(Progress::currentFile).contains("data/médias.bin");
  }

  @Test
  void hard_linked_files_count_as_done_so_a_link_dest_run_ends_at_100_percent() throws IOException {
    List<Progress> seen = feed("link-dest-one-changed-plain.txt");

    assertMonotonic(seen);
    Progress last = parser.progress();
    assertThat(last.filesDone()).isEqualTo(4);
    assertThat(last.bytesDone()).isEqualTo(TOTAL);
    assertThat(last.percent()).isEqualTo(100.0);
    assertThat(seen).extracting(Progress::currentFile).containsOnly(null, "data/file one.bin");
    RsyncProgressParser.Stats stats = parser.stats();
    assertThat(stats.regularFiles()).isEqualTo(4);
    assertThat(stats.filesTransferred()).isEqualTo(1);
    assertThat(stats.bytesTransferred()).isEqualTo(200_000);
    assertThat(stats.bytesTotal()).isEqualTo(TOTAL);
  }

  @Test
  void digit_grouped_progress_lines_give_intermediate_bytes_and_a_rate() throws IOException {
    List<Progress> seen = feed("full-copy-grouped-bwlimit.txt");

    assertMonotonic(seen);
    assertThat(seen)
        .anySatisfy(
            p -> {
              assertThat(p.bytesDone()).isBetween(1L, 19_999_999L);
              assertThat(p.currentFile()).isEqualTo("large.iso");
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

    assertMonotonic(seen);
    assertThat(seen).extracting(Progress::bytesDone).contains(8_520_000L, 17_070_000L);
    assertThat(parser.stats().bytesTotal()).isEqualTo(21_700_000L);
    assertThat(parser.stats().regularFiles()).isEqualTo(4);
    assertThat(parser.progress().percent()).isGreaterThan(99.9);
  }

  @Test
  void progress_line_fields_are_parsed() {
    parser.accept("[Receiver] i=1 1 big.bin mode=0100644 len=1,000,000 uid=0 gid=0 flags=1000");
    parser.accept("::syncjobs >f+++++++++ 1000000 big.bin");

    assertThat(parser.accept("        524,288  52%    1.50MB/s    0:00:01  ")).isTrue();

    Progress p = parser.progress();
    assertThat(p.bytesDone()).isEqualTo(524_288);
    assertThat(p.bytesTotal()).isEqualTo(1_000_000);
    assertThat(p.filesDone()).isZero();
    assertThat(p.bytesPerSecond()).isEqualTo((long) (1.5 * 1024 * 1024));
    assertThat(p.currentFile()).isEqualTo("big.bin");
  }

  @Test
  void unrelated_lines_change_nothing() {
    assertThat(parser.accept("created directory /tmp/x")).isFalse();
    assertThat(parser.accept("delta-transmission enabled")).isFalse();
    assertThat(parser.accept("sent 142 bytes  received 21.71M bytes  8.68M bytes/sec")).isFalse();
    assertThat(parser.totalsKnown()).isFalse();
    assertThat(parser.progress()).isEqualTo(Progress.NONE);
  }

  @Test
  void numbers_in_every_notation() {
    assertThat(RsyncProgressParser.number("1234")).isEqualTo(1234);
    assertThat(RsyncProgressParser.number("21,700,006")).isEqualTo(21_700_006);
    assertThat(RsyncProgressParser.number("21.70M")).isEqualTo(21_700_000);
    assertThat(RsyncProgressParser.number("4.10K")).isEqualTo(4_100);
    assertThat(RsyncProgressParser.unescape("a\\#303\\#251b")).isEqualTo("aéb");
    assertThat(RsyncProgressParser.unescape("plain \\# name")).isEqualTo("plain \\# name");
  }
}
