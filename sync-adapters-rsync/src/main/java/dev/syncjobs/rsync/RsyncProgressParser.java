package dev.syncjobs.rsync;

import dev.syncjobs.core.model.Progress;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what rsync writes to its standard output, one line at a time (lines end in {@code \r} or
 * {@code \n}), and keeps a running {@link Progress} plus the final {@code --stats} figures.
 *
 * <p>Understood lines:
 *
 * <ul>
 *   <li>progress lines, {@code 300,000 5% 6.50MB/s 0:00:00 (xfr#1, ir-chk=3/8)}, as rsync prints
 *       them when asked ({@link RsyncProgressRequest}) or for {@code --info=progress2}: bytes of
 *       the files transferred so far, that as a share of the bytes of every file listed so far, and
 *       the rate. A line ending a file adds {@code ir-chk=R/T} while the list is still growing
 *       (incremental recursion) and {@code to-chk=R/T} once it is whole: {@code T} entries are
 *       listed so far and the first {@code T - R} of them are checked;
 *   <li>{@code --stats} lines ({@code Number of files: 8 (reg: 5, dir: 3)}, ...).
 * </ul>
 *
 * <p>rsync says nothing per file beyond that: a line per listed file (a debug listing, or {@code
 * --out-format}) costs rsync more than the rest of its work on trees of small files, and even
 * {@code --info=progress2}'s line per transferred file costs it several percent. So while the run
 * lasts the totals are what the line tells: the entries listed so far (folders included) and a byte
 * total read back from the percentage (never above the truth). The exact figures come from {@code
 * --stats} at the end ({@link #stats()}).
 *
 * <p>Numbers may be plain ({@code --no-human-readable}), digit-grouped with commas (rsync's
 * default) or carry a unit suffix ({@code -h}: K, M, G, T taken as powers of 1000). Counts and
 * totals reported by {@link #progress()} never go backwards.
 */
final class RsyncProgressParser {
  private static final String NUM = "([0-9][0-9,.]*[KMGTP]?)";
  private static final Pattern FILES = Pattern.compile("^Number of files: " + NUM + "(.*)$");
  private static final Pattern REG = Pattern.compile("reg: " + NUM);
  private static final Pattern STAT =
      Pattern.compile(
          "^(Number of regular files transferred|Total file size"
              + "|Total transferred file size|Total bytes received|Total bytes sent): "
              + NUM
              + ".*$");

  /** What {@code --stats} said at the end of a run; -1 where it said nothing. */
  record Stats(
      long entries,
      long regularFiles,
      long bytesTotal,
      long filesTransferred,
      long bytesTransferred,
      long bytesReceived) {}

  private long transferredBytes;
  private long bytesTotal;
  private long completedTransfers;
  private long checkedAtTransfer;
  private long entriesTotal;
  private long entriesDone;
  private long rate;

  private long statEntries = -1;
  private long statRegular = -1;
  private long statBytesTotal = -1;
  private long statFilesTransferred = -1;
  private long statBytesTransferred = -1;
  private long statBytesReceived = -1;

  /**
   * Takes one line of output (without its line end).
   *
   * @return whether the progress changed
   */
  boolean accept(String line) {
    if (line.isEmpty()) {
      return false;
    }
    char first = line.charAt(0);
    if (first == ' ' || Character.isDigit(first)) {
      return progressLine(line);
    }
    if (first == 'N' || first == 'T') {
      stat(line);
    }
    return false;
  }

  /**
   * {@code <bytes> <pct>% <rate><unit>B/s <h:mm:ss> [(xfr#N, to-chk=R/T)]}, parsed by hand: there
   * is one per transferred file, so this is the hot path for trees of many small files.
   */
  private boolean progressLine(String line) {
    String[] t = tokens(line, 6);
    if (t == null
        || !t[1].endsWith("%")
        || !t[2].endsWith("B/s")
        || !isNumber(t[0])
        || !isNumber(t[1].substring(0, t[1].length() - 1))) {
      return false;
    }
    String rateText = t[2].substring(0, t[2].length() - 3);
    String unit = "";
    if (!rateText.isEmpty() && Character.isLetter(rateText.charAt(rateText.length() - 1))) {
      unit = rateText.substring(rateText.length() - 1);
      rateText = rateText.substring(0, rateText.length() - 1);
    }
    if (!isNumber(rateText)) {
      return false;
    }
    long bytes = number(t[0]);
    transferredBytes = Math.max(transferredBytes, bytes);
    byteTotal(bytes, number(t[1].substring(0, t[1].length() - 1)));
    rate = (long) (decimal(rateText) * unit(unit, 1024));
    if (t[4] != null && t[4].startsWith("(xfr#") && t[4].endsWith(",")) {
      String n = t[4].substring(5, t[4].length() - 1);
      if (isNumber(n) && t[5] != null) {
        checked(Long.parseLong(n), t[5]);
      }
    }
    return true;
  }

  /**
   * rsync's percentage is {@code floor(100 * bytes / total)} over the files listed so far, so the
   * total lies in {@code (100 * bytes / (pct + 1), 100 * bytes / pct]}: just above the lower end is
   * kept, so the total never overshoots and grows as the percentage sharpens.
   */
  private void byteTotal(long bytes, long pct) {
    if (pct >= 100) {
      bytesTotal = Math.max(bytesTotal, bytes);
    } else if (bytes > 0) {
      // strictly above: a total of exactly 100 * bytes / (pct + 1) would read as pct + 1
      bytesTotal = Math.max(bytesTotal, bytes * 100 / (pct + 1) + 1);
    }
  }

  /**
   * {@code ir-chk=R/T)} or {@code to-chk=R/T)} after file number {@code transfers}: the first
   * {@code T - R} of the {@code T} entries listed so far are checked. rsync repeats the line of the
   * last file at the end of each part of the list with an index that may lie ahead of the files
   * really checked, so only the line of a newly finished file, or the one saying everything is
   * checked, moves the count.
   */
  private void checked(long transfers, String token) {
    int slash = token.indexOf('/');
    if (!(token.startsWith("to-chk=") || token.startsWith("ir-chk="))
        || slash < 0
        || !token.endsWith(")")) {
      return;
    }
    String remaining = token.substring(7, slash);
    String total = token.substring(slash + 1, token.length() - 1);
    if (!isNumber(remaining) || !isNumber(total)) {
      return;
    }
    long r = number(remaining);
    long all = number(total);
    entriesTotal = Math.max(entriesTotal, all);
    if (transfers > checkedAtTransfer || r == 0) {
      checkedAtTransfer = Math.max(checkedAtTransfer, transfers);
      entriesDone = Math.max(entriesDone, Math.min(all, all - r));
    }
    completedTransfers = Math.max(completedTransfers, transfers);
  }

  /** The first {@code max} space-separated tokens (null where absent), or null for none. */
  private static String[] tokens(String line, int max) {
    String[] out = new String[max];
    int n = 0;
    int i = 0;
    int len = line.length();
    while (i < len && n < max) {
      while (i < len && line.charAt(i) == ' ') {
        i++;
      }
      int start = i;
      while (i < len && line.charAt(i) != ' ') {
        i++;
      }
      if (i > start) {
        out[n++] = line.substring(start, i);
      }
    }
    return n >= 4 ? out : null;
  }

  private static boolean isNumber(String text) {
    if (text.isEmpty() || !Character.isDigit(text.charAt(0))) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(Character.isDigit(c) || c == ',' || c == '.')
          && !(i == text.length() - 1 && "KMGTP".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  private void stat(String line) {
    Matcher f = FILES.matcher(line);
    if (f.matches()) {
      statEntries = number(f.group(1));
      Matcher reg = REG.matcher(f.group(2));
      statRegular = reg.find() ? number(reg.group(1)) : 0;
      return;
    }
    Matcher s = STAT.matcher(line);
    if (s.matches()) {
      long v = number(s.group(2));
      switch (s.group(1)) {
        case "Number of regular files transferred" -> statFilesTransferred = v;
        case "Total file size" -> statBytesTotal = v;
        case "Total transferred file size" -> statBytesTransferred = v;
        case "Total bytes received" -> statBytesReceived = v;
        default -> {}
      }
    }
  }

  /**
   * The progress so far. Files are the entries listed so far (folders included: rsync does not say
   * which are files without a line per entry) and those checked; bytes are those transferred
   * against the byte total read from the percentage. Both totals are 0 until the first line.
   */
  Progress progress() {
    long files = Math.max(entriesTotal, completedTransfers);
    return new Progress(
        Math.min(files, Math.max(entriesDone, completedTransfers)),
        files,
        transferredBytes,
        Math.max(bytesTotal, transferredBytes),
        null,
        rate);
  }

  /** The {@code --stats} figures, once rsync printed them. */
  Stats stats() {
    return new Stats(
        statEntries,
        statRegular,
        statBytesTotal,
        statFilesTransferred,
        statBytesTransferred,
        statBytesReceived);
  }

  /** Parses 1234, 1,234, 1.23K (powers of 1000) into a count. */
  static long number(String text) {
    char last = text.charAt(text.length() - 1);
    if (Character.isLetter(last)) {
      double value = decimal(text.substring(0, text.length() - 1));
      return Math.round(value * unit(String.valueOf(last), 1000));
    }
    return Long.parseLong(text.replace(",", "").replace(".", ""));
  }

  private static double decimal(String text) {
    // "1,234.56" (grouped) or "1234.56": commas are grouping, the dot is the decimal mark.
    return Double.parseDouble(text.replace(",", ""));
  }

  private static double unit(String suffix, long base) {
    return switch (suffix.toUpperCase(Locale.ROOT)) {
      case "K" -> base;
      case "M" -> Math.pow(base, 2);
      case "G" -> Math.pow(base, 3);
      case "T" -> Math.pow(base, 4);
      case "P" -> Math.pow(base, 5);
      default -> 1;
    };
  }
}
