package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.JobRepository.FireResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Firing on PostgreSQL while another instance holds a due job: the occurrence is that instance's to
 * fire, so this one leaves it out at once instead of queueing behind the other's commit.
 */
class PostgresFiringTest {
  private String schema;
  private Database db;
  private JdbcJobRepository jobs;
  private JdbcRunRepository runs;

  @BeforeEach
  void open() {
    schema = PostgresTestSupport.createSchema("firing");
    db = PostgresTestSupport.open(schema, 4);
    jobs = new JdbcJobRepository(db, null);
    runs = new JdbcRunRepository(db);
  }

  @AfterEach
  void drop() {
    // Without a server the assumption in open() stops before anything exists to close.
    if (db != null) {
      db.close();
      PostgresTestSupport.dropSchema(schema);
    }
  }

  @Test
  void a_job_another_transaction_holds_is_left_out_at_once_and_fires_once_released()
      throws Exception {
    Instant due = Instant.parse("2026-11-27T03:00:00Z");
    Job job =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "held",
                Source.parse("https://example.org/held/"),
                new Destination("default", "held"))
            .schedule(new Schedule.Cron("0 3 * * *"))
            .createdAt(due.minusSeconds(60))
            .build()
            .withNextRunAt(due);
    jobs.create(job);
    Instant next = due.plus(Duration.ofDays(1));

    Function<Job, JobRepository.Firing> plan =
        j -> new JobRepository.Firing(next, scheduled(j, due));

    try (Connection other = db.dataSource().getConnection()) {
      other.setAutoCommit(false);
      try (PreparedStatement ps =
          other.prepareStatement("SELECT id FROM jobs WHERE id = ? FOR UPDATE")) {
        ps.setObject(1, job.id().value());
        ps.executeQuery().close();
      }
      List<JobRepository.Fired> whileHeld =
          CompletableFuture.supplyAsync(() -> jobs.fireDue(due, 10, plan)).get(5, TimeUnit.SECONDS);
      assertThat(whileHeld).isEmpty();
      assertThat(runs.count(job.id())).isZero();
      other.rollback();
    }

    List<JobRepository.Fired> released = jobs.fireDue(due, 10, plan);
    assertThat(released)
        .singleElement()
        .extracting(JobRepository.Fired::result)
        .isEqualTo(FireResult.FIRED);
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt()).isEqualTo(next);
    assertThat(runs.count(job.id())).isEqualTo(1);
  }

  /**
   * Two instances firing a burst together divide it: while one holds its batch (its transaction
   * still open), the other's batch is made of the next due jobs, not the same ones lost.
   */
  @Test
  void instances_firing_together_take_different_due_jobs() throws Exception {
    Instant due = Instant.parse("2026-11-28T03:00:00Z");
    List<Job> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Job job =
          Job.builder(
                  new JobId(UUID.randomUUID()),
                  "burst-" + i,
                  Source.parse("https://example.org/burst/" + i + "/"),
                  new Destination("default", "burst/" + i))
              .schedule(new Schedule.Cron("0 3 * * *"))
              .createdAt(due.minusSeconds(60))
              .build()
              .withNextRunAt(due.plusMillis(i));
      jobs.create(job);
      all.add(job);
    }
    Instant now = due.plusSeconds(1);
    Instant next = due.plus(Duration.ofDays(1));
    Function<Job, JobRepository.Firing> plan =
        j -> new JobRepository.Firing(next, scheduled(j, j.nextRunAt()));
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<List<JobRepository.Fired>> first =
        CompletableFuture.supplyAsync(
            () ->
                jobs.fireDue(
                    now,
                    2,
                    j -> {
                      holding.countDown();
                      try {
                        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                      return plan.apply(j);
                    }));
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

    List<JobRepository.Fired> second =
        CompletableFuture.supplyAsync(() -> jobs.fireDue(now, 2, plan)).get(5, TimeUnit.SECONDS);
    release.countDown();

    assertThat(second)
        .extracting(f -> f.job().id(), JobRepository.Fired::result)
        .containsExactly(
            tuple(all.get(2).id(), FireResult.FIRED), tuple(all.get(3).id(), FireResult.FIRED));
    assertThat(first.get(10, TimeUnit.SECONDS))
        .extracting(f -> f.job().id(), JobRepository.Fired::result)
        .containsExactly(
            tuple(all.get(0).id(), FireResult.FIRED), tuple(all.get(1).id(), FireResult.FIRED));
    for (Job j : all) {
      assertThat(runs.count(j.id())).isEqualTo(1);
      assertThat(jobs.find(j.id()).orElseThrow().nextRunAt()).isEqualTo(next);
    }
  }

  private static Run scheduled(Job job, Instant due) {
    return Run.pending(new RunId(UUID.randomUUID()), job.id(), Trigger.SCHEDULE, due, due, 0);
  }
}
