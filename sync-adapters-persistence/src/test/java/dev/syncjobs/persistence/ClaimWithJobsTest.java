package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.RunRepository;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A claim that reads its runs' jobs (PostgreSQL) must not let one job it cannot read (here:
 * credentials sealed under another key) take the batch down with it: that run comes back without
 * its job, the others with theirs, and all of them are claimed exactly as a plain claim would.
 */
class ClaimWithJobsTest {
  private static final Instant T0 = Instant.parse("2026-11-28T03:00:00Z");

  @TempDir Path dir;

  /** SQLite claims on its one writer thread: the jobs are read elsewhere, by the caller. */
  @Test
  void sqlite_claims_every_run_and_reads_no_job_on_its_writer() {
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db"))) {
      JdbcJobRepository jobs = new JdbcJobRepository(db, null);
      JdbcRunRepository runs = new JdbcRunRepository(db, (byte[]) null);
      Job plain = job("plain", null);
      jobs.create(plain);
      runs.insert(
          Run.pending(new RunId(UUID.randomUUID()), plain.id(), Trigger.MANUAL, null, T0, 0));

      List<RunRepository.Claimed> claimed =
          runs.claim("me", T0.plusSeconds(1), T0.plusSeconds(31), 10);

      assertThat(claimed).singleElement().satisfies(c -> assertThat(c.job()).isNull());
      assertThat(jobs.find(plain.id()).orElseThrow().status())
          .isEqualTo(dev.syncjobs.core.model.JobStatus.RUNNING);
    }
  }

  @Test
  void postgresql_returns_every_readable_job_and_none_for_the_unreadable_one() {
    String schema = PostgresTestSupport.createSchema("claimjobs");
    try (Database db = PostgresTestSupport.open(schema, 4)) {
      check(db);
    } finally {
      PostgresTestSupport.dropSchema(schema);
    }
  }

  private static void check(Database db) {
    JdbcJobRepository sealing = new JdbcJobRepository(db, Database.newSecretKey());
    Job plain = job("plain", null);
    Job sealed =
        job("sealed", new SourceAuth(SourceAuth.Type.BASIC, "alice", "pw", null, null, null));
    Job other = job("other", null);
    for (Job j : List.of(plain, sealed, other)) {
      sealing.create(j);
    }
    // this instance holds another key: it cannot open the sealed job's credentials
    byte[] key = Database.newSecretKey();
    JdbcJobRepository jobs = new JdbcJobRepository(db, key);
    JdbcRunRepository runs = new JdbcRunRepository(db, key);
    int i = 0;
    for (Job j : List.of(plain, sealed, other)) {
      runs.insert(
          Run.pending(
              new RunId(UUID.randomUUID()), j.id(), Trigger.MANUAL, null, T0.plusMillis(i++), 0));
    }

    Map<JobId, RunRepository.Claimed> claimed =
        runs.claim("me", T0.plusSeconds(1), T0.plusSeconds(31), 10).stream()
            .collect(Collectors.toMap(c -> c.run().jobId(), Function.identity()));

    assertThat(claimed).containsOnlyKeys(plain.id(), sealed.id(), other.id());
    assertThat(claimed.get(plain.id()).job().name()).isEqualTo("plain");
    assertThat(claimed.get(other.id()).job().name()).isEqualTo("other");
    assertThat(claimed.get(sealed.id()).job()).isNull();
    assertThatThrownBy(() -> jobs.find(sealed.id()))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("wrong secret key");
    assertThat(runs.active()).hasSize(3).allMatch(r -> "me".equals(r.owner()));
  }

  private static Job job(String name, SourceAuth auth) {
    return Job.builder(
            new JobId(UUID.randomUUID()),
            name,
            Source.parse("https://example.org/" + name + "/"),
            new Destination("default", name))
        .schedule(new Schedule.Manual())
        .auth(auth)
        .createdAt(T0.minusSeconds(60))
        .build();
  }
}
