package dev.syncjobs.core.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The contract's cron rules written the plain way, to check the planner against: Vixie fields read
 * by hand, every minute of every matching local date tried, each wall-clock time mapped to instants
 * by API.md's daylight-saving rules, and the earliest instant after the start kept. Slow and
 * obviously right; shares no code with the planner.
 */
final class CronReference {
  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

  private final boolean[] minutes = new boolean[60];
  private final boolean[] hours = new boolean[24];
  private final boolean[] daysOfMonth = new boolean[32];
  private final boolean[] months = new boolean[13];
  private final boolean[] daysOfWeek = new boolean[8];
  private final boolean dayOfMonthStar;
  private final boolean dayOfWeekStar;
  private final boolean hourStar;

  CronReference(String expression) {
    String[] f = expression.trim().split("\\s+");
    read(f[0], minutes, 0, 59, List.of(), 0);
    read(f[1], hours, 0, 23, List.of(), 0);
    read(f[2], daysOfMonth, 1, 31, List.of(), 0);
    read(f[3], months, 1, 12, MONTHS, 1);
    read(f[4], daysOfWeek, 0, 7, DAYS, 0);
    daysOfWeek[0] |= daysOfWeek[7];
    dayOfMonthStar = f[2].startsWith("*");
    dayOfWeekStar = f[4].startsWith("*");
    hourStar = f[1].startsWith("*");
  }

  private static void read(
      String field, boolean[] set, int min, int max, List<String> names, int firstName) {
    for (String element : field.split(",")) {
      String[] stepped = element.split("/");
      int step = stepped.length > 1 ? Integer.parseInt(stepped[1]) : 1;
      int from;
      int to;
      if (stepped[0].equals("*")) {
        from = min;
        to = max;
      } else if (stepped[0].contains("-")) {
        String[] range = stepped[0].split("-");
        from = value(range[0], names, firstName);
        to = value(range[1], names, firstName);
      } else {
        from = value(stepped[0], names, firstName);
        to = from;
      }
      for (int v = from; v <= to; v += step) {
        set[v] = true;
      }
    }
  }

  private static int value(String text, List<String> names, int firstName) {
    int named = names.indexOf(text.toLowerCase(Locale.ROOT));
    return named >= 0 ? named + firstName : Integer.parseInt(text);
  }

  boolean matches(LocalDate date) {
    if (!months[date.getMonthValue()]) {
      return false;
    }
    boolean dom = daysOfMonth[date.getDayOfMonth()];
    boolean dow = daysOfWeek[date.getDayOfWeek().getValue() % 7];
    return dayOfMonthStar || dayOfWeekStar ? dom && dow : dom || dow;
  }

  /** Whether any date of a whole 400-year Gregorian cycle matches. */
  boolean canFire() {
    for (LocalDate d = LocalDate.of(2000, 1, 1); d.getYear() < 2400; d = d.plusDays(1)) {
      if (matches(d)) {
        return true;
      }
    }
    return false;
  }

  /** The first fire instant strictly after {@code after}, searching at most {@code years}. */
  Optional<Instant> next(ZoneId zone, Instant after, int years) {
    ZoneRules rules = zone.getRules();
    LocalDate date = after.atZone(zone).toLocalDate().minusDays(2);
    LocalDate end = date.plusYears(years);
    Instant best = null;
    for (; date.isBefore(end); date = date.plusDays(1)) {
      // No wall-clock time of this date or later maps to an instant before this one.
      Instant earliest = date.atStartOfDay().toInstant(ZoneOffset.MAX).minusSeconds(2 * 86_400);
      if (best != null && earliest.isAfter(best)) {
        break;
      }
      if (!matches(date)) {
        continue;
      }
      for (int h = 0; h < 24; h++) {
        for (int m = 0; m < 60; m++) {
          if (hours[h] && minutes[m]) {
            for (Instant fire : fires(date.atTime(h, m), rules)) {
              if (fire.isAfter(after) && (best == null || fire.isBefore(best))) {
                best = fire;
              }
            }
          }
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * API.md: with a {@code *}-led hour a wall-clock time fires at every instant it names (none in a
   * gap, two in an overlap); otherwise once, at its earlier offset, or in a gap at the first
   * instant after the gap.
   */
  private List<Instant> fires(LocalDateTime wall, ZoneRules rules) {
    List<ZoneOffset> offsets = rules.getValidOffsets(wall);
    if (hourStar) {
      return offsets.stream().map(wall::toInstant).toList();
    }
    if (offsets.isEmpty()) {
      ZoneOffsetTransition gap = rules.getTransition(wall);
      return List.of(gap.getInstant());
    }
    return List.of(offsets.stream().map(wall::toInstant).min(Instant::compareTo).orElseThrow());
  }
}
