package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.testing.HttpInNameOnly;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs declared in code ({@code jobs().ensure}) on the real databases: idempotent across restarts
 * (what a declaration reads back from the database equals what it declared), and across two
 * instances racing to create one job.
 */
class DeclaredJobsTest {

  abstract static class Scenarios {
    @TempDir Path tmp;
    final byte[] key = Database.newSecretKey();
    final List<AutoCloseable> closing = new ArrayList<>();

    /** A new connection pool on the test's database (the same database at each call). */
    abstract Database database();

    @AfterEach
    void closeAll() throws Exception {
      for (AutoCloseable c : closing) {
        c.close();
      }
    }

    SyncRuntime runtime(Database db, JobRepository jobs) {
      SyncRuntime runtime =
          SyncRuntime.builder()
              .repositories(jobs, new JdbcRunRepository(db, key))
              .runLog(new JdbcRunLog(db))
              .backend(new StorageBackend("default", tmp.resolve("storage")).adopt())
              .transfer(new HttpInNameOnly())
              .build();
      closing.add(0, runtime);
      return runtime;
    }

    Database opened() {
      Database db = database();
      closing.add(db);
      return db;
    }

    /**
     * A second instance that read before the other's insert committed: it saw neither the name nor
     * the job.
     */
    SyncRuntime staleLoser() {
      Database db = opened();
      return runtime(db, new StaleFirstReads(new JdbcJobRepository(db, key)));
    }

    SyncRuntime runtime(Database db) {
      return runtime(db, new JdbcJobRepository(db, key));
    }

    /** What an application declares at each start: a fresh id each time. */
    static List<Job> declarations() {
      return List.of(
          Job.builder(
                  new JobId(UUID.randomUUID()),
                  "isos",
                  Source.parse("https://127.0.0.1:9/isos/"),
                  new Destination("default", "isos"))
              .auth(SourceAuth.basic("mirror", "s3cret"))
              .filters(List.of(new FilterRule(false, "*.tmp"), new FilterRule(true, "*.iso")))
              .exclude("*.part")
              .schedule(new Schedule.Daily(LocalTime.of(3, 0)))
              .zone(ZoneId.of("Europe/Berlin"))
              .options(JobOptions.DEFAULTS.withMaxRetries(4))
              .misfirePolicy(MisfirePolicy.SKIP)
              .build(),
          Job.builder(
                  new JobId(UUID.randomUUID()),
                  "manual",
                  Source.parse("https://127.0.0.1:9/file.bin"),
                  new Destination("default", "manual"))
              .build());
    }

    @Test
    void ensure_after_a_restart_finds_every_declared_job_unchanged() {
      Database first = database();
      closing.add(first);
      List<Job> created = new ArrayList<>();
      try (SyncRuntime sync = runtime(first)) {
        for (Job declared : declarations()) {
          created.add(sync.jobs().ensure(declared));
        }
      }
      closing.remove(first);
      first.close();

      Database second = database();
      closing.add(second);
      SyncRuntime restarted = runtime(second);
      for (int i = 0; i < created.size(); i++) {
        Job again = restarted.jobs().ensure(declarations().get(i));
        assertThat(again.id()).isEqualTo(created.get(i).id());
        assertThat(again.updatedAt()).isEqualTo(created.get(i).updatedAt());
        assertThat(again.nextRunAt()).isEqualTo(created.get(i).nextRunAt());
        assertThat(again.changedFields(declarations().get(i))).isEmpty();
      }
      assertThat(restarted.jobs().list()).hasSize(2);

      Job changed =
          restarted
              .jobs()
              .ensure(declarations().get(0).toBuilder().schedule(new Schedule.Hourly()).build());
      assertThat(changed.id()).isEqualTo(created.get(0).id());
      assertThat(restarted.jobs().get(changed.id()).schedule()).isEqualTo(new Schedule.Hourly());
    }

    @Test
    void the_loser_of_a_create_race_caught_by_the_unique_name_ends_with_the_winners_row() {
      SyncRuntime winner = runtime(opened());
      SyncRuntime loser = staleLoser();
      Job declared = declarations().get(0);

      Job won = winner.jobs().ensure(declared);
      Job lost = loser.jobs().ensure(declarations().get(0));

      assertThat(lost.id()).isEqualTo(won.id());
      assertThat(lost.updatedAt()).isEqualTo(won.updatedAt());
      assertThat(winner.jobs().list()).extracting(Job::id).containsExactly(won.id());
    }

    @Test
    void a_loser_whose_declaration_differs_updates_the_winners_row() {
      SyncRuntime winner = runtime(opened());
      SyncRuntime loser = staleLoser();

      Job won = winner.jobs().ensure(declarations().get(0));
      Job lost =
          loser
              .jobs()
              .ensure(declarations().get(0).toBuilder().schedule(new Schedule.Hourly()).build());

      assertThat(lost.id()).isEqualTo(won.id());
      assertThat(winner.jobs().get(won.id()).schedule()).isEqualTo(new Schedule.Hourly());
      assertThat(winner.jobs().list()).hasSize(1);
    }
  }

  @Nested
  class Sqlite extends Scenarios {
    @Override
    Database database() {
      return Database.open("jdbc:sqlite:" + tmp.resolve("syncjobs.db"));
    }
  }

  @Nested
  class Postgres extends Scenarios {
    private String schema;

    @Override
    Database database() {
      if (schema == null) {
        schema = PostgresTestSupport.createSchema("declared");
      }
      return PostgresTestSupport.open(schema, 4);
    }

    @Override
    void closeAll() throws Exception {
      super.closeAll();
      PostgresTestSupport.dropSchema(schema);
    }

    @Test
    void two_instances_ensuring_the_same_jobs_at_once_end_with_one_row_each_and_no_error()
        throws Exception {
      SyncRuntime[] instances = {runtime(opened()), runtime(opened())};
      CyclicBarrier start = new CyclicBarrier(2);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 20; round++) {
          String name = "job-" + round;
          List<Future<Job>> results = new ArrayList<>();
          for (SyncRuntime instance : instances) {
            results.add(
                pool.submit(
                    () -> {
                      start.await();
                      return instance
                          .jobs()
                          .ensure(
                              Job.builder(
                                      new JobId(UUID.randomUUID()),
                                      name,
                                      Source.parse("https://127.0.0.1:9/" + name + "/"),
                                      new Destination("default", name))
                                  .schedule(new Schedule.Hourly())
                                  .build());
                    }));
          }
          assertThat(results.get(0).get().id()).isEqualTo(results.get(1).get().id());
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(instances[0].jobs().list()).hasSize(20);
    }
  }
}
