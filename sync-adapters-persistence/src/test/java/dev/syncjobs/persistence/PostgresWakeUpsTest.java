package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.testing.Await;
import dev.syncjobs.core.version.StorageBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one PostgreSQL schema whose worker and scheduler poll only every 30 seconds:
 * instance A only writes (like an instance serving the API whose worker is busy), instance B
 * executes, woken by A's NOTIFY. Everything B does within a second is the wake-up's doing.
 */
class PostgresWakeUpsTest {
  private static final Duration POLL = Duration.ofSeconds(30);
  private static final Duration BOUND = Duration.ofSeconds(1);

  @TempDir Path root;
  private String schema;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private SyncRuntime a;
  private SyncRuntime b;
  private JdbcRunRepository observer;
  private Path source;

  @BeforeEach
  void startTwoInstances() throws Exception {
    schema = PostgresTestSupport.createSchema("wakeups");
    Path storage = root.resolve("storage");
    StorageBackends.initialiseOwnRoot(new StorageBackend("default", storage));
    source = Files.createDirectories(root.resolve("source"));
    Files.writeString(source.resolve("file.txt"), "content");
    byte[] key = Database.newSecretKey();
    a = runtime(open(), key, "node-a", storage);
    Database dbB = open();
    b = runtime(dbB, key, "node-b", storage);
    b.start();
    closing.add(PostgresWakeUps.start(dbB, b.worker()::wakeUp, b.scheduler()::wakeUp));
    observer = new JdbcRunRepository(open());
    Await.until("B's first tick", Duration.ofSeconds(10), () -> b.scheduler().lastTick() != null);
  }

  private Database open() {
    Database db = PostgresTestSupport.open(schema, 4);
    closing.add(db);
    return db;
  }

  private SyncRuntime runtime(Database db, byte[] key, String id, Path storage) {
    SyncRuntime runtime =
        SyncRuntime.builder()
            .repositories(new JdbcJobRepository(db, key), new JdbcRunRepository(db))
            .runLog(new JdbcRunLog(db))
            .backend(new StorageBackend("default", storage))
            .workerSettings(new RunWorker.Settings(id, 3, Duration.ofSeconds(30), POLL, POLL))
            .schedulerPollInterval(POLL)
            .build();
    closing.add(0, runtime);
    return runtime;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    PostgresTestSupport.dropSchema(schema);
  }

  private Job job(String name, Schedule schedule) {
    return Job.builder(
            a.jobs().newId(),
            name,
            Source.parse(source.toUri().toString()),
            new Destination("default", name))
        .schedule(schedule)
        .build();
  }

  @Test
  void a_manual_run_created_on_one_instance_is_claimed_by_the_other_long_before_its_poll() {
    Job job = a.jobs().create(job("manual", new Schedule.Manual()));
    List<Long> latenciesMillis = new ArrayList<>();

    for (int i = 0; i < 10; i++) {
      long created = System.nanoTime();
      Run run = a.jobs().runNow(job.id());
      Await.until(
          "the claim of run " + i,
          Duration.ofSeconds(10),
          () -> observer.find(run.id()).orElseThrow().status() != RunStatus.PENDING);
      latenciesMillis.add((System.nanoTime() - created) / 1_000_000);
      Await.until(
          "the end of run " + i,
          Duration.ofSeconds(10),
          () -> observer.find(run.id()).orElseThrow().status() == RunStatus.SUCCESS);
      assertThat(observer.find(run.id()).orElseThrow().owner()).isEqualTo("node-b");
    }

    System.out.println("manual run created on A to claimed by B, ms: " + latenciesMillis);
    assertThat(latenciesMillis).allSatisfy(ms -> assertThat(ms).isLessThan(BOUND.toMillis()));
  }

  @Test
  void a_job_created_on_one_instance_is_fired_on_time_by_the_other() {
    Instant due = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusMillis(300);
    Job job = job("scheduled", new Schedule.Daily(LocalTime.of(3, 0))).withNextRunAt(due);

    a.jobRepository().create(job);

    Await.until(
        "the occurrence to fire",
        Duration.ofSeconds(10),
        () -> !observer.history(job.id(), 10, 0).isEmpty());
    Instant fired = Instant.now();
    Run run = observer.history(job.id(), 10, 0).get(0);
    assertThat(run.trigger()).isEqualTo(Trigger.SCHEDULE);
    assertThat(run.scheduledFor()).isEqualTo(due);
    System.out.println(
        "occurrence due to fired by B, ms: " + Duration.between(due, fired).toMillis());
    assertThat(Duration.between(due, fired)).isLessThan(BOUND);
  }
}
