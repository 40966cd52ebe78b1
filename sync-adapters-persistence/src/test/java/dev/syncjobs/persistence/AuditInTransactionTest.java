package dev.syncjobs.persistence;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.port.AuditLog;
import dev.syncjobs.core.port.AuditScope;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDBC stores write a pending entry in the transaction of their change, not afterwards. */
class AuditInTransactionTest {
  @TempDir Path dir;
  private Database db;
  private JdbcAuditLog audit;
  private JdbcJobRepository jobs;

  /** Fails the test if the scope had to record an entry itself. */
  private static final AuditLog NOT_CALLED =
      new AuditLog() {
        @Override
        public void record(AuditEntry entry) {
          throw new AssertionError("the store did not take " + entry.action());
        }

        @Override
        public List<AuditEntry> list(Query query) {
          return List.of();
        }

        @Override
        public long count(Query query) {
          return 0;
        }

        @Override
        public int deleteBefore(Instant cutoff, int batch) {
          return 0;
        }
      };

  @BeforeEach
  void open() {
    db = Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db"));
    audit = new JdbcAuditLog(db);
    jobs = new JdbcJobRepository(db, Database.newSecretKey());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static AuditEntry entry(String action, Job j) {
    return new AuditEntry(T0, "admin", action, "job", j.id().value().toString(), "{}");
  }

  private void inScope(AuditEntry e, Runnable change) {
    Supplier<Object> s =
        () -> {
          change.run();
          return null;
        };
    AuditScope.run(NOT_CALLED, List.of(new AuditScope.Pending(e, true)), s, x -> null);
  }

  private List<String> actions() {
    return audit.list(new AuditLog.Query(null, null, 100, 0)).stream()
        .map(AuditEntry::action)
        .toList();
  }

  @Test
  void create_update_and_delete_write_their_entries_themselves() {
    Job j = job("audited", T0);
    inScope(entry("job.created", j), () -> jobs.create(j));
    inScope(entry("job.updated", j), () -> jobs.update(j));
    inScope(entry("job.deleted", j), () -> jobs.delete(j.id()));

    assertThat(actions()).containsExactly("job.deleted", "job.updated", "job.created");
  }

  @Test
  void an_update_the_database_refuses_leaves_no_entry() {
    Job a = job("first", T0);
    Job b = job("second", T0);
    jobs.create(a);
    jobs.create(b);
    Job renamed = b.toBuilder().name("FIRST").build();

    assertThatThrownBy(() -> inScope(entry("job.updated", b), () -> jobs.update(renamed)))
        .isInstanceOf(ConflictException.class);
    Job gone = job("gone", T0);
    assertThatThrownBy(() -> inScope(entry("job.updated", gone), () -> jobs.update(gone)))
        .isInstanceOf(NotFoundException.class);

    assertThat(actions()).isEmpty();
  }
}
