package dev.syncjobs.core.port;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static dev.syncjobs.core.port.PortsUnderTest.manualRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuditLog} must do, with the repositories of its store: entries read back newest
 * first, filtered and paged; retention; and an entry pending in an {@link AuditScope} recorded with
 * its change exactly once, never for a change that failed. Subclass it per implementation.
 */
public abstract class AuditLogContract {

  /** The audit log under test and repositories of the same store. */
  public record Store(
      AuditLog audit, JobRepository jobs, RunRepository runs, SettingsRepository settings) {}

  protected AuditLog audit;
  protected JobRepository jobs;
  protected RunRepository runs;
  protected SettingsRepository settings;

  protected abstract Store openEmptyStore();

  @BeforeEach
  void open() {
    Store s = openEmptyStore();
    audit = s.audit();
    jobs = s.jobs();
    runs = s.runs();
    settings = s.settings();
  }

  private static AuditEntry entry(int second, String action, String type, String id) {
    return new AuditEntry(
        T0.plusSeconds(second),
        "admin",
        action,
        type,
        id,
        AuditEntry.details(Map.of("n", "" + second)));
  }

  private static AuditLog.Query all() {
    return new AuditLog.Query(null, null, 100, 0);
  }

  @Test
  void entries_read_back_newest_first_with_every_field() {
    audit.record(entry(1, "job.created", "job", "a"));
    audit.record(entry(3, "job.updated", "job", "a"));
    audit.record(entry(2, "run.triggered", "run", "r"));

    List<AuditEntry> found = audit.list(all());

    assertThat(found)
        .extracting(AuditEntry::action)
        .containsExactly("job.updated", "run.triggered", "job.created");
    assertThat(found.get(0)).isEqualTo(entry(3, "job.updated", "job", "a"));
    assertThat(audit.count(all())).isEqualTo(3);
  }

  @Test
  void entries_of_one_instant_read_back_last_recorded_first() {
    audit.record(entry(1, "job.created", "job", "a"));
    audit.record(entry(1, "job.updated", "job", "a"));
    audit.record(entry(1, "job.deleted", "job", "a"));

    assertThat(audit.list(all()))
        .extracting(AuditEntry::action)
        .containsExactly("job.deleted", "job.updated", "job.created");
  }

  @Test
  void filters_by_resource_type_and_id_and_pages_with_limit_and_offset() {
    for (int i = 0; i < 5; i++) {
      audit.record(entry(i, "job.updated", "job", i % 2 == 0 ? "even" : "odd"));
    }
    audit.record(entry(9, "run.triggered", "run", "even"));

    AuditLog.Query evenJobs = new AuditLog.Query("job", "even", 2, 1);
    assertThat(audit.list(evenJobs))
        .extracting(AuditEntry::at)
        .containsExactly(T0.plusSeconds(2), T0);
    assertThat(audit.count(evenJobs)).isEqualTo(3);
    assertThat(audit.count(new AuditLog.Query("run", null, 1, 0))).isEqualTo(1);
    assertThat(audit.count(new AuditLog.Query(null, "even", 1, 0))).isEqualTo(4);
  }

  @Test
  void deletes_entries_older_than_the_cutoff_in_batches() {
    for (int i = 0; i < 5; i++) {
      audit.record(entry(i, "job.updated", "job", "a"));
    }

    assertThat(audit.deleteBefore(T0.plusSeconds(3), 2)).isEqualTo(2);
    assertThat(audit.deleteBefore(T0.plusSeconds(3), 2)).isEqualTo(1);
    assertThat(audit.deleteBefore(T0.plusSeconds(3), 2)).isZero();
    assertThat(audit.list(all()))
        .extracting(AuditEntry::at)
        .containsExactly(T0.plusSeconds(4), T0.plusSeconds(3));
  }

  @Test
  void a_pending_entry_is_recorded_once_with_its_change() {
    Job j = job("audited", T0);
    AuditEntry created = entry(1, "job.created", "job", j.id().value().toString());

    AuditScope.run(
        audit,
        List.of(new AuditScope.Pending(created, true)),
        () -> {
          jobs.create(j);
          return j;
        },
        x -> null);

    assertThat(audit.list(all())).containsExactly(created);
  }

  @Test
  void a_change_that_fails_records_nothing() {
    Job j = job("audited", T0);
    jobs.create(j);
    AuditEntry created = entry(1, "job.created", "job", j.id().value().toString());

    assertThatThrownBy(
            () ->
                AuditScope.run(
                    audit,
                    List.of(new AuditScope.Pending(created, true)),
                    () -> {
                      jobs.create(job("AUDITED", T0));
                      return j;
                    },
                    x -> null))
        .isInstanceOf(ConflictException.class);

    assertThat(audit.list(all())).isEmpty();
  }

  @Test
  void a_new_run_names_itself_in_its_entry_and_other_writes_do_not_take_it() {
    Job j = job("audited", T0);
    jobs.create(j);
    AuditEntry triggered =
        new AuditEntry(T0, "admin", "run.triggered", "run", null, "{\"job_id\":\"x\"}");
    Run run = manualRun(j.id(), T0);

    AuditScope.run(
        audit,
        List.of(new AuditScope.Pending(triggered, true)),
        () -> {
          settings.grantManualRun(j.id(), T0, Duration.ofSeconds(60));
          settings.saveBandwidth(BandwidthSettings.NONE);
          runs.insert(run);
          return run;
        },
        r -> r.id().value().toString());

    assertThat(audit.list(all()))
        .containsExactly(triggered.withResourceId(run.id().value().toString()));
  }

  @Test
  void an_optional_entry_no_change_took_is_not_recorded() {
    AuditEntry completed = new AuditEntry(T0, "admin", "upload.completed", "upload", null, null);

    AuditScope.run(
        audit,
        List.of(new AuditScope.Pending(completed, false)),
        () -> {
          settings.saveBandwidth(BandwidthSettings.NONE);
          return null;
        },
        x -> null);

    assertThat(audit.list(all())).isEmpty();
  }
}
