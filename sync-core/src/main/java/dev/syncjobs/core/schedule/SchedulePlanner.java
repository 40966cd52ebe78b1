package dev.syncjobs.core.schedule;

import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.ValidationException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a {@link Schedule} and a zone into fire instants. Pure and thread-safe.
 *
 * <p>Wall-clock rules: hourly is minute 0 of every hour; weekly day 0 is Monday; a monthly day past
 * the end of a shorter month fires on that month's last day. Cron expressions have five Unix fields
 * and Vixie cron semantics: when day-of-month and day-of-week are both restricted a day matching
 * either fires; a field that starts with {@code *} (such as {@code *}{@code /2}) counts as
 * unrestricted for that rule, so then both must match. Day names are Vixie's ({@code sun} = 0).
 *
 * <p>Daylight saving (API.md): a wall-clock time that does not exist (spring-forward gap) fires at
 * the first instant after the gap; a wall-clock time that occurs twice (fall-back overlap) fires
 * once, at the earlier offset. Hourly schedules and cron expressions whose hour field starts with
 * {@code *} instead fire every elapsed hour: a skipped hour does not fire, a repeated hour fires
 * twice (once per offset).
 *
 * <p>Cron expressions are read into {@link CronFields} (parsed expressions are cached) and searched
 * by {@link CronSearch}, whose cost the calendar bounds whatever the expression; whether one can
 * ever fire is decided from its fields before any search.
 */
public final class SchedulePlanner {
  private static final int CACHE_LIMIT = 1024;

  /** Searches never look further than this past {@code after}. */
  private static final Duration SEARCH_LIMIT = Duration.ofDays(366L * 110);

  private static final int MAX_STEPS = 10_000;

  /** Planning covers these instants; earlier {@code after} values start here, later never fire. */
  private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9000-01-01T00:00:00Z");

  private final Map<String, CronClock> crons = new ConcurrentHashMap<>();

  /**
   * The first instant strictly after {@code after} at which {@code schedule} fires in {@code zone};
   * empty for a manual schedule (or a schedule that never fires).
   *
   * @throws ValidationException on field {@code cron_expression} for an invalid cron expression
   */
  public Optional<Instant> next(Schedule schedule, ZoneId zone, Instant after) {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(after, "after");
    WallClock clock = wallClock(schedule);
    if (clock == null) {
      return Optional.empty();
    }
    return resolve(clock, zone.getRules(), after);
  }

  /**
   * Checks what the schedule records cannot check themselves: a cron expression must parse as five
   * Unix fields (a step needs a range or {@code *}) and must be able to fire at least once, which
   * is decided from its fields without searching.
   *
   * @throws ValidationException on field {@code cron_expression}
   */
  public void validate(Schedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    if (schedule instanceof Schedule.Cron cron) {
      CronClock clock = compile(cron.expression());
      if (!clock.search().fields().canFire()) {
        throw new ValidationException(
            "cron_expression",
            "'" + cron.expression() + "' can never fire (no date matches all of its fields)");
      }
    }
  }

  private WallClock wallClock(Schedule schedule) {
    if (schedule instanceof Schedule.Hourly) {
      return HOURLY;
    } else if (schedule instanceof Schedule.Daily d) {
      return new DailyClock(d.time());
    } else if (schedule instanceof Schedule.Weekly w) {
      // Weekly day 0 is Monday (unlike cron's day-of-week, where 0 is Sunday).
      return new WeeklyClock(DayOfWeek.of(w.day() + 1), w.time());
    } else if (schedule instanceof Schedule.Monthly m) {
      return new MonthlyClock(m.day(), m.time());
    } else if (schedule instanceof Schedule.Cron c) {
      return compile(c.expression());
    }
    return null; // manual
  }

