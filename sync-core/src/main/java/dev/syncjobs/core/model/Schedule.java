package dev.syncjobs.core.model;

import java.time.LocalTime;

/**
 * When a job fires on its own. Times are wall-clock times in the job's zone; {@code
 * dev.syncjobs.core.schedule.SchedulePlanner} turns a schedule into instants, including the
 * daylight-saving rules of the API.
 */
public sealed interface Schedule
    permits Schedule.Manual,
        Schedule.Hourly,
        Schedule.Daily,
        Schedule.Weekly,
        Schedule.Monthly,
        Schedule.Cron {

  /** The API's name of the schedule kind: manual, hourly, daily, weekly, monthly or cron. */
  String kind();

  /** Never fires on its own; runs are started by hand. */
  record Manual() implements Schedule {
    public String kind() {
      return "manual";
    }
  }

  /** Minute 0 of every hour. */
  record Hourly() implements Schedule {
    public String kind() {
      return "hourly";
    }
  }

  /** Every day at {@code time}. */
  record Daily(LocalTime time) implements Schedule {
    public Daily {
      requireTime(time);
    }

    public String kind() {
      return "daily";
    }
  }

  /** Every week on {@code day} (0 = Monday .. 6 = Sunday) at {@code time}. */
  record Weekly(int day, LocalTime time) implements Schedule {
    public Weekly {
      requireDay(day, 0, 6, " (0 = Monday) for weekly");
      requireTime(time);
    }

    public String kind() {
      return "weekly";
    }
  }

  /** Every month on {@code day} (1..31; a shorter month fires on its last day) at {@code time}. */
  record Monthly(int day, LocalTime time) implements Schedule {
    public Monthly {
      requireDay(day, 1, 31, " for monthly");
      requireTime(time);
    }

    public String kind() {
      return "monthly";
    }
  }

  /**
   * A five-field cron expression (minute hour day-of-month month day-of-week) with Vixie cron
   * semantics. Validity (including "can never fire") is checked by the planner.
   */
  record Cron(String expression) implements Schedule {
    public Cron {
      if (expression == null || expression.isBlank()) {
        throw new ValidationException("cron_expression", "is required for a cron schedule");
      }
      expression = expression.trim();
    }

    public String kind() {
      return "cron";
    }
  }

  /** A weekly or monthly schedule's day, from {@code first} to {@code last}. */
  private static void requireDay(int day, int first, int last, String which) {
    if (day < first || day > last) {
      throw new ValidationException("schedule_day", "must be " + first + ".." + last + which);
    }
  }

  private static void requireTime(LocalTime time) {
    if (time == null) {
      throw new ValidationException("schedule_time", "is required (HH:MM)");
    }
  }
}
