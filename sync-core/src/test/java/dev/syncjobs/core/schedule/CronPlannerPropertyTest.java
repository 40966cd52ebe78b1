package dev.syncjobs.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.ValidationException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The planner against {@link CronReference} on random expressions, zones and starts. The seed is
 * fixed so that a run is repeatable; {@code -Dsyncjobs.cronSeed=N} tries another.
 */
class CronPlannerPropertyTest {
  private static final int CASES = 400;
  private static final int FIRES_PER_CASE = 4;

  /** Zones with daylight saving at unusual hours, half-hour shifts, negative DST, skipped days. */
  private static final List<String> UNUSUAL_ZONES =
      List.of(
          "Europe/Berlin",
          "America/New_York",
          "America/Santiago",
          "America/Sao_Paulo",
          "America/Havana",
          "America/St_Johns",
          "Australia/Lord_Howe",
          "Pacific/Chatham",
          "Pacific/Apia",
          "Africa/Casablanca",
          "Asia/Tehran",
          "Asia/Gaza",
          "Europe/Dublin",
          "Antarctica/Troll",
          "Asia/Kolkata",
          "UTC");

  private static final List<String> MONTH_NAMES =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAY_NAMES =
      List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

  private final SchedulePlanner planner = new SchedulePlanner();

  @Test
  void planner_agrees_with_the_reference_on_random_expressions_zones_and_starts() {
    long seed = Long.getLong("syncjobs.cronSeed", 20261203L);
    System.out.println("CronPlannerPropertyTest seed: " + seed);
    Random random = new Random(seed);
    List<String> allZones = new ArrayList<>(new TreeSet<>(ZoneId.getAvailableZoneIds()));
    int never = 0;
    int compared = 0;
    for (int c = 0; c < CASES; c++) {
      String expression = expression(random);
      ZoneId zone =
          ZoneId.of(
              random.nextBoolean()
                  ? UNUSUAL_ZONES.get(random.nextInt(UNUSUAL_ZONES.size()))
                  : allZones.get(random.nextInt(allZones.size())));
      Instant start = start(random, zone);
      String what = "case " + c + " (seed " + seed + "): '" + expression + "' in " + zone;
      CronReference reference = new CronReference(expression);
      Schedule schedule = new Schedule.Cron(expression);

      if (!reference.canFire()) {
        never++;
        assertThatThrownBy(() -> planner.validate(schedule))
            .as(what)
            .isInstanceOf(ValidationException.class)
            .hasMessageContaining("can never fire");
        assertThat(planner.next(schedule, zone, start)).as(what).isEmpty();
        continue;
      }
      planner.validate(schedule);
      Instant after = start;
      for (int f = 0; f < FIRES_PER_CASE; f++) {
        Optional<Instant> expected = reference.next(zone, after, 120);
        assertThat(planner.next(schedule, zone, after))
            .as("%s after %s", what, after)
            .isEqualTo(expected);
        compared++;
        if (expected.isEmpty()) {
          break;
        }
        after = expected.get();
      }
    }
    System.out.println(
        "CronPlannerPropertyTest: "
            + CASES
            + " cases, "
            + compared
            + " fire instants compared, "
            + never
            + " expressions that never fire");
    assertThat(compared).isGreaterThan(CASES);
    assertThat(never).isPositive();
  }

  private static Instant start(Random random, ZoneId zone) {
    int year = 1970 + random.nextInt(130);
    Instant t =
        LocalDateTime.of(year, 1, 1, 0, 0)
            .toInstant(ZoneOffset.UTC)
            .plusSeconds((long) (random.nextDouble() * 365 * 86_400));
    ZoneOffsetTransition transition = zone.getRules().nextTransition(t);
    if (transition != null && random.nextBoolean()) {
      t = transition.getInstant().minusSeconds(random.nextInt(2 * 86_400));
    }
    return random.nextInt(4) == 0 ? t.plusMillis(random.nextInt(60_000)) : t;
  }

  private static String expression(Random random) {
    String minute = field(random, 0, 59, List.of(), 0);
    String hour = field(random, 0, 23, List.of(), 0);
    if (random.nextInt(4) == 0) {
      String[] doms = {"29", "30", "31", "29-31", "30,31", "*/29", "31"};
      String[] months = {"2", "feb", "2,4", "4,6,9,11", "2-4/2", "*/2"};
      String[] dows = {"*/1", "*/7", "*/2", "*", "1", "1-5", "*,3", "0-7/6"};
      return String.join(
          " ", minute, hour, pick(random, doms), pick(random, months), pick(random, dows));
    }
    return String.join(
        " ",
        minute,
        hour,
        field(random, 1, 31, List.of(), 0),
        field(random, 1, 12, MONTH_NAMES, 1),
        field(random, 0, 7, DAY_NAMES, 0));
  }

  private static String field(Random random, int min, int max, List<String> names, int first) {
    int kind = random.nextInt(12);
    if (kind < 3) {
      return "*";
    } else if (kind == 3) {
      return "*/" + step(random, min, max);
    } else if (kind == 4) {
      return "*/" + step(random, min, max) + "," + value(random, min, max, names, first);
    } else if (kind == 5) {
      return element(random, min, max, names, first)
          + ","
          + element(random, min, max, names, first);
    }
    return element(random, min, max, names, first);
  }

  private static String element(Random random, int min, int max, List<String> names, int first) {
    int kind = random.nextInt(3);
    if (kind == 0) {
      return value(random, min, max, names, first);
    }
    int a = min + random.nextInt(max - min + 1);
    int b = a + random.nextInt(max - a + 1);
    String range = name(a, names, first) + "-" + name(b, names, first);
    // cron-utils maps a day-of-week range's step of 7 to 0 (its Sunday mapping) and refuses it
    int step = step(random, min, names == DAY_NAMES ? 6 : max);
    return kind == 1 ? range : range + "/" + step;
  }

  private static String value(Random random, int min, int max, List<String> names, int first) {
    return name(min + random.nextInt(max - min + 1), names, first);
  }

  /** A name for some values (Sunday as 7 has none), the number for the others. */
  private static String name(int v, List<String> names, int first) {
    int i = v - first;
    return i >= 0 && i < names.size() && v % 3 == 0 ? names.get(i) : Integer.toString(v);
  }

  /** A step cron-utils accepts: at most the field's width and at most its maximum. */
  private static int step(Random random, int min, int max) {
    return 1 + random.nextInt(Math.min(max - min + 1, max));
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }
}
