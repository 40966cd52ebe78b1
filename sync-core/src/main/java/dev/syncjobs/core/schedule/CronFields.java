package dev.syncjobs.core.schedule;

import dev.syncjobs.core.model.ValidationException;
import java.time.LocalTime;
import java.time.Month;
import java.time.YearMonth;

/**
 * The five fields of a cron expression as the sets of values each allows, with Vixie cron's day
 * rule: when both day fields are restricted a day matching either fires; a day field that starts
 * with {@code *} (such as {@code *}{@code /2}) counts as unrestricted for that rule, so then a day
 * must match both. Immutable and thread-safe.
 */
public final class CronFields {
  private final long minutes; // bits 0..59
  private final int hours; // bits 0..23
  private final int daysOfMonth; // bits 1..31
  private final int months; // bits 1..12
  private final int daysOfWeek; // bits 0..6, 0 = Sunday
  private final boolean eitherDay;
  private final boolean wildcardHour;
  private final LocalTime firstTime;

  /**
   * For each weekday of a month's 1st (0 = Sunday), the days 1..31 (as bits) whose weekday the
   * day-of-week field allows.
   */
  private final int[] daysByWeekdayOfFirst = new int[7];

  CronFields(
      long minutes,
      int hours,
      int daysOfMonth,
      int months,
      int daysOfWeek,
      boolean dayOfMonthStar,
      boolean dayOfWeekStar,
      boolean wildcardHour) {
    if (minutes == 0 || hours == 0 || daysOfMonth == 0 || months == 0 || daysOfWeek == 0) {
      throw new IllegalArgumentException("every cron field allows at least one value");
    }
    this.minutes = minutes;
    this.hours = hours;
    this.daysOfMonth = daysOfMonth;
    this.months = months;
    this.daysOfWeek = daysOfWeek;
    this.eitherDay = !dayOfMonthStar && !dayOfWeekStar;
    this.wildcardHour = wildcardHour;
    this.firstTime =
        LocalTime.of(Integer.numberOfTrailingZeros(hours), Long.numberOfTrailingZeros(minutes));
    for (int first = 0; first < 7; first++) {
      int days = 0;
      for (int day = 1; day <= 31; day++) {
        if ((daysOfWeek & (1 << ((first + day - 1) % 7))) != 0) {
          days |= 1 << day;
        }
      }
      daysByWeekdayOfFirst[first] = days;
    }
  }

  /**
   * Parses five Unix fields (minute hour day-of-month month day-of-week) with Vixie semantics:
   * lists, ranges, steps on a range or {@code *}, month and day names, day-of-week 7 as Sunday.
   *
   * @throws ValidationException on field {@code cron_expression} for anything else, such as a step
   *     on a single value ({@code 5/15}), which Vixie cron reads as that value alone and other
   *     crons refuse
   */
  public static CronFields parse(String expression) {
    return CronText.parse(expression);
  }

  /**
   * Whether some date matches the day fields and the month: decided from the fields alone. Every
   * valid day of a month falls on each weekday in some year of the 400-year Gregorian cycle
   * (February 29 included), so when a day must match both fields it is enough that some allowed
   * month has an allowed day of the month.
   */
  public boolean canFire() {
    if (eitherDay) {
      return true;
    }
    for (Month month : Month.values()) {
      if ((months & (1 << month.getValue())) != 0
          && (daysOfMonth & daysUpTo(month.maxLength())) != 0) {
        return true;
      }
    }
    return false;
  }

  /** True if the hour field starts with {@code *}: the schedule fires every elapsed hour. */
  public boolean wildcardHour() {
    return wildcardHour;
  }

  /** The days of {@code month} (as bits 1..31) on which the expression fires; 0 for none. */
  int days(YearMonth month) {
    if ((months & (1 << month.getMonthValue())) == 0) {
      return 0;
    }
    int weekdayOfFirst = month.atDay(1).getDayOfWeek().getValue() % 7;
    int byWeekday = daysByWeekdayOfFirst[weekdayOfFirst];
    int days = eitherDay ? daysOfMonth | byWeekday : daysOfMonth & byWeekday;
    return days & daysUpTo(month.lengthOfMonth());
  }

  /** The first month after {@code month} that the month field allows. */
  YearMonth nextMonth(YearMonth month) {
    int later = months & (-1 << (month.getMonthValue() + 1));
    return later != 0
        ? month.withMonth(Integer.numberOfTrailingZeros(later))
        : YearMonth.of(month.getYear() + 1, Integer.numberOfTrailingZeros(months));
  }

  /** The earliest time of day the expression fires. */
  LocalTime firstTime() {
    return firstTime;
  }

  /** The first time of day at or after {@code hour}:{@code minute} that matches; null if none. */
  LocalTime firstTimeFrom(int hour, int minute) {
    if ((hours & (1 << hour)) != 0) {
      long later = minutes & (-1L << minute);
      if (later != 0) {
        return LocalTime.of(hour, Long.numberOfTrailingZeros(later));
      }
    }
    int laterHours = hour >= 23 ? 0 : hours & (-1 << (hour + 1));
    if (laterHours == 0) {
      return null;
    }
    return LocalTime.of(
        Integer.numberOfTrailingZeros(laterHours), Long.numberOfTrailingZeros(minutes));
  }

  private static int daysUpTo(int length) {
    return (int) ((1L << (length + 1)) - 2);
  }
}
