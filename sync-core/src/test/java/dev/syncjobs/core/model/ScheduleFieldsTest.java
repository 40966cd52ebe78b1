package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleFieldsTest {
  private static final LocalTime THREE = LocalTime.of(3, 0);

  @Test
  void every_kind_of_schedule_survives_the_flat_fields() {
    List<Schedule> all =
        List.of(
            new Schedule.Manual(),
            new Schedule.Hourly(),
            new Schedule.Daily(THREE),
            new Schedule.Weekly(6, THREE),
            new Schedule.Monthly(31, THREE),
            new Schedule.Cron("*/15 9-17 * * 1-5"));
    for (Schedule s : all) {
      ScheduleFields f = ScheduleFields.of(s);
      assertThat(f.kind()).isEqualTo(s.kind());
      assertThat(f.toSchedule()).isEqualTo(s);
    }
  }

  @Test
  void a_kind_uses_only_its_own_fields() {
    assertThat(ScheduleFields.of(new Schedule.Daily(THREE)))
        .isEqualTo(new ScheduleFields("daily", null, THREE, null));
    assertThat(ScheduleFields.of(new Schedule.Cron("0 3 * * *")))
        .isEqualTo(new ScheduleFields("cron", null, null, "0 3 * * *"));
  }

  @Test
  void missing_fields_are_named_time_first() {
    assertThat(new ScheduleFields("weekly", null, null, null).missing())
        .extracting(FieldError::field)
        .containsExactly("schedule_time", "schedule_day");
    assertThat(new ScheduleFields("monthly", 5, THREE, null).missing()).isEmpty();
    assertThatThrownBy(() -> new ScheduleFields("monthly", null, THREE, null).toSchedule())
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.errors())
                    .containsExactly(
                        new FieldError("schedule_day", "is required for monthly (1..31)")));
  }

  @Test
  void an_unknown_kind_names_the_schedule_field() {
    assertThatThrownBy(() -> new ScheduleFields("yearly", null, null, null).toSchedule())
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("schedule"));
  }
}
