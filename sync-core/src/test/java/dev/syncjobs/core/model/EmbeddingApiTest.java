package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.progress.ProgressBus;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The small conveniences an embedding application calls. */
class EmbeddingApiTest {
  private static final Instant CREATED = Instant.parse("2026-12-01T10:00:00Z");

  private static Job stored() {
    Job built =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "isos",
                Source.parse("https://mirror.example/isos/"),
                new Destination("default", "isos"))
            .schedule(new Schedule.Daily(LocalTime.of(3, 0)))
            .zone(ZoneId.of("Europe/Berlin"))
            .createdAt(CREATED)
            .build();
    // as a repository returns it after a run
    return new Job(
        built.id(),
        built.name(),
        built.source(),
        built.auth(),
        built.caBundle(),
        built.destination(),
        built.includePattern(),
        built.excludePattern(),
        built.filters(),
        built.schedule(),
        built.zone(),
        built.options(),
        built.enabled(),
        built.misfirePolicy(),
        JobStatus.SYNCED,
        CREATED.plusSeconds(3600),
        null,
        CREATED.plusSeconds(86_400),
        CREATED,
        CREATED.plusSeconds(60));
  }

  @Test
  void to_builder_changes_settings_and_keeps_the_jobs_identity_and_state() {
    Job job = stored();
    Job changed = job.toBuilder().schedule(new Schedule.Hourly()).enabled(false).build();
    assertThat(changed.schedule()).isEqualTo(new Schedule.Hourly());
    assertThat(changed.enabled()).isFalse();
    assertThat(changed)
        .usingRecursiveComparison()
        .ignoringFields("schedule", "enabled")
        .isEqualTo(job);
    assertThat(job.toBuilder().build()).isEqualTo(job);
  }

  @Test
  void to_builder_validates_like_the_constructor() {
    assertThatThrownBy(() -> stored().toBuilder().name("x").build())
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("name"));
  }

  @Test
  void credential_factories_fill_the_fields_of_their_kind() {
    assertThat(SourceAuth.basic("u", "p"))
        .isEqualTo(new SourceAuth(SourceAuth.Type.BASIC, "u", "p", null, null, null));
    assertThat(SourceAuth.bearer("t").token()).isEqualTo("t");
    assertThat(SourceAuth.rsync("u", "p").type()).isEqualTo(SourceAuth.Type.RSYNC);
    SourceAuth ssh = SourceAuth.ssh("backup", "-----BEGIN OPENSSH PRIVATE KEY-----", null);
    assertThat(ssh.type()).isEqualTo(SourceAuth.Type.SSH);
    assertThat(ssh.username()).isEqualTo("backup");
    assertThatThrownBy(() -> SourceAuth.bearer(""))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("source_auth.token"));
  }

  @Test
  void a_subscription_closes_without_checked_exceptions_and_stops_the_deliveries() {
    ProgressBus bus = new ProgressBus();
    List<ProgressEvent> seen = new ArrayList<>();
    Subscription s = bus.subscribe(seen::add);
    ProgressEvent event =
        new ProgressEvent(
            new JobId(UUID.randomUUID()),
            new RunId(UUID.randomUUID()),
            RunStatus.RUNNING,
            Progress.NONE,
            null);
    bus.publish(event);
    s.close();
    s.close();
    bus.publish(event);
    assertThat(seen).containsExactly(event);
  }

  @Test
  void a_successful_run_reads_one_hundred_percent_whatever_it_had_to_transfer() {
    JobId job = new JobId(UUID.randomUUID());
    RunId run = new RunId(UUID.randomUUID());
    Progress linkedMostly = new Progress(1, 4, 9, 200_021, null, 0);
    assertThat(new ProgressEvent(job, run, RunStatus.SUCCESS, linkedMostly, null).percent())
        .isEqualTo(100.0);
    assertThat(new ProgressEvent(job, run, RunStatus.RUNNING, linkedMostly, null).percent())
        .isLessThan(1.0);
    assertThat(new ProgressEvent(job, run, RunStatus.FAILED, linkedMostly, null).percent())
        .isLessThan(1.0);
  }
}
