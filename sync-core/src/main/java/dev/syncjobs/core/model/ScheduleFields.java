package dev.syncjobs.core.model;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A schedule as the flat fields the API and the database store it in: its kind, and the day, time
 * or cron expression that kind uses (the others null). The one mapping between the two shapes.
 */
public record ScheduleFields(String kind, Integer day, LocalTime time, String cron) {

  /** The flat fields of {@code schedule}. */
  public static ScheduleFields of(Schedule schedule) {
    if (schedule instanceof Schedule.Daily d) {
      return new ScheduleFields(d.kind(), null, d.time(), null);
    }
    if (schedule instanceof Schedule.Weekly w) {
      return new ScheduleFields(w.kind(), w.day(), w.time(), null);
    }
    if (schedule instanceof Schedule.Monthly m) {
      return new ScheduleFields(m.kind(), m.day(), m.time(), null);
    }
    if (schedule instanceof Schedule.Cron c) {
      return new ScheduleFields(c.kind(), null, null, c.expression());
    }
    return new ScheduleFields(schedule.kind(), null, null, null);
  }

  /** The fields this kind needs and lacks, time first. */
  public List<FieldError> missing() {
    String k = kind == null ? "" : kind;
    List<FieldError> errors = new ArrayList<>();
    boolean timed = k.equals("daily") || k.equals("weekly") || k.equals("monthly");
    if (timed && time == null) {
      errors.add(new FieldError("schedule_time", "is required (HH:MM) for " + k));
    }
    if (k.equals("weekly") && day == null) {
      errors.add(new FieldError("schedule_day", "is required for weekly (0..6, 0 = Monday)"));
    } else if (k.equals("monthly") && day == null) {
      errors.add(new FieldError("schedule_day", "is required for monthly (1..31)"));
    }
    return errors;
  }

  /**
   * The schedule these fields describe; a {@link ValidationException} naming every missing or bad
   * field ({@code schedule}, {@code schedule_day}, {@code schedule_time}, {@code cron_expression}).
   */
  public Schedule toSchedule() {
    List<FieldError> errors = missing();
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    String k = kind == null ? "" : kind;
    return switch (k) {
      case "manual" -> new Schedule.Manual();
      case "hourly" -> new Schedule.Hourly();
      case "daily" -> new Schedule.Daily(time);
      case "weekly" -> new Schedule.Weekly(day, time);
      case "monthly" -> new Schedule.Monthly(day, time);
      case "cron" -> new Schedule.Cron(cron);
      default ->
          throw new ValidationException(
              "schedule", "must be manual, hourly, daily, weekly, monthly or cron");
    };
  }
}
