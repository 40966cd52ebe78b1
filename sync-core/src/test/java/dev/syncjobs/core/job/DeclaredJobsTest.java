package dev.syncjobs.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.testing.EngineFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeclaredJobsTest {
  @TempDir Path tmp;
  EngineFixture fx;
  Source src;

  @BeforeEach
  void setUp() throws Exception {
    fx = new EngineFixture(tmp.resolve("fx"));
    src = Source.parse(Files.createDirectories(tmp.resolve("src")).toUri().toString());
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** As an application declares a job at each start: a fresh id every time. */
  private Job.Builder declared(String name) {
    return Job.builder(new JobId(UUID.randomUUID()), name, src, new Destination("default", name))
        .schedule(new Schedule.Daily(LocalTime.of(3, 0)))
        .zone(ZoneId.of("Europe/Berlin"));
  }

  @Test
  void find_by_name_ignores_case_and_is_empty_for_an_unknown_name() {
    Job job = fx.runtime.jobs().create(declared("Nightly").build());
    assertThat(fx.runtime.jobs().findByName("nightly")).contains(job);
    assertThat(fx.runtime.jobs().findByName("NIGHTLY").map(Job::id)).contains(job.id());
    assertThat(fx.runtime.jobs().findByName("weekly")).isEmpty();
  }

  @Test
  void ensure_creates_a_missing_job() {
    Job declared = declared("nightly").build();
    Job stored = fx.runtime.jobs().ensure(declared);
    assertThat(stored.id()).isEqualTo(declared.id());
    assertThat(stored.nextRunAt()).isNotNull();
    assertThat(fx.runtime.jobs().list()).containsExactly(stored);
  }

  @Test
  void ensure_of_an_equal_declaration_writes_nothing_and_plans_nothing_again() {
    Job first = fx.runtime.jobs().ensure(declared("nightly").build());
    fx.clock.advance(Duration.ofDays(3));
    Job again = fx.runtime.jobs().ensure(declared("nightly").build());
    assertThat(again).isEqualTo(first);
    assertThat(fx.runtime.jobs().get(first.id())).isEqualTo(first);
  }

  @Test
  void ensure_of_a_changed_declaration_updates_the_stored_job_and_keeps_its_id_and_history()
      throws Exception {
    Job first = fx.runtime.jobs().ensure(declared("nightly").build());
    Run run = fx.runAndWait(first);
    Job changed =
        fx.runtime
            .jobs()
            .ensure(
                declared("nightly")
                    .schedule(new Schedule.Hourly())
                    .options(JobOptions.DEFAULTS.withMaxRetries(5))
                    .build());
    assertThat(changed.id()).isEqualTo(first.id());
    assertThat(changed.schedule()).isEqualTo(new Schedule.Hourly());
    assertThat(changed.options().maxRetries()).isEqualTo(5);
    assertThat(changed.createdAt()).isEqualTo(first.createdAt());
    assertThat(changed.lastRunAt()).isNotNull();
    assertThat(fx.runtime.jobs().history(first.id(), 10, 0)).extracting(Run::id).contains(run.id());
    assertThat(fx.runtime.jobs().list()).hasSize(1);
  }

  @Test
  void ensure_validates_as_create_does() {
    fx.runtime.jobs().ensure(declared("one").build());
    assertThatThrownBy(
            () ->
                fx.runtime
                    .jobs()
                    .ensure(
                        Job.builder(
                                new JobId(UUID.randomUUID()),
                                "two",
                                src,
                                new Destination("default", "one/inner"))
                            .build()))
        .isInstanceOf(ConflictException.class)
        .extracting(e -> ((ConflictException) e).field())
        .isEqualTo("destination_path");
  }

  @Test
  void changed_fields_name_every_configuration_difference_by_its_api_name() {
    Job a = declared("nightly").build();
    assertThat(a.changedFields(a.toBuilder().build())).isEmpty();
    Job b =
        a.toBuilder()
            .destination(new Destination("other", "x"))
            .zone(ZoneId.of("UTC"))
            .include("*.iso")
            .options(JobOptions.DEFAULTS.withMaxRetries(7))
            .enabled(false)
            .build();
    assertThat(a.changedFields(b))
        .containsExactly(
            "destination_backend_id",
            "destination_path",
            "include_pattern",
            "timezone",
            "max_retries",
            "enabled");
  }
}
