package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.memory.InMemoryAuditLog;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.AuditLog;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HistoryRetentionTest {
  @Test
  void deletes_finished_runs_past_retention_in_bounded_batches_and_keeps_the_rest() {
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    InMemoryRunRepository runs = new InMemoryRunRepository();
    JobId job = new JobId(UUID.randomUUID());
    for (int i = 0; i < 25; i++) {
      runs.insert(
          Run.skipped(
              new RunId(UUID.randomUUID()), job, clock.instant().plusSeconds(i), clock.instant()));
    }
    clock.advance(Duration.ofDays(29));
    Run recent = Run.skipped(new RunId(UUID.randomUUID()), job, clock.instant(), clock.instant());
    runs.insert(recent);
    clock.advance(Duration.ofDays(2));

    HistoryRetention retention = new HistoryRetention(runs, clock, Duration.ofDays(30), 10);
    assertThat(retention.purgeOnce()).isEqualTo(10);
    assertThat(retention.purgeOnce()).isEqualTo(10);
    assertThat(retention.purgeOnce()).isEqualTo(5);
    assertThat(retention.purgeOnce()).isZero();
    assertThat(runs.history(job, 100, 0)).extracting(Run::id).containsExactly(recent.id());
  }

  @Test
  void deletes_audit_entries_past_retention_with_the_runs() {
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    InMemoryAuditLog audit = new InMemoryAuditLog();
    for (int i = 0; i < 3; i++) {
      audit.record(new AuditEntry(clock.instant(), "admin", "job.updated", "job", "j", null));
    }
    clock.advance(Duration.ofDays(29));
    AuditEntry recent = new AuditEntry(clock.instant(), "admin", "job.deleted", "job", "j", null);
    audit.record(recent);
    clock.advance(Duration.ofDays(2));

    HistoryRetention retention =
        new HistoryRetention(new InMemoryRunRepository(), audit, clock, Duration.ofDays(30), 2);
    assertThat(retention.purgeOnce()).isEqualTo(2);
    assertThat(retention.purgeOnce()).isEqualTo(1);
    assertThat(retention.purgeOnce()).isZero();
    assertThat(audit.list(new AuditLog.Query(null, null, 10, 0))).containsExactly(recent);
  }
}
