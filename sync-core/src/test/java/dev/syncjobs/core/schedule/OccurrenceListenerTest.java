package dev.syncjobs.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OccurrenceListenerTest {
  record Told(JobId job, Instant due, Instant firedAt, boolean skipped) {}

  final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T02:59:00Z"));
  final InMemoryRunRepository runs = new InMemoryRunRepository();
  final InMemoryJobRepository jobs = new InMemoryJobRepository(runs);
  final SchedulePlanner planner = new SchedulePlanner();

  @Test
  void the_listener_learns_each_fired_and_skipped_occurrence_with_its_due_time() {
    Job job =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "nightly",
                Source.parse("file:///srv/nightly"),
                new Destination("default", "nightly"))
            .schedule(new Schedule.Daily(LocalTime.of(3, 0)))
            .zone(ZoneId.of("UTC"))
            .misfirePolicy(MisfirePolicy.RUN_ONCE)
            .build()
            .withNextRunAt(Instant.parse("2026-11-23T03:00:00Z"));
    jobs.create(job);
    List<Told> told = new ArrayList<>();
    try (Scheduler scheduler =
        new Scheduler(
            jobs,
            planner,
            clock,
            UUID::randomUUID,
            Duration.ofMinutes(1),
            Duration.ofMillis(10),
            () -> {})) {
      scheduler.listen((j, due, at, skipped) -> told.add(new Told(j.id(), due, at, skipped)));

      assertThat(scheduler.fireDue()).isZero();
      clock.set(Instant.parse("2026-11-23T03:00:07Z"));
      assertThat(scheduler.fireDue()).isEqualTo(1);
      clock.set(Instant.parse("2026-11-24T03:00:02Z"));
      assertThat(scheduler.fireDue()).isEqualTo(1);
    }

    assertThat(told)
        .containsExactly(
            new Told(
                job.id(),
                Instant.parse("2026-11-23T03:00:00Z"),
                Instant.parse("2026-11-23T03:00:07Z"),
                false),
            new Told(
                job.id(),
                Instant.parse("2026-11-24T03:00:00Z"),
                Instant.parse("2026-11-24T03:00:02Z"),
                true));
  }

  @Test
  void a_listener_that_throws_stops_no_firing() {
    Job job =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "hourly",
                Source.parse("file:///srv/hourly"),
                new Destination("default", "hourly"))
            .schedule(new Schedule.Hourly())
            .build()
            .withNextRunAt(Instant.parse("2026-11-23T03:00:00Z"));
    jobs.create(job);
    try (Scheduler scheduler =
        new Scheduler(
            jobs,
            planner,
            clock,
            UUID::randomUUID,
            Duration.ofMinutes(1),
            Duration.ofMillis(10),
            () -> {})) {
      scheduler.listen(
          (j, due, at, skipped) -> {
            throw new IllegalStateException("broken monitoring");
          });
      clock.set(Instant.parse("2026-11-23T03:00:01Z"));
      assertThat(scheduler.fireDue()).isEqualTo(1);
    }
    assertThat(runs.findActive(job.id())).isPresent();
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt())
        .isEqualTo(Instant.parse("2026-11-23T04:00:00Z"));
  }
}
