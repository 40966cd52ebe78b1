package dev.syncjobs.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The times a crawl reads by the thousand, read without a formatter: listing cells as nearly every
 * server writes them ({@code 27-Nov-2026 13:14} nginx and Apache's fancy index, {@code 2026-11-27
 * 13:14} Apache, {@code 2026-Nov-27 13:14:15} lighttpd, each with or without seconds) and HTTP's
 * {@code Last-Modified} ({@code Sun, 06 Nov 1994 08:49:37 GMT}). Most are read in a JVM that has
 * not compiled {@link java.time.format.DateTimeFormatter}'s parser yet, where a formatter costs
 * tens of microseconds a time; anything else is left to the formatters of the callers.
 */
final class Times {
  private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";

  private Times() {}

  /** The listing time {@code t} names (read as UTC), or null when it is not a layout above. */
  static Instant listing(String t) {
    int n = t.length();
    if (n != 16 && n != 17 && n != 19 && n != 20) {
      return null;
    }
    int day;
    int month;
    int year;
    int at; // index of the space before the time
    if (t.charAt(2) == '-' && n >= 17) { // dd-MMM-yyyy
      day = digits(t, 0, 2);
      month = month(t, 3);
      year = t.charAt(6) == '-' ? digits(t, 7, 4) : -1;
      at = 11;
    } else if (t.charAt(4) == '-' && t.charAt(7) == '-') { // yyyy-MM-dd
      year = digits(t, 0, 4);
      month = digits(t, 5, 2);
      day = digits(t, 8, 2);
      at = 10;
    } else if (t.charAt(4) == '-' && t.charAt(8) == '-' && n >= 17) { // yyyy-MMM-dd
      year = digits(t, 0, 4);
      month = month(t, 5);
      day = digits(t, 9, 2);
      at = 11;
    } else {
      return null;
    }
    int rest = n - at;
    if (t.charAt(at) != ' ' || (rest != 6 && rest != 9) || t.charAt(at + 3) != ':') {
      return null;
    }
    int hour = digits(t, at + 1, 2);
    int minute = digits(t, at + 4, 2);
    int second = 0;
    if (rest == 9) {
      if (t.charAt(at + 6) != ':') {
        return null;
      }
      second = digits(t, at + 7, 2);
    }
    if (day < 0 || month < 0 || year < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null; // e.g. 31-Feb
    }
  }

  /** Whether a time {@link #listing} accepted has seconds. */
  static boolean hasSeconds(String t) {
    return t.length() == 19 || t.length() == 20;
  }

  /** An IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}), or null for any other text. */
  static Instant httpDate(String t) {
    if (t.length() != 29
        || t.charAt(3) != ','
        || t.charAt(4) != ' '
        || t.charAt(7) != ' '
        || t.charAt(11) != ' '
        || t.charAt(16) != ' '
        || t.charAt(19) != ':'
        || t.charAt(22) != ':'
        || !t.endsWith(" GMT")) {
      return null;
    }
    int day = digits(t, 5, 2);
    int month = month(t, 8);
    int year = digits(t, 12, 4);
    int hour = digits(t, 17, 2);
    int minute = digits(t, 20, 2);
    int second = digits(t, 23, 2);
    if (day < 0 || month < 0 || year < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static int digits(String t, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int month(String t, int from) {
    if (from + 3 > t.length()) {
      return -1;
    }
    int i = MONTHS.indexOf(t.substring(from, from + 3).toLowerCase(java.util.Locale.ROOT));
    return i >= 0 && i % 3 == 0 ? i / 3 + 1 : -1;
  }
}
