package dev.syncjobs.rsync;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits rsync's standard output into the lines {@link RsyncProgressParser} (and {@link
 * RsyncPreCheck}) reads. Lines end in {@code \n} or {@code \r}.
 *
 * <p>Which line is which follows from where it starts, never from what a file name could look like:
 * rsync begins every progress line with {@code \r}, so only a line started by {@code \r} is taken
 * for progress, and its {@code --stats} block follows the only empty line ({@code \n\n}) it prints,
 * so only lines after that one are taken for statistics. A file name rsync prints when asked for
 * progress ({@link RsyncProgressRequest}: the name ends in {@code \n}, its progress line follows)
 * therefore never passes for either, whatever the name says.
 *
 * <p>Progress lines are cumulative, so of those in one read only the last is passed on (a tree of
 * small files gets one per file under {@code --info=progress2}), after the first line ending the
 * same file when rsync repeated it (it does at the end of each part of its list, with a list
 * position the parser must not take). Lines the parser ignores are skipped without being copied;
 * the others become strings straight from the read buffer, and only a line split across two reads
 * is copied.
 */
final class RsyncOutputLines {
  /** No line the parser reads is longer; longer ones are dropped. */
  static final int MAX_LINE = 64 * 1024;

  private byte[] carry = new byte[256];
  private int carried; // bytes of an unfinished line kept from earlier reads
  private boolean skipping; // the unfinished line is one the parser ignores
  private byte ended = '\n'; // what ended the line before the unfinished one
  private boolean statsBegun; // the empty line before --stats was seen

  /** Takes the first {@code n} bytes of {@code buf}; passes complete lines to {@code sink}. */
  void feed(byte[] buf, int n, Consumer<String> sink) {
    String lastProgress = null;
    String firstOfItsFile = null; // the first line of this read ending the file lastProgress ends
    int start = 0;
    for (int i = 0; i < n; i++) {
      byte b = buf[i];
      if (b != '\n' && b != '\r') {
        continue;
      }
      boolean progress = ended == '\r';
      boolean empty = i == start && carried == 0 && !skipping;
      String text = null;
      if (carried > 0 || skipping) {
        if (!skipping && carried + i - start <= MAX_LINE) {
          append(buf, start, i - start);
          text = new String(carry, 0, carried, StandardCharsets.UTF_8);
        }
        carried = 0;
        skipping = false;
      } else if (i > start && wanted(buf[start], progress)) {
        text = new String(buf, start, i - start, StandardCharsets.UTF_8);
      }
      if (text != null) {
        if (progress) {
          if (lastProgress == null || !endsSameFile(lastProgress, text)) {
            firstOfItsFile = text;
          }
          lastProgress = text;
        } else {
          sink.accept(text);
        }
      }
      if (empty && b == '\n' && ended == '\n') {
        statsBegun = true;
      }
      ended = b;
      start = i + 1;
    }
    if (start < n) {
      if (carried == 0 && !skipping) {
        skipping = !wanted(buf[start], ended == '\r');
      }
      if (!skipping) {
        if (carried + n - start > MAX_LINE) {
          skipping = true;
          carried = 0;
        } else {
          append(buf, start, n - start);
        }
      }
    }
    if (lastProgress != null) {
      if (firstOfItsFile != lastProgress) {
        sink.accept(firstOfItsFile);
      }
      sink.accept(lastProgress);
    }
  }

  /** Whether two progress lines both end file number N: {@code ... (xfr#N, ...}. */
  private static boolean endsSameFile(String a, String b) {
    int i = a.indexOf("(xfr#");
    int j = b.indexOf("(xfr#");
    if (i < 0 || j < 0) {
      return false;
    }
    int ei = a.indexOf(',', i);
    int ej = b.indexOf(',', j);
    return ei > 0 && ej - j == ei - i && a.regionMatches(i, b, j, ei - i);
  }

  /** Passes on an unfinished last line, at the end of the output. */
  void finish(Consumer<String> sink) {
    if (carried > 0 && !skipping) {
      sink.accept(new String(carry, 0, carried, StandardCharsets.UTF_8));
    }
    carried = 0;
    skipping = false;
  }

  private void append(byte[] from, int off, int len) {
    if (carry.length < carried + len) {
      carry = Arrays.copyOf(carry, Math.max(carried + len, carry.length * 2));
    }
    System.arraycopy(from, off, carry, carried, len);
    carried += len;
  }

  /**
   * Whether a line starting with {@code first} is one to read: after {@code \r} a progress line;
   * otherwise the itemize codes {@link RsyncPreCheck} waits for ({@code <>ch.*}), and once the
   * {@code --stats} block began, its lines the parser reads.
   */
  private boolean wanted(int first, boolean progress) {
    if (progress) {
      return first == ' ' || (first >= '0' && first <= '9');
    }
    return switch (first) {
      case '<', '>', 'c', 'h', '.', '*' -> true;
      case 'N', 'T' -> statsBegun;
      default -> false;
    };
  }
}
