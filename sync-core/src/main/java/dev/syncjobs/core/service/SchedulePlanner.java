package dev.syncjobs.core.service;

import dev.syncjobs.core.model.Schedule;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/** TEMPORARY PLACEHOLDER (not committed). */
public final class SchedulePlanner {
  public Optional<Instant> next(Schedule schedule, ZoneId zone, Instant after) {
    if (schedule instanceof Schedule.Hourly) {
      return Optional.of(after.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plusSeconds(3600));
    }
    return Optional.empty();
  }

  public void validate(Schedule schedule) {}
}
