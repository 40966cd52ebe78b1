package dev.syncjobs.rsync;

import dev.syncjobs.core.model.Progress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
 *   <li>{@code --debug=flist3}'s receiver listing, {@code [Receiver] i=3 2 a/f.bin mode=0100644
 *       len=300,000 ...}: the regular files and bytes to expect, known before any data moves
 *       (because of {@code --no-inc-recursive}), and where in the list each one lies;
 *   <li>{@code --info=progress2} lines, {@code 300,000 5% 6.50MB/s 0:00:00 (xfr#1, to-chk=3/8)}:
 *       bytes of transferred files so far and the rate; {@code to-chk=R/T} says the first {@code T
 *       - R} entries of the list are done, so the files and bytes of the list up to there count as
 *       done, unchanged and hard-linked ones included;
 *   <li>{@code --out-format} lines starting with {@link #MARKER}, {@code <itemize> <length>
 *       <name>}, when present: they name each file, unchanged ones too. {@link RsyncCommand} does
 *       not ask for them, as a line per file costs rsync more than the rest of its progress output
 *       on trees of small files; the current file comes from {@link RsyncCurrentFile} instead;
 *   <li>{@code --stats} lines ({@code Number of files: 8 (reg: 5, dir: 3)}, ...).
 * </ul>
 *
 * Numbers may be plain ({@code --no-human-readable}), digit-grouped with commas (rsync's default)
 * or carry a unit suffix ({@code -h}: K, M, G, T taken as powers of 1000). Counts reported by
 * {@link #progress()} never go backwards.
 */
final class RsyncProgressParser {
  /** Prefix of the {@code --out-format=::syncjobs %i %l %n} lines. */
  static final String MARKER = "::syncjobs ";

  private static final String FLIST_PREFIX = "[Receiver] i=";
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

  private long listedFiles;
  private long listedBytes;

  /** Regular files and their bytes in the list before each index: done once to-chk passes it. */
  private final ListPrefix prefix = new ListPrefix();

  private long checkedFiles;
  private long checkedBytes;
  private long transferredAtCheck;
  private boolean listKnown;
  private long skippedFiles;
  private long skippedBytes;
  private long transferredBytes;
  private long completedTransfers;
  private long rate;
  private String currentFile;
  private long filesDone;
  private long bytesDone;

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
    if (line.startsWith(MARKER)) {
      return outLine(line.substring(MARKER.length()));
    }
    char first = line.charAt(0);
    if (first == ' ' || Character.isDigit(first)) {
      return progressLine(line);
    }
    if (first == '[') {
      if (line.startsWith(FLIST_PREFIX)) {
        flistEntry(line);
      }
      return false;
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
    transferredBytes = Math.max(transferredBytes, number(t[0]));
    rate = (long) (decimal(rateText) * unit(unit, 1024));
    if (t[4] != null && t[4].startsWith("(xfr#") && t[4].endsWith(",")) {
      String n = t[4].substring(5, t[4].length() - 1);
      if (isNumber(n)) {
        completedTransfers = Math.max(completedTransfers, Long.parseLong(n));
      }
      if (t[5] != null) {
        toCheck(t[5]);
      }
    }
    return update();
  }

  /**
   * {@code to-chk=R/T)}: the first {@code T - R} entries of the file list are done. (With
   * incremental recursion rsync writes {@code ir-chk} instead, over a list still growing: not used,
   * see {@link RsyncCommand}.)
   */
  private void toCheck(String token) {
    int slash = token.indexOf('/');
    if (!token.startsWith("to-chk=") || slash < 0 || !token.endsWith(")")) {
      return;
    }
    String remaining = token.substring(7, slash);
    String total = token.substring(slash + 1, token.length() - 1);
    if (!isNumber(remaining) || !isNumber(total)) {
      return;
    }
    long done = number(total) - number(remaining);
    if (done >= 0 && done <= prefix.size()) {
      checkedFiles = Math.max(checkedFiles, prefix.files((int) done));
      checkedBytes = Math.max(checkedBytes, prefix.bytes((int) done));
      transferredAtCheck = transferredBytes;
    }
  }

  /** {@code [Receiver] i=3 2 a/f.bin mode=0100644 len=300000 uid=0 ...}. */
  private void flistEntry(String line) {
    int mode = line.lastIndexOf(" mode=0");
    if (mode < 0) {
      return;
    }
    int modeStart = mode + " mode=".length();
    int modeEnd = line.indexOf(' ', modeStart);
    int len = line.indexOf(" len=", mode);
    if (modeEnd < 0 || len < 0) {
      return;
    }
    int lenEnd = line.indexOf(' ', len + 5);
    String size = line.substring(len + 5, lenEnd < 0 ? line.length() : lenEnd);
    if (!isNumber(size)) {
      return;
    }
    listKnown = true;
    // Regular files: octal 0100xxx (S_IFREG).
    if (line.startsWith("0100", modeStart) && modeEnd - modeStart == 7) {
      listedFiles++;
      listedBytes += number(size);
    }
    int indexEnd = line.indexOf(' ', FLIST_PREFIX.length());
    String index = line.substring(FLIST_PREFIX.length(), Math.max(indexEnd, FLIST_PREFIX.length()));
    // The list comes sorted, entry i after entry i - 1; anything else leaves the prefix alone.
    if (isNumber(index) && number(index) == prefix.size()) {
      prefix.add(listedFiles, listedBytes);
    }
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

  /** {@code <11-char itemize> <length> <name>}. */
  private boolean outLine(String rest) {
    if (rest.length() < 14 || rest.charAt(11) != ' ' || rest.charAt(1) != 'f') {
      return false;
    }
    int space = rest.indexOf(' ', 12);
    if (space < 0) {
      return false;
    }
    String length = rest.substring(12, space);
    if (!isNumber(length)) {
      return false;
    }
    char kind = rest.charAt(0);
    if (kind == '>') {
      currentFile = unescape(rest.substring(space + 1));
    } else if (kind != '<') {
      skippedFiles++;
      skippedBytes += number(length);
    }
    return update();
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

  private boolean update() {
    long files = Math.max(filesDone, Math.max(checkedFiles, skippedFiles + completedTransfers));
    // The list up to the last completed file, plus what arrived of the file in flight since.
    long bytes =
        Math.max(
            bytesDone,
            Math.max(
                checkedBytes + transferredBytes - transferredAtCheck,
                skippedBytes + transferredBytes));
    if (listKnown) {
      files = Math.min(files, listedFiles);
      bytes = Math.min(bytes, listedBytes);
    }
    filesDone = Math.max(filesDone, files);
    bytesDone = Math.max(bytesDone, bytes);
    return true;
  }

  /** Whether the file list (and so the totals) has been seen. */
  boolean totalsKnown() {
    return listKnown;
  }

  /** The progress so far; totals are 0 until the file list has been received. */
  Progress progress() {
    return new Progress(
        filesDone,
        listKnown ? listedFiles : 0,
        bytesDone,
        listKnown ? listedBytes : 0,
        currentFile,
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

  /** Undoes rsync's escaping of unprintable bytes in names ({@code \#ooo}, octal). */
  static String unescape(String name) {
    if (name.indexOf("\\#") < 0) {
      return name;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length());
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\\'
          && i + 4 < bytes.length
          && bytes[i + 1] == '#'
          && isOctal(bytes[i + 2])
          && isOctal(bytes[i + 3])
          && isOctal(bytes[i + 4])) {
        out.write((bytes[i + 2] - '0') * 64 + (bytes[i + 3] - '0') * 8 + (bytes[i + 4] - '0'));
        i += 4;
      } else {
        out.write(bytes[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isOctal(byte b) {
    return b >= '0' && b <= '7';
  }
}
