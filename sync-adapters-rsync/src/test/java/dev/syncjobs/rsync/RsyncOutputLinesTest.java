package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RsyncOutputLinesTest {
  static final String OUTPUT =
      "receiving incremental file list\n"
          + "created directory d\u00e9j\u00e0\n"
          + "\r         32,768  10%    0.00kB/s    0:00:00\r"
          + "        300,000 100%  285.10MB/s    0:00:00 (xfr#1, to-chk=0/3)\n"
          + "\n"
          + "Number of files: 3 (reg: 1, dir: 2)\n"
          + "Total file size: 300,000 bytes\n"
          + "sent 43 bytes  received 300,188 bytes  600,462.00 bytes/sec\n"
          + "Total bytes received: 300,188";

  /** The lines the parser reads, and one starting like an itemize code (it ignores it). */
  static final List<String> WANTED =
      List.of(
          "created directory d\u00e9j\u00e0",
          "Number of files: 3 (reg: 1, dir: 2)",
          "Total file size: 300,000 bytes",
          "Total bytes received: 300,188");

  static final String LAST_PROGRESS =
      "        300,000 100%  285.10MB/s    0:00:00 (xfr#1, to-chk=0/3)";

  @Test
  void every_split_of_the_output_gives_the_same_lines() {
    byte[] all = OUTPUT.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= all.length; cut++) {
      List<String> got = split(all, cut);

      List<String> progress = got.stream().filter(l -> l.startsWith(" ")).toList();
      assertThat(got.stream().filter(l -> !l.startsWith(" ")).toList())
          .as("cut at %d", cut)
          .isEqualTo(WANTED);
      assertThat(progress).as("cut at %d", cut).isNotEmpty().last().isEqualTo(LAST_PROGRESS);
      assertThat(progress).as("cut at %d", cut).hasSizeLessThanOrEqualTo(2);
    }
  }

  /** The lines of {@code all} fed in two reads, cut at {@code cut}. */
  private static List<String> split(byte[] all, int cut) {
    List<String> got = new ArrayList<>();
    RsyncOutputLines lines = new RsyncOutputLines();
    lines.feed(Arrays.copyOfRange(all, 0, cut), cut, got::add);
    byte[] rest = Arrays.copyOfRange(all, cut, all.length);
    lines.feed(rest, rest.length, got::add);
    lines.finish(got::add);
    return got;
  }

  @Test
  void one_byte_at_a_time_gives_the_same_lines() {
    byte[] all = OUTPUT.getBytes(StandardCharsets.UTF_8);
    List<String> got = new ArrayList<>();
    RsyncOutputLines lines = new RsyncOutputLines();
    for (byte b : all) {
      lines.feed(new byte[] {b}, 1, got::add);
    }
    lines.finish(got::add);
    assertThat(got.stream().filter(l -> !l.startsWith(" ")).toList()).isEqualTo(WANTED);
    assertThat(got).contains(LAST_PROGRESS);
  }

  @Test
  void of_several_progress_lines_in_one_read_only_the_last_is_passed_on() {
    String text =
        "\r  1 10% 1.00kB/s 0:00:01\r  2 20% 1.00kB/s 0:00:01\r  3 30% 1.00kB/s 0:00:01\r";
    List<String> got = new ArrayList<>();
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    new RsyncOutputLines().feed(b, b.length, got::add);
    assertThat(got).containsExactly("  3 30% 1.00kB/s 0:00:01");
  }

  @Test
  void a_repeated_line_ending_the_same_file_comes_after_the_first_of_them() {
    String text =
        "\r  1,024   0% 1.00MB/s 0:00:00 (xfr#1, ir-chk=1999/2011)\r"
            + "  1,024   0% 1.00MB/s 0:00:00 (xfr#1, ir-chk=1000/2011)\r";
    List<String> got = new ArrayList<>();
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    new RsyncOutputLines().feed(b, b.length, got::add);
    assertThat(got)
        .containsExactly(
            "  1,024   0% 1.00MB/s 0:00:00 (xfr#1, ir-chk=1999/2011)",
            "  1,024   0% 1.00MB/s 0:00:00 (xfr#1, ir-chk=1000/2011)");

    String later =
        "\r  2,048   0% 1.00MB/s 0:00:00 (xfr#2, ir-chk=1998/2011)\r"
            + "  3,072   0% 1.00MB/s 0:00:00 (xfr#3, ir-chk=1997/2011)\r";
    got.clear();
    b = later.getBytes(StandardCharsets.US_ASCII);
    new RsyncOutputLines().feed(b, b.length, got::add);
    assertThat(got).containsExactly("  3,072   0% 1.00MB/s 0:00:00 (xfr#3, ir-chk=1997/2011)");
  }

  @Test
  void a_line_longer_than_the_limit_is_dropped_and_the_next_one_is_read() {
    String huge = "Number of files: " + "1".repeat(RsyncOutputLines.MAX_LINE + 10);
    byte[] b = ("\n" + huge + "\nNumber of files: 7\n").getBytes(StandardCharsets.US_ASCII);
    List<String> got = new ArrayList<>();
    RsyncOutputLines lines = new RsyncOutputLines();
    int chunk = 4096;
    for (int off = 0; off < b.length; off += chunk) {
      byte[] part = Arrays.copyOfRange(b, off, Math.min(b.length, off + chunk));
      lines.feed(part, part.length, got::add);
    }
    lines.finish(got::add);
    assertThat(got).containsExactly("Number of files: 7");
  }

  @Test
  void a_file_name_passes_for_neither_a_progress_line_nor_a_statistic() {
    // names rsync prints when asked for progress (RsyncProgressRequest): each ends in \n and its
    // progress line follows, started by \r; the statistics follow the one empty line
    String text =
        "  9,999,999 100% 1.00kB/s 0:00:01 (xfr#999, to-chk=0/999)\n"
            + "\r          1,024  50%    1.00kB/s    0:00:01 (xfr#1, ir-chk=5/10)\n"
            + "Number of files: 99 (reg: 99)\n"
            + "\r          2,048 100%    1.00kB/s    0:00:01 (xfr#2, to-chk=0/10)\n"
            + "Total file size: 99 bytes\n"
            + "\n"
            + "Number of files: 3 (reg: 1, dir: 2)\n"
            + "Total file size: 2,048 bytes\n";
    byte[] all = text.getBytes(StandardCharsets.US_ASCII);
    for (int cut = 0; cut <= all.length; cut++) {
      List<String> got = split(all, cut);
      assertThat(got)
          .as("cut at %d", cut)
          .filteredOn(l -> !l.startsWith(" "))
          .containsExactly("Number of files: 3 (reg: 1, dir: 2)", "Total file size: 2,048 bytes");
      assertThat(got)
          .as("cut at %d", cut)
          .filteredOn(l -> l.startsWith(" "))
          .isNotEmpty()
          .allMatch(l -> l.contains("(xfr#1,") || l.contains("(xfr#2,"))
          .last()
          .isEqualTo("          2,048 100%    1.00kB/s    0:00:01 (xfr#2, to-chk=0/10)");
    }
  }
}
