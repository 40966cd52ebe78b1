package dev.syncjobs.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.memory.InMemorySettingsRepository;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.RateLimitedException;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.SourcePolicy;
import dev.syncjobs.core.schedule.SchedulePlanner;
import dev.syncjobs.core.testing.EngineFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncJobsTest {
  @TempDir Path tmp;
  EngineFixture fx;
  Path src;

  @BeforeEach
  void setUp() throws Exception {
    fx = new EngineFixture(tmp.resolve("fx"));
    src = Files.createDirectories(tmp.resolve("src"));
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private Job.Builder draft(String name, String dest) {
    return Job.builder(
        fx.runtime.jobs().newId(),
        name,
        Source.parse(src.toUri().toString()),
        new Destination("default", dest));
  }

  @Test
  void names_are_unique_ignoring_case() {
    fx.runtime.jobs().create(draft("Debian", "a").build());
    assertThatThrownBy(() -> fx.runtime.jobs().create(draft("debian", "b").build()))
        .isInstanceOf(ConflictException.class)
        .extracting(e -> ((ConflictException) e).field())
        .isEqualTo("name");
  }

  @Test
  void destinations_that_would_prune_each_other_are_a_conflict() {
    fx.runtime.jobs().create(draft("one", "mirrors/debian").build());
    for (String overlapping : new String[] {"mirrors/debian", "mirrors", "mirrors/debian/old"}) {
      assertThatThrownBy(() -> fx.runtime.jobs().create(draft("two", overlapping).build()))
          .isInstanceOf(ConflictException.class)
          .extracting(e -> ((ConflictException) e).field())
          .isEqualTo("destination_path");
    }
    fx.runtime.jobs().create(draft("three", "mirrors/debian-security").build());
  }

  @Test
  void unknown_backend_and_impossible_cron_are_validation_errors() {
    assertThatThrownBy(
            () ->
                fx.runtime
                    .jobs()
                    .create(
                        Job.builder(
                                fx.runtime.jobs().newId(),
                                "abc",
                                Source.parse("file:///srv"),
                                new Destination("nas", "x"))
                            .build()))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("destination_backend_id");
    assertThatThrownBy(
            () ->
                fx.runtime
                    .jobs()
                    .create(draft("abc", "x").schedule(new Schedule.Cron("0 0 30 2 *")).build()))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("cron_expression");
  }

  @Test
  void create_plans_the_next_occurrence_in_the_jobs_zone() {
    Job job =
        fx.runtime
            .jobs()
            .create(
                draft("nightly", "n")
                    .schedule(new Schedule.Daily(LocalTime.of(3, 0)))
                    .zone(ZoneId.of("Europe/Berlin"))
                    .build());
    assertThat(job.nextRunAt()).isEqualTo(Instant.parse("2026-11-24T02:00:00Z"));
    Job manual = fx.runtime.jobs().create(draft("manual", "m").build());
    assertThat(manual.nextRunAt()).isNull();
  }

  @Test
  void while_a_run_is_active_only_name_enabled_schedule_and_retries_may_change() {
    Job job = fx.runtime.jobs().create(draft("busy", "b").build());
    fx.runtime.jobs().runNow(job.id());
    Job renamed =
        draft("busy-renamed", "b")
            .schedule(new Schedule.Hourly())
            .options(JobOptions.DEFAULTS.withMaxRetries(5))
            .build();
    Job sameId =
        new Job(
            job.id(),
            renamed.name(),
            renamed.source(),
            null,
            null,
            renamed.destination(),
            null,
            null,
            null,
            renamed.schedule(),
            renamed.zone(),
            renamed.options(),
            false,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThat(fx.runtime.jobs().update(sameId).name()).isEqualTo("busy-renamed");

    Job moved =
        new Job(
            job.id(),
            "busy-renamed",
            job.source(),
            null,
            null,
            new Destination("default", "c"),
            null,
            null,
            null,
            job.schedule(),
            job.zone(),
            job.options(),
            true,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> fx.runtime.jobs().update(moved))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("destination_path");
  }

  @Test
  void manual_runs_are_rate_limited_per_job() throws Exception {
    try (EngineFixture limited = new EngineFixture(tmp.resolve("limited"))) {
      SyncJobs jobs =
          new SyncJobs(
              limited.runtime.jobRepository(),
              limited.runtime.runRepository(),
              limited.runtime.runLog(),
              limited.runtime.engine().backends(),
              new SchedulePlanner(),
              limited.runtime.worker(),
              limited.clock,
              java.util.UUID::randomUUID,
              Duration.ofSeconds(60),
              SourcePolicy.ALLOW_ALL,
              new InMemorySettingsRepository());
      Job job =
          jobs.create(
              Job.builder(
                      jobs.newId(),
                      "limited",
                      Source.parse(src.toUri().toString()),
                      new Destination("default", "l"))
                  .build());
      jobs.runNow(job.id());
      limited.runtime.awaitIdle(Duration.ofSeconds(10));
      limited.clock.advance(Duration.ofSeconds(20));
      assertThatThrownBy(() -> jobs.runNow(job.id()))
          .isInstanceOf(RateLimitedException.class)
          .extracting(e -> ((RateLimitedException) e).retryAfter())
          .isEqualTo(Duration.ofSeconds(40));
      limited.clock.advance(Duration.ofSeconds(40));
      assertThat(jobs.runNow(job.id())).isNotNull();
    }
  }

  @Test
  void cancel_without_an_active_run_is_a_conflict() {
    Job job = fx.runtime.jobs().create(draft("idle", "i").build());
    assertThatThrownBy(() -> fx.runtime.jobs().cancel(job.id()))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void history_paging_values_are_validated() {
    Job job = fx.runtime.jobs().create(draft("paged", "p").build());
    assertThatThrownBy(() -> fx.runtime.jobs().history(job.id(), 0, 0))
        .hasMessageContaining("limit");
    assertThatThrownBy(() -> fx.runtime.jobs().history(job.id(), 101, 0))
        .hasMessageContaining("limit");
    assertThatThrownBy(() -> fx.runtime.jobs().history(job.id(), 10, -1))
        .hasMessageContaining("offset");
  }
}
