package dev.syncjobs.http;

import java.text.ParsePosition;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.Evaluator;
import org.jsoup.select.QueryParser;

/**
 * Reads the links of a web server's index page (nginx autoindex, Apache mod_autoindex, lighttpd
 * mod_dirlisting, Caddy browse, Python http.server and look-alikes) with an HTML parser, with the
 * size and modification time each row shows next to its link. The page's HTML is never matched with
 * regular expressions: only the plain text of one table cell or one {@code <pre>} line is.
 */
final class ListingParser {

  /**
   * One link of an index page.
   *
   * @param href the href as written (entities decoded)
   * @param directoryHint the row says this is a directory (trailing '/', a "Directory" row)
   * @param size size in bytes, null when the row shows none
   * @param sizeExact whether {@code size} is exact (not "2.9M"-style)
   * @param mtime modification time (UTC), null when the row shows none
   * @param precisionSeconds 60 when the row shows minutes only, else 1
   */
  record Entry(
      String href,
      boolean directoryHint,
      Long size,
      boolean sizeExact,
      Instant mtime,
      long precisionSeconds) {}

  private static final Pattern EXACT = Pattern.compile("(\\d{1,19})(?:\\s*B)?");
  private static final Pattern APPROX =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGTPE])(?:i?B)?", Pattern.CASE_INSENSITIVE);

  /** Fields of a {@code <pre>} line: separated by two or more spaces. */
  private static final Pattern PRE_FIELDS = Pattern.compile("\\s{2,}");

  // Selectors parsed once: a selector string is compiled again on every call that takes one, and a
  // listing asks several per link.
  private static final Evaluator LINKS = QueryParser.parse("a[href]");
  private static final Evaluator ROW = QueryParser.parse("tr");
  private static final Evaluator CELL = QueryParser.parse("td, th");
  private static final Evaluator PRE = QueryParser.parse("pre");
  private static final Evaluator TIME = QueryParser.parse("time[datetime]");

  private static final List<DateTimeFormatter> MINUTES =
      List.of(fmt("dd-MMM-yyyy HH:mm"), fmt("yyyy-MM-dd HH:mm"), fmt("yyyy-MMM-dd HH:mm"));
  private static final List<DateTimeFormatter> SECONDS =
      List.of(
          fmt("dd-MMM-yyyy HH:mm:ss"),
          fmt("yyyy-MM-dd HH:mm:ss"),
          fmt("yyyy-MMM-dd HH:mm:ss"),
          fmt("dd-MMM-yyyy HH:mm:ss"));

  private ListingParser() {}

  private static DateTimeFormatter fmt(String pattern) {
    return new DateTimeFormatterBuilder()
        .parseCaseInsensitive()
        .appendPattern(pattern)
        .toFormatter(Locale.ENGLISH);
  }

  static List<Entry> parse(String html) {
    Document doc = Jsoup.parse(html);
    List<Entry> out = new ArrayList<>();
    for (Element a : doc.select(LINKS)) {
      String href = a.attr("href");
      Fields f = new Fields();
      Element row = a.closest(ROW);
      if (row != null) {
        Element own = a.closest(CELL);
        for (Element cell : row.children()) {
          if (cell == own) {
            continue;
          }
          Element time = cell.selectFirst(TIME);
          if (time != null) {
            f.isoTime(time.attr("datetime"));
          }
          String order = cell.attr("data-order");
          if (!order.isEmpty() && order.chars().allMatch(Character::isDigit)) {
            f.size = Long.parseLong(order);
            f.exact = true;
          }
          String text = cell.text();
          if (text.trim().equals("Directory")) {
            f.dirRow = true;
          }
          f.text(text);
        }
        f.dirRow |= row.hasClass("d");
      } else if (a.closest(PRE) != null) {
        StringBuilder line = new StringBuilder();
        for (Node n = a.nextSibling(); n instanceof TextNode t; n = n.nextSibling()) {
          String text = t.getWholeText();
          int nl = text.indexOf('\n');
          line.append(nl >= 0 ? text.substring(0, nl) : text);
          if (nl >= 0) {
            break;
          }
        }
        for (String field : PRE_FIELDS.split(line.toString().trim())) {
          f.text(field);
        }
      }
      boolean dir =
          href.endsWith("/") || a.text().trim().endsWith("/") || (f.dash && f.size == null);
      if (f.dirRow && f.size == null) {
        dir = true;
      }
      out.add(new Entry(href, dir, f.size, f.exact, f.mtime, f.precision));
    }
    return out;
  }

  private static final class Fields {
    Long size;
    boolean exact;
    boolean dash;
    boolean dirRow;
    Instant mtime;
    long precision = 1;

    void isoTime(String text) {
      try {
        mtime = Instant.parse(text.trim());
        precision = 1;
      } catch (DateTimeParseException e) {
        // not a time
      }
    }

    void text(String raw) {
      String t = raw.replace('\u00a0', ' ').trim();
      if (t.isEmpty()) {
        return;
      }
      if (t.equals("-") || t.equals("\u2014") || t.equals("- ")) {
        dash = true;
        return;
      }
      if (mtime == null && t.indexOf(':') > 0) { // every time format has one; sizes have none
        Instant fast = Times.listing(t);
        if (fast != null) {
          mtime = fast;
          precision = Times.hasSeconds(t) ? 1 : 60;
          return;
        }
        for (DateTimeFormatter f : SECONDS) {
          if (tryTime(t, f, 1)) {
            return;
          }
        }
        for (DateTimeFormatter f : MINUTES) {
          if (tryTime(t, f, 60)) {
            return;
          }
        }
      }
      if (size == null || !exact) {
        Matcher m = EXACT.matcher(t);
        if (m.matches()) {
          size = Long.parseLong(m.group(1));
          exact = true;
          return;
        }
        m = APPROX.matcher(t);
        if (m.matches() && size == null) {
          double v = Double.parseDouble(m.group(1));
          int power = "KMGTPE".indexOf(Character.toUpperCase(m.group(2).charAt(0))) + 1;
          size = (long) (v * Math.pow(1024, power));
          exact = false;
        }
      }
    }

    /**
     * Parses {@code t} as a whole with {@code f}. A text that does not fit is turned down without
     * an exception (listings have thousands of rows and several formats are tried per cell).
     */
    private boolean tryTime(String t, DateTimeFormatter f, long p) {
      ParsePosition pos = new ParsePosition(0);
      if (f.parseUnresolved(t, pos) == null
          || pos.getErrorIndex() >= 0
          || pos.getIndex() != t.length()) {
        return false;
      }
      try {
        mtime = LocalDateTime.parse(t, f).toInstant(ZoneOffset.UTC);
        precision = p;
        return true;
      } catch (DateTimeParseException e) {
        return false;
      }
    }
  }
}
