package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.Trigger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's outcome and the follow-up queued with it are one transaction: when the follow-up cannot
 * be written (here: it names a job that does not exist), the outcome is not written either, so the
 * run stays running and its expired lease brings it back, instead of ending without a follow-up.
 */
class CompletionWithFollowUpTest {
  private static final Instant T0 = Instant.parse("2026-12-03T03:00:00Z");

  @TempDir Path dir;

  @Test
  void sqlite_writes_neither_the_outcome_nor_a_follow_up_it_cannot_insert() {
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db"))) {
      check(db);
    }
  }

  @Test
  void postgresql_writes_neither_the_outcome_nor_a_follow_up_it_cannot_insert() {
    String schema = PostgresTestSupport.createSchema("followup");
    try (Database db = PostgresTestSupport.open(schema, 4)) {
      check(db);
    } finally {
      PostgresTestSupport.dropSchema(schema);
    }
  }

  private static void check(Database db) {
    JdbcJobRepository jobs = new JdbcJobRepository(db, null);
    JdbcRunRepository runs = new JdbcRunRepository(db, (byte[]) null);
    Job job = job();
    jobs.create(job);
    runs.insert(Run.pending(new RunId(UUID.randomUUID()), job.id(), Trigger.MANUAL, null, T0, 0));
    Run claimed = runs.claim("me", T0, T0.plusSeconds(30), 1).get(0).run();
    Run orphan =
        Run.pending(
            new RunId(UUID.randomUUID()),
            new JobId(UUID.randomUUID()),
            Trigger.RESUME,
            null,
            T0.plusSeconds(1),
            0);

    assertThatThrownBy(
            () ->
                runs.complete(
                    claimed.id(),
                    claimed.fence(),
                    RunOutcome.failed("interrupted"),
                    T0.plusSeconds(1),
                    orphan))
        .isInstanceOf(RuntimeException.class);

    assertThat(runs.find(claimed.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(runs.find(orphan.id())).isEmpty();
    assertThat(runs.expired(T0.plusSeconds(31))).extracting(Run::id).containsExactly(claimed.id());
  }

  private static Job job() {
    return Job.builder(
            new JobId(UUID.randomUUID()),
            "followed",
            Source.parse("https://example.org/followed/"),
            new Destination("default", "followed"))
        .schedule(new Schedule.Manual())
        .createdAt(T0.minusSeconds(60))
        .build();
  }
}
