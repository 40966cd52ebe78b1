package dev.syncjobs.core.port;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.Trigger;
import java.time.Instant;
import java.time.LocalTime;
import java.util.UUID;

/**
 * The repositories a contract test exercises, sharing one empty store (runs belong to jobs, logs to
 * runs), plus the sample data the contracts build on.
 */
public record PortsUnderTest(JobRepository jobs, RunRepository runs, RunLog log) {

  /** A fixed instant the contracts count from (whole milliseconds: every store keeps them). */
  public static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /** A daily job named {@code name} with nothing optional set, next due at {@code nextRunAt}. */
  public static Job job(String name, Instant nextRunAt) {
    return Job.builder(
            new JobId(UUID.randomUUID()),
            name,
            Source.parse("https://mirror.example.org/pub/" + name + "/"),
            new Destination("default", "mirrors/" + name))
        .schedule(new Schedule.Daily(LocalTime.of(3, 0)))
        .createdAt(T0)
        .build()
        .withNextRunAt(nextRunAt);
  }

  /** A pending manual run of {@code job} created at {@code now}. */
  public static Run manualRun(JobId job, Instant now) {
    return Run.pending(new RunId(UUID.randomUUID()), job, Trigger.MANUAL, null, now, 0);
  }

  /** A pending scheduled run of {@code job} for the occurrence {@code scheduledFor}. */
  public static Run scheduledRun(JobId job, Instant scheduledFor, Instant now) {
    return Run.pending(new RunId(UUID.randomUUID()), job, Trigger.SCHEDULE, scheduledFor, now, 0);
  }
}
