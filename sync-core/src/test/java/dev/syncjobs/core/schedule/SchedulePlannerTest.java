package dev.syncjobs.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchedulePlannerTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private final SchedulePlanner planner = new SchedulePlanner();

  /**
   * Every expected instant is computed by hand. 2026 DST changes: Europe/Berlin springs forward on
   * Mar 29 at 01:00Z (02:00 CET -> 03:00 CEST) and falls back on Oct 25 at 01:00Z (03:00 CEST ->
   * 02:00 CET); America/New_York springs forward on Mar 8 at 07:00Z (02:00 EST -> 03:00 EDT) and
   * falls back on Nov 1 at 06:00Z (02:00 EDT -> 01:00 EST). Jan 1 2026 is a Thursday.
   */
  @ParameterizedTest(name = "[{index}] {0} in {1} after {2} -> {3} ({4})")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # Europe/Berlin spring-forward gap (02:00-03:00 does not exist on 2026-03-29)
          daily 02:30         | Europe/Berlin    | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z | gap time fires at 03:00 CEST
          daily 02:30         | Europe/Berlin    | 2026-03-29T01:00:00Z | 2026-03-30T00:30:00Z | back to normal next day
          daily 02:00         | Europe/Berlin    | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z | gap start fires at 03:00 CEST
          daily 03:00         | Europe/Berlin    | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z | first time after the gap
          weekly 6 02:30      | Europe/Berlin    | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z | Sunday in the gap
          monthly 29 02:30    | Europe/Berlin    | 2026-03-01T00:00:00Z | 2026-03-29T01:00:00Z | monthly in the gap
          hourly              | Europe/Berlin    | 2026-03-29T00:00:00Z | 2026-03-29T01:00:00Z | 01:00 CET then 03:00 CEST, one elapsed hour
          cron 30 2 * * *     | Europe/Berlin    | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z | fixed-hour cron in the gap
          cron 30 * * * *     | Europe/Berlin    | 2026-03-29T00:30:00Z | 2026-03-29T01:30:00Z | wildcard hour skips the missing 02:30
          cron */20 2 * * *   | Europe/Berlin    | 2026-03-29T00:00:00Z | 2026-03-29T01:00:00Z | whole missing hour fires once at 03:00
          cron */20 2 * * *   | Europe/Berlin    | 2026-03-29T01:00:00Z | 2026-03-30T00:00:00Z | and not again that day
          # Europe/Berlin fall-back overlap (02:00-03:00 occurs twice on 2026-10-25)
          daily 02:30         | Europe/Berlin    | 2026-10-24T12:00:00Z | 2026-10-25T00:30:00Z | repeated time fires at the earlier offset (CEST)
          daily 02:30         | Europe/Berlin    | 2026-10-25T00:30:00Z | 2026-10-26T01:30:00Z | and not again at 02:30 CET
          daily 02:30         | Europe/Berlin    | 2026-10-25T01:00:00Z | 2026-10-26T01:30:00Z | after is inside the later half of the overlap
          hourly              | Europe/Berlin    | 2026-10-24T23:30:00Z | 2026-10-25T00:00:00Z | 02:00 CEST
          hourly              | Europe/Berlin    | 2026-10-25T00:00:00Z | 2026-10-25T01:00:00Z | 02:00 CET, the repeated hour
          hourly              | Europe/Berlin    | 2026-10-25T01:00:00Z | 2026-10-25T02:00:00Z | 03:00 CET
          cron 30 2 * * *     | Europe/Berlin    | 2026-10-25T00:30:00Z | 2026-10-26T01:30:00Z | fixed-hour cron fires once
          cron 30 * * * *     | Europe/Berlin    | 2026-10-25T00:30:00Z | 2026-10-25T01:30:00Z | wildcard hour fires at 02:30 CET too
          cron 30 * * * *     | Europe/Berlin    | 2026-10-25T01:30:00Z | 2026-10-25T02:30:00Z | then 03:30 CET
          cron */15 * * * *   | Europe/Berlin    | 2026-10-25T00:45:00Z | 2026-10-25T01:00:00Z | quarter hours continue through the overlap
          cron */20 2 * * *   | Europe/Berlin    | 2026-10-25T00:40:00Z | 2026-10-26T01:00:00Z | fixed hour not repeated in CET
          # America/New_York spring-forward gap (02:00-03:00 does not exist on 2026-03-08)
          daily 02:30         | America/New_York | 2026-03-07T12:00:00Z | 2026-03-08T07:00:00Z | gap time fires at 03:00 EDT
          daily 02:30         | America/New_York | 2026-03-08T07:00:00Z | 2026-03-09T06:30:00Z | next day 02:30 EDT
          hourly              | America/New_York | 2026-03-08T06:00:00Z | 2026-03-08T07:00:00Z | 01:00 EST then 03:00 EDT
          cron 30 2 * * *     | America/New_York | 2026-03-07T12:00:00Z | 2026-03-08T07:00:00Z | fixed-hour cron in the gap
          cron 15 * * * *     | America/New_York | 2026-03-08T06:15:00Z | 2026-03-08T07:15:00Z | 01:15 EST then 03:15 EDT
          cron 0 */2 * * *    | America/New_York | 2026-03-08T05:00:00Z | 2026-03-08T08:00:00Z | '*'-led hour: missing 02:00 skipped, 04:00 EDT
          # America/New_York fall-back overlap (01:00-02:00 occurs twice on 2026-11-01)
          daily 01:30         | America/New_York | 2026-10-31T12:00:00Z | 2026-11-01T05:30:00Z | repeated time fires at 01:30 EDT
          daily 01:30         | America/New_York | 2026-11-01T05:30:00Z | 2026-11-02T06:30:00Z | not at 01:30 EST
          daily 01:30         | America/New_York | 2026-11-01T06:10:00Z | 2026-11-02T06:30:00Z | after is 01:10 EST
          hourly              | America/New_York | 2026-11-01T05:00:00Z | 2026-11-01T06:00:00Z | 01:00 EDT then 01:00 EST
          hourly              | America/New_York | 2026-11-01T06:00:00Z | 2026-11-01T07:00:00Z | then 02:00 EST
          cron 0 1 * * *      | America/New_York | 2026-11-01T04:00:00Z | 2026-11-01T05:00:00Z | fixed-hour cron at 01:00 EDT
          cron 0 1 * * *      | America/New_York | 2026-11-01T05:00:00Z | 2026-11-02T06:00:00Z | and not at 01:00 EST
          cron 0 * * * *      | America/New_York | 2026-11-01T05:30:00Z | 2026-11-01T06:00:00Z | wildcard hour fires at 01:00 EST
          # weekly: day 0 = Monday, 6 = Sunday
          weekly 0 09:00      | UTC              | 2026-01-01T00:00:00Z | 2026-01-05T09:00:00Z | Monday
          weekly 6 09:00      | UTC              | 2026-01-01T00:00:00Z | 2026-01-04T09:00:00Z | Sunday
          weekly 3 09:00      | UTC              | 2026-01-01T00:00:00Z | 2026-01-01T09:00:00Z | Thursday, later the same day
          weekly 3 09:00      | UTC              | 2026-01-01T09:00:00Z | 2026-01-08T09:00:00Z | Thursday, a week later
          weekly 0 00:00      | Europe/Berlin    | 2026-01-01T00:00:00Z | 2026-01-04T23:00:00Z | Monday 00:00 CET
          # monthly: days past the end of a short month fire on its last day
          monthly 31 10:00    | UTC              | 2026-01-31T10:00:00Z | 2026-02-28T10:00:00Z | Feb 28 in a common year
          monthly 31 10:00    | UTC              | 2026-02-28T10:00:00Z | 2026-03-31T10:00:00Z | back to the 31st
          monthly 31 10:00    | UTC              | 2026-03-31T10:00:00Z | 2026-04-30T10:00:00Z | 30-day month
          monthly 31 10:00    | UTC              | 2026-12-31T10:00:00Z | 2027-01-31T10:00:00Z | across the year
          monthly 29 10:00    | UTC              | 2028-01-29T10:00:00Z | 2028-02-29T10:00:00Z | Feb 29 in a leap year
          monthly 29 10:00    | UTC              | 2027-01-29T10:00:00Z | 2027-02-28T10:00:00Z | Feb 28 in a common year
          monthly 30 10:00    | UTC              | 2028-02-01T00:00:00Z | 2028-02-29T10:00:00Z | day 30 in a leap February
          monthly 15 00:00    | Europe/Berlin    | 2026-07-01T00:00:00Z | 2026-07-14T22:00:00Z | midnight CEST
          # cron with a zone
          cron 0 9 * * 1-5    | America/New_York | 2026-01-02T15:00:00Z | 2026-01-05T14:00:00Z | Friday 10:00 EST -> Monday 09:00 EST
          cron 0 9 * * 1-5    | Europe/Berlin    | 2026-07-01T00:00:00Z | 2026-07-01T07:00:00Z | Wednesday 09:00 CEST
          cron 0 0 * * *      | Asia/Kolkata     | 2026-01-01T00:00:00Z | 2026-01-01T18:30:00Z | half-hour offset
          cron 0 0 1 1 *      | Pacific/Auckland | 2026-06-01T00:00:00Z | 2026-12-31T11:00:00Z | New Year NZDT
          # Vixie day semantics
          cron 0 0 1 * 1      | UTC              | 2026-01-01T00:00:00Z | 2026-01-05T00:00:00Z | Monday matches
          cron 0 0 1 * 1      | UTC              | 2026-01-26T00:00:00Z | 2026-02-01T00:00:00Z | the 1st (a Sunday) matches too
          cron 0 0 13 * 5     | UTC              | 2026-04-10T00:00:00Z | 2026-04-13T00:00:00Z | 13th on a Monday
          cron 0 0 31 2 1     | UTC              | 2026-02-01T00:00:00Z | 2026-02-02T00:00:00Z | impossible day but Mondays in February
          cron 0 0 */2 * 1    | UTC              | 2026-01-05T00:00:00Z | 2026-01-19T00:00:00Z | '*'-led day-of-month: odd-day Mondays only
          cron 0 0 1 * */2    | UTC              | 2026-03-01T00:00:00Z | 2026-08-01T00:00:00Z | '*'-led day-of-week: 1st on Sun/Tue/Thu/Sat only
          cron 0 0 *,5 * 1    | UTC              | 2026-01-01T00:00:00Z | 2026-01-05T00:00:00Z | '*'-led list: Mondays only
          # cron syntax
          cron */15 * * * *   | UTC              | 2026-01-01T00:07:00Z | 2026-01-01T00:15:00Z | step
          cron */15 * * * *   | UTC              | 2026-01-01T00:45:00Z | 2026-01-01T01:00:00Z | step into the next hour
          cron 0 9-17/4 * * * | UTC              | 2026-01-01T09:00:00Z | 2026-01-01T13:00:00Z | range with step
          cron 5,35 * * * *   | UTC              | 2026-01-01T10:05:00Z | 2026-01-01T10:35:00Z | list
          cron 0 12 * jan,jul sun | UTC          | 2026-01-25T12:00:00Z | 2026-07-05T12:00:00Z | month and day names
          cron 0 0 * JAN-MAR MON-FRI | UTC       | 2026-03-31T00:00:00Z | 2027-01-01T00:00:00Z | upper-case name ranges
          cron 0 0 * * sun-tue | UTC             | 2026-01-07T00:00:00Z | 2026-01-11T00:00:00Z | sun is 0 in a range
          cron 0 0 * * 7      | UTC              | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z | 7 is Sunday
          cron 0 0 * * 0      | UTC              | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z | 0 is Sunday
          cron 0 0 29 2 *     | UTC              | 2026-01-01T00:00:00Z | 2028-02-29T00:00:00Z | next leap day
          # strictly after, manual
          daily 09:00         | UTC              | 2026-01-01T09:00:00Z | 2026-01-02T09:00:00Z | after == fire gives the next one
          daily 09:00         | UTC              | 2026-01-01T08:59:59.999Z | 2026-01-01T09:00:00Z | just before
          hourly              | UTC              | 2026-01-01T10:00:00Z | 2026-01-01T11:00:00Z | after == fire
          cron 0 9 * * *      | UTC              | 2026-01-01T08:59:30Z | 2026-01-01T09:00:00Z | seconds before the minute
          cron 0 9 * * *      | UTC              | 2026-01-01T09:00:30Z | 2026-01-02T09:00:00Z | seconds into the fire minute
          cron 0 0 1 * 1      | UTC              | 2026-01-05T00:00:00Z | 2026-01-12T00:00:00Z | after == fire
          manual              | UTC              | 2026-01-01T00:00:00Z | none                 | manual never fires
          """)
  void computes_next_fire_instant(
      String schedule, String zone, String after, String expected, String why) {
    Optional<Instant> next =
        planner.next(schedule(schedule), ZoneId.of(zone), Instant.parse(after));

    if (expected.equals("none")) {
      assertThat(next).as(why).isEmpty();
    } else {
      assertThat(next).as(why).contains(Instant.parse(expected));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Europe/Berlin", "America/New_York"})
  void hourly_fires_every_elapsed_hour_for_a_whole_year(String zone) {
    List<Instant> fires =
        fires(
            new Schedule.Hourly(),
            ZoneId.of(zone),
            Instant.parse("2026-01-01T00:00:00Z"),
            Instant.parse("2027-01-01T00:00:00Z"));

    assertThat(fires).hasSize(365 * 24);
    for (int i = 1; i < fires.size(); i++) {
      assertThat(Duration.between(fires.get(i - 1), fires.get(i)))
          .as("after %s", fires.get(i - 1))
          .isEqualTo(Duration.ofHours(1));
    }
  }

  @Test
  void wildcard_minute_cron_fires_every_elapsed_quarter_hour_across_fall_back() {
    List<Instant> fires =
        fires(
            new Schedule.Cron("*/15 * * * *"),
            BERLIN,
            Instant.parse("2026-10-24T22:00:00Z"),
            Instant.parse("2026-10-25T04:00:00Z"));

    assertThat(fires).hasSize(6 * 4);
    for (int i = 1; i < fires.size(); i++) {
      assertThat(Duration.between(fires.get(i - 1), fires.get(i)))
          .isEqualTo(Duration.ofMinutes(15));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Europe/Berlin", "America/New_York"})
  void daily_fires_exactly_once_per_local_date_for_a_whole_year(String zoneId) {
    ZoneId zone = ZoneId.of(zoneId);
    List<Instant> fires =
        fires(
            new Schedule.Daily(LocalTime.of(2, 30)),
            zone,
            ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, zone).toInstant(),
            ZonedDateTime.of(2027, 1, 1, 0, 0, 0, 0, zone).toInstant());

    assertThat(fires).hasSize(365);
    Set<LocalDate> dates = new HashSet<>();
    for (Instant fire : fires) {
      ZonedDateTime local = fire.atZone(zone);
      assertThat(dates.add(local.toLocalDate())).as("one fire on %s", local).isTrue();
      assertThat(local.toLocalTime()).isIn(LocalTime.of(2, 30), LocalTime.of(3, 0));
    }
    assertThat(fires.stream().filter(f -> f.atZone(zone).getHour() == 3)).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "garbage",
        "0 0 * *",
        "0 0 * * * *",
        "0 0 30 2 *",
        "0 0 31 4 *",
        "0 0 31 2,4,6,9,11 *",
        "60 * * * *",
        "0 24 * * *",
        "0 0 0 * *",
        "0 0 * 13 *",
        "0 0 * * 8",
        "*/0 * * * *",
        "0 0 L * *",
        "0 0 ? * 1",
        "0 0 * * 1#2",
        "0 0 * * MONDAY",
        "0 0 * * 6-0",
        "@daily",
        "0 0 30 2 */1",
        "0 0 31 2,4,6,9,11 */1",
        "5/15 * * * *",
        "0 0 * * 7/1",
        "/15 * * * *",
        "0 0 1-5/ * *"
      })
  void validation_rejects_cron_expression(String expression) {
    Schedule schedule = new Schedule.Cron(expression);

    assertThatThrownBy(() -> planner.validate(schedule))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.errors())
                    .singleElement()
                    .satisfies(
                        error -> {
                          assertThat(error.field()).isEqualTo("cron_expression");
                          assertThat(error.message()).contains(expression);
                        }));
  }

  @Test
  void validation_messages_say_what_is_wrong() {
    assertThat(fieldError("0 0 * * * *").message()).contains("must have 5 fields", "found 6");
    assertThat(fieldError("0 0 30 2 *").message()).contains("can never fire");
    assertThat(fieldError("60 * * * *").message()).contains("not a valid cron expression", "60");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0 0 29 2 *",
        "0 0 31 2 1",
        "0 0 31 * *",
        "*/15 * * * *",
        "0 9-17/4 * * 1-5",
        "0 0 * * sun-sat",
        "0 0 1 * */2",
        "0 12 * jan,jul sun",
        "  0   0\t1 * *  "
      })
  void validation_accepts_cron_expression(String expression) {
    assertThatCode(() -> planner.validate(new Schedule.Cron(expression)))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          5/15 * * * *   | minute       | '5-59/15'
          0 1,3/4 * * *  | hour         | '3-23/4'
          0 0 1/2 * *    | day-of-month | '1-31/2'
          0 0 * jan/3 *  | month        | 'jan-12/3'
          0 0 * * 7/1    | day-of-week  | '7-7/1'
          /15 * * * *    | minute       | '*/15'
          """)
  void a_step_on_a_single_value_is_refused_with_the_form_to_write(
      String expression, String field, String hint) {
    assertThat(fieldError(expression).message())
        .contains(expression, "the " + field + " field", "a step needs a range or '*'", hint);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0 0 30 2 *",
        "0 0 31 2,4,6,9,11 */1",
        "* * 31 2,4,6,9,11 */1",
        "0 0 31 4,6,9,11 */1",
        "0 0 30 2 */1",
        "0 0 31 2 */7",
        "0 0 30,31 feb */2",
        "*/5 */2 30-31 2 *,1"
      })
  void a_cron_expression_that_never_fires_is_rejected_within_milliseconds_whatever_its_form(
      String expression) {
    planner.validate(new Schedule.Cron("1 2 3 4 5")); // loads the parser
    Schedule schedule = new Schedule.Cron(expression);
    long start = System.nanoTime();

    assertThat(fieldError(expression).message()).contains("can never fire");
    assertThat(planner.next(schedule, BERLIN, Instant.parse("2026-01-01T00:00:00Z"))).isEmpty();
    assertThat(planner.next(schedule, NEW_YORK, Instant.parse("2099-12-31T00:00:00Z"))).isEmpty();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(50));
  }

  @Test
  void a_rare_cron_expression_is_planned_within_milliseconds_across_forty_years_of_dst() {
    Schedule sundayLeapDay = new Schedule.Cron("0 0 29 2 */7");
    planner.validate(sundayLeapDay);
    assertThat(planner.next(sundayLeapDay, NEW_YORK, Instant.parse("2004-03-01T00:00:00Z")))
        .contains(Instant.parse("2032-02-29T05:00:00Z")); // warms the code, not Berlin's rules
    long start = System.nanoTime();

    Optional<Instant> next =
        planner.next(sundayLeapDay, BERLIN, Instant.parse("2088-03-01T00:00:00Z"));
    Optional<Instant> fromLastYear =
        planner.next(sundayLeapDay, BERLIN, Instant.parse("2099-12-31T23:59:00Z"));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(50));
    assertThat(next).contains(Instant.parse("2128-02-28T23:00:00Z"));
    assertThat(fromLastYear).isEqualTo(next);
  }

  @Test
  void validation_accepts_the_other_schedule_kinds() {
    assertThatCode(
            () -> {
              planner.validate(new Schedule.Manual());
              planner.validate(new Schedule.Hourly());
              planner.validate(new Schedule.Monthly(31, LocalTime.NOON));
            })
        .doesNotThrowAnyException();
  }

  @Test
  void next_rejects_an_invalid_cron_expression() {
    assertThatThrownBy(
            () ->
                planner.next(
                    new Schedule.Cron("0 0 * * * *"),
                    NEW_YORK,
                    Instant.parse("2026-01-01T00:00:00Z")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("cron_expression");
  }

  @Test
  void extreme_instants_do_not_overflow() {
    Schedule daily = new Schedule.Daily(LocalTime.of(9, 0));

    assertThat(planner.next(daily, BERLIN, Instant.MIN))
        .contains(Instant.parse("1900-01-01T08:00:00Z"));
    assertThat(planner.next(daily, BERLIN, Instant.MAX)).isEmpty();
    assertThat(planner.next(new Schedule.Cron("0 0 * * *"), NEW_YORK, Instant.MAX)).isEmpty();
  }

  @Test
  void is_fast_enough_to_plan_every_job_on_every_tick() {
    List<Schedule> schedules =
        List.of(
            new Schedule.Hourly(),
            new Schedule.Daily(LocalTime.of(2, 30)),
            new Schedule.Weekly(0, LocalTime.of(9, 0)),
            new Schedule.Monthly(31, LocalTime.of(10, 0)),
            new Schedule.Cron("*/15 9-17 * * 1-5"),
            new Schedule.Cron("0 0 */2 * 1"));
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 2_000; i++) { // warm-up
      planner.next(schedules.get(i % schedules.size()), BERLIN, at.plusSeconds(i * 600L));
    }

    int calls = 20_000;
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      assertThat(
              planner.next(schedules.get(i % schedules.size()), BERLIN, at.plusSeconds(i * 600L)))
          .isPresent();
    }
    Duration perCall = Duration.ofNanos((System.nanoTime() - start) / calls);

    // Typically tens of microseconds; the bound leaves room for a loaded build machine.
    assertThat(perCall).isLessThan(Duration.ofMillis(1));
  }

  private FieldError fieldError(String expression) {
    try {
      planner.validate(new Schedule.Cron(expression));
    } catch (ValidationException e) {
      return e.errors().get(0);
    }
    throw new AssertionError("accepted " + expression);
  }

  private List<Instant> fires(Schedule schedule, ZoneId zone, Instant from, Instant until) {
    List<Instant> fires = new ArrayList<>();
    Instant t = from.minusNanos(1);
    while (true) {
      Instant next = planner.next(schedule, zone, t).orElseThrow();
      assertThat(next).isAfter(t);
      if (!next.isBefore(until)) {
        return fires;
      }
      fires.add(next);
      t = next;
    }
  }

  private static Schedule schedule(String spec) {
    String[] parts = spec.trim().split("\\s+", 2);
    String rest = parts.length > 1 ? parts[1] : "";
    String[] args = rest.split("\\s+");
    return switch (parts[0]) {
      case "manual" -> new Schedule.Manual();
      case "hourly" -> new Schedule.Hourly();
      case "daily" -> new Schedule.Daily(LocalTime.parse(args[0]));
      case "weekly" -> new Schedule.Weekly(Integer.parseInt(args[0]), LocalTime.parse(args[1]));
      case "monthly" -> new Schedule.Monthly(Integer.parseInt(args[0]), LocalTime.parse(args[1]));
      case "cron" -> new Schedule.Cron(rest);
      default -> throw new IllegalArgumentException(spec);
    };
  }
}