  /**
   * Walks forward through the zone's offset periods. Within one period wall-clock time and instants
   * map one to one, so the first wall-clock candidate of the period is the answer; at a gap, a
   * fixed-hour candidate that falls into the gap fires at the transition; in the later half of an
   * overlap, fixed-hour candidates are skipped because they already fired at the earlier offset.
   */
  private static Optional<Instant> resolve(WallClock clock, ZoneRules rules, Instant after) {
    if (after.isAfter(LATEST)) {
      return Optional.empty();
    }
    Instant t = after.isBefore(EARLIEST) ? EARLIEST : after;
    boolean inclusive = after.isBefore(EARLIEST);
    Instant limit = t.plus(SEARCH_LIMIT);
    LocalDateTime searchedFrom = null;
    LocalDateTime found = null;
    for (int step = 0; step < MAX_STEPS && t.isBefore(limit); step++) {
      ZoneOffset offset = rules.getOffset(t);
      ZoneOffsetTransition transition = rules.nextTransition(t);
      LocalDateTime wall = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), offset);
      LocalDateTime from = inclusive ? wall.minusNanos(1) : wall;
      if (searchedFrom == null || from.isBefore(searchedFrom) || !from.isBefore(found)) {
        // The first match after any time in [searchedFrom, found) is found itself, so a period
        // that starts in that span (after a gap, or a transition before a rare match) needs no
        // new search.
        Optional<LocalDateTime> candidate = clock.nextAfter(from);
        if (candidate.isEmpty()) {
          return Optional.empty();
        }
        searchedFrom = from;
        found = candidate.get();
      }
      LocalDateTime w = found;
      Instant fire = w.toInstant(offset);
      if (transition == null || fire.isBefore(transition.getInstant())) {
        ZoneOffsetTransition overlap = rules.getTransition(w);
        if (!clock.everyElapsedHour()
            && overlap != null
            && overlap.isOverlap()
            && offset.equals(overlap.getOffsetAfter())) {
          // Repeated wall-clock time: it already fired at the earlier offset; resume where the
          // repetition ends.
          t = overlap.getDateTimeBefore().toInstant(offset);
          inclusive = true;
          continue;
        }
        if (fire.isAfter(after)) {
          return Optional.of(fire);
        }
        t = fire;
        inclusive = false;
        continue;
      }
      if (transition.isGap()
          && !clock.everyElapsedHour()
          && w.isBefore(transition.getDateTimeAfter())) {
        // Wall-clock time inside the gap: fire at the first instant after it.
        return Optional.of(transition.getInstant());
      }
      t = transition.getInstant();
      inclusive = true;
    }
    return Optional.empty();
  }

  private CronClock compile(String expression) {
    CronClock cached = crons.get(expression);
    if (cached != null) {
      return cached;
    }
    CronClock clock = new CronClock(new CronSearch(CronFields.parse(expression)));
    if (crons.size() >= CACHE_LIMIT) {
      crons.clear();
    }
    crons.put(expression, clock);
    return clock;
  }

  /** A schedule seen as wall-clock times, without any zone. */
  private interface WallClock {
    /** The first matching wall-clock time strictly after {@code wall}. */
    Optional<LocalDateTime> nextAfter(LocalDateTime wall);

    /**
     * True if the schedule fires every elapsed hour across DST changes (wildcard hour); a schedule
     * at a fixed time of day does not.
     */
    default boolean everyElapsedHour() {
      return false;
    }
  }

  private static final WallClock HOURLY =
      new WallClock() {
        @Override
        public Optional<LocalDateTime> nextAfter(LocalDateTime wall) {
          return Optional.of(wall.truncatedTo(ChronoUnit.HOURS).plusHours(1));
        }

        @Override
        public boolean everyElapsedHour() {
          return true;
        }
      };

  private record DailyClock(LocalTime time) implements WallClock {
    @Override
    public Optional<LocalDateTime> nextAfter(LocalDateTime wall) {
      LocalDateTime candidate = wall.toLocalDate().atTime(time);
      return Optional.of(candidate.isAfter(wall) ? candidate : candidate.plusDays(1));
    }
  }

  private record WeeklyClock(DayOfWeek day, LocalTime time) implements WallClock {
    @Override
    public Optional<LocalDateTime> nextAfter(LocalDateTime wall) {
      LocalDateTime candidate =
          wall.toLocalDate().with(TemporalAdjusters.nextOrSame(day)).atTime(time);
      return Optional.of(candidate.isAfter(wall) ? candidate : candidate.plusWeeks(1));
    }
  }

  private record MonthlyClock(int day, LocalTime time) implements WallClock {
    @Override
    public Optional<LocalDateTime> nextAfter(LocalDateTime wall) {
      YearMonth month = YearMonth.from(wall);
      while (true) {
        LocalDateTime candidate = month.atDay(Math.min(day, month.lengthOfMonth())).atTime(time);
        if (candidate.isAfter(wall)) {
          return Optional.of(candidate);
        }
        month = month.plusMonths(1);
      }
    }
  }

  /** A cron expression, searched field by field. */
  private record CronClock(CronSearch search) implements WallClock {
    @Override
    public Optional<LocalDateTime> nextAfter(LocalDateTime wall) {
      return search.nextAfter(wall);
    }

    @Override
    public boolean everyElapsedHour() {
      return search.fields().wildcardHour();
    }
  }
}
