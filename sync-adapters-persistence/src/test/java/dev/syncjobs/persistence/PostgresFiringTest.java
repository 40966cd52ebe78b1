package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.JobRepository.FireResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Firing on PostgreSQL while another instance holds a due job: the occurrence is that instance's to
 * fire, so this one counts it lost at once instead of queueing behind the other's commit.
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
    db.close();
    PostgresTestSupport.dropSchema(schema);
  }

  @Test
  void a_job_another_transaction_holds_is_lost_at_once_and_fires_once_released() throws Exception {
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

    try (Connection other = db.dataSource().getConnection()) {
      other.setAutoCommit(false);
      try (PreparedStatement ps =
          other.prepareStatement("SELECT id FROM jobs WHERE id = ? FOR UPDATE")) {
        ps.setObject(1, job.id().value());
        ps.executeQuery().close();
      }
      Run first = scheduled(job, due);
      FireResult whileHeld =
          CompletableFuture.supplyAsync(() -> jobs.fire(job.id(), due, next, first))
              .get(5, TimeUnit.SECONDS);
      assertThat(whileHeld).isEqualTo(FireResult.LOST);
      assertThat(runs.find(first.id())).isEmpty();
      other.rollback();
    }

    Run second = scheduled(job, due);
    assertThat(jobs.fire(job.id(), due, next, second)).isEqualTo(FireResult.FIRED);
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt()).isEqualTo(next);
    assertThat(runs.find(second.id())).isPresent();
  }

  private static Run scheduled(Job job, Instant due) {
    return Run.pending(new RunId(UUID.randomUUID()), job.id(), Trigger.SCHEDULE, due, due, 0);
  }
}
