package dev.syncjobs.core.service;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
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
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * <p>Parsing and matching of cron expressions is done by cron-utils; parsed expressions are cached.
 */
public final class SchedulePlanner {
  private static final int CACHE_LIMIT = 1024;

  /** Searches never look further than this past {@code after}. */
  private static final Duration SEARCH_LIMIT = Duration.ofDays(366L * 110);

  private static final int MAX_STEPS = 10_000;

  /** Planning covers these instants; earlier {@code after} values start here, later never fire. */
  private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9000-01-01T00:00:00Z");

  /** Fixed start for "can it ever fire" (a Gregorian 400-year cycle repeats all date patterns). */
  private static final LocalDateTime VALIDATION_START = LocalDateTime.of(2000, 1, 1, 0, 0);

  private static final Pattern DAY_NAME =
      Pattern.compile("(?i)\\b(sun|mon|tue|wed|thu|fri|sat)\\b");
  private static final Map<String, String> DAY_NUMBERS =
      Map.of("sun", "0", "mon", "1", "tue", "2", "wed", "3", "thu", "4", "fri", "5", "sat", "6");

  private final CronParser parser =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
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
   * Unix fields and must be able to fire at least once.
   *
   * @throws ValidationException on field {@code cron_expression}
   */
  public void validate(Schedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    if (schedule instanceof Schedule.Cron cron) {
      CronClock clock = compile(cron.expression());
      if (clock.nextAfter(VALIDATION_START).isEmpty()) {
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
    for (int step = 0; step < MAX_STEPS && t.isBefore(limit); step++) {
      ZoneOffset offset = rules.getOffset(t);
      ZoneOffsetTransition transition = rules.nextTransition(t);
      LocalDateTime wall = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), offset);
      Optional<LocalDateTime> candidate = clock.nextAfter(inclusive ? wall.minusNanos(1) : wall);
      if (candidate.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime w = candidate.get();
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
    CronClock clock = parse(expression);
    if (crons.size() >= CACHE_LIMIT) {
      crons.clear();
    }
    crons.put(expression, clock);
    return clock;
  }

  private synchronized CronClock parse(String expression) {
    String[] fields = expression.trim().split("\\s+");
    if (fields.length != 5) {
      throw new ValidationException(
          "cron_expression",
          "'"
              + expression
              + "' must have 5 fields (minute hour day-of-month month day-of-week), found "
              + fields.length);
    }
    // Vixie day names: sun = 0 (cron-utils reads sun as 7, which breaks ranges like sun-tue).
    fields[4] = replaceDayNames(fields[4]);
    String dom = fields[2];
    String dow = fields[4];
    try {
      boolean domStar = dom.startsWith("*");
      boolean dowStar = dow.startsWith("*");
      if ((domStar || dowStar) && !dom.equals("*") && !dow.equals("*")) {
        // Vixie: a '*'-led day field means "both day fields must match"; cron-utils would OR them.
        ExecutionTime dowOnly = executionTime(fields, "*", dow);
        ExecutionTime domOnly = executionTime(fields, dom, "*");
        return new CronClock(dowOnly, domOnly, fields[1].startsWith("*"));
      }
      return new CronClock(executionTime(fields, dom, dow), null, fields[1].startsWith("*"));
    } catch (IllegalArgumentException e) {
      throw new ValidationException(
          "cron_expression",
          "'"
              + expression
              + "' is not a valid cron expression (minute hour day-of-month month day-of-week): "
              + e.getMessage());
    }
  }

  private ExecutionTime executionTime(String[] fields, String dom, String dow) {
    String text = String.join(" ", fields[0], fields[1], dom, fields[3], dow);
    return ExecutionTime.forCron(parser.parse(text).validate());
  }

  private static String replaceDayNames(String field) {
    Matcher m = DAY_NAME.matcher(field);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, DAY_NUMBERS.get(m.group(1).toLowerCase(Locale.ROOT)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A schedule seen as wall-clock times, without any zone. */
  private interface WallClock {
    /** The first matching wall-clock time strictly after {@code wall}. */
    Optional<LocalDateTime> nextAfter(LocalDateTime wall);

    /** True if the schedule fires every elapsed hour across DST changes (wildcard hour). */
    boolean everyElapsedHour();
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

    @Override
    public boolean everyElapsedHour() {
      return false;
    }
  }

  private record WeeklyClock(DayOfWeek day, LocalTime time) implements WallClock {
    @Override
    public Optional<LocalDateTime> nextAfter(LocalDateTime wall) {
      LocalDateTime candidate =
          wall.toLocalDate().with(TemporalAdjusters.nextOrSame(day)).atTime(time);
      return Optional.of(candidate.isAfter(wall) ? candidate : candidate.plusWeeks(1));
    }

    @Override
    public boolean everyElapsedHour() {
      return false;
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

    @Override
    public boolean everyElapsedHour() {
      return false;
    }
  }

  /**
   * A parsed cron expression. {@code dayFilter} is set when Vixie requires both day fields to
   * match: then {@code primary} is the expression with day-of-month unrestricted and a candidate
   * must also match {@code dayFilter} (the expression with day-of-week unrestricted).
   */
  private record CronClock(ExecutionTime primary, ExecutionTime dayFilter, boolean everyElapsedHour)
      implements WallClock {
    /** The "both day fields" search gives up after this many years without a match. */
    private static final int AND_SEARCH_YEARS = 60;

    @Override
    public Optional<LocalDateTime> nextAfter(LocalDateTime wall) {
      ZonedDateTime from = wall.truncatedTo(ChronoUnit.MINUTES).atZone(ZoneOffset.UTC);
      if (dayFilter == null) {
        return primary.nextExecution(from).map(ZonedDateTime::toLocalDateTime);
      }
      int lastYear = from.getYear() + AND_SEARCH_YEARS;
      while (true) {
        Optional<ZonedDateTime> candidate = primary.nextExecution(from);
        if (candidate.isEmpty() || candidate.get().getYear() > lastYear) {
          return Optional.empty();
        }
        ZonedDateTime c = candidate.get();
        if (dayFilter.isMatch(c)) {
          return Optional.of(c.toLocalDateTime());
        }
        from = c.toLocalDate().atTime(23, 59).atZone(ZoneOffset.UTC);
      }
    }
  }
}
