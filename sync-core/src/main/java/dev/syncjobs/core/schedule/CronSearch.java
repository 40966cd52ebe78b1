package dev.syncjobs.core.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the next wall-clock time a cron expression matches, without any zone, by stepping its
 * fields: month, then day (Vixie's day rule applied to a whole month at once), then hour and
 * minute. The cost is bounded by the calendar, not by the expression: a date pattern repeats every
 * 400 Gregorian years, so a search that finds no day within that many months stops, and one whose
 * fields {@link CronFields#canFire() cannot fire} does not start. Thread-safe.
 */
public final class CronSearch {
  /** Years after which the Gregorian calendar repeats its dates and weekdays. */
  private static final int CYCLE_YEARS = 400;

  private final CronFields fields;
  private final boolean canFire;

  /** A search over {@code fields}. */
  public CronSearch(CronFields fields) {
    this.fields = Objects.requireNonNull(fields, "fields");
    this.canFire = fields.canFire();
  }

  /** The fields searched. */
  public CronFields fields() {
    return fields;
  }

  /**
   * The first matching wall-clock time (whole minutes) strictly after {@code wall}; empty if none.
   */
  public Optional<LocalDateTime> nextAfter(LocalDateTime wall) {
    if (!canFire) {
      return Optional.empty();
    }
    LocalDateTime start = wall.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    LocalDate date = start.toLocalDate();
    YearMonth month = YearMonth.from(date);
    int days = fields.days(month);
    if ((days & (1 << date.getDayOfMonth())) != 0) {
      LocalTime time = fields.firstTimeFrom(start.getHour(), start.getMinute());
      if (time != null) {
        return Optional.of(date.atTime(time));
      }
    }
    int from = date.getDayOfMonth() + 1;
    int lastYear = month.getYear() + CYCLE_YEARS;
    while (month.getYear() <= lastYear) {
      int later = from > 31 ? 0 : days & (-1 << from);
      if (later != 0) {
        return Optional.of(
            month.atDay(Integer.numberOfTrailingZeros(later)).atTime(fields.firstTime()));
      }
      month = fields.nextMonth(month);
      from = 1;
      days = fields.days(month);
    }
    return Optional.empty();
  }
}
