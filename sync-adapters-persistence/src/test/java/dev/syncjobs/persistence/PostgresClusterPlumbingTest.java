package dev.syncjobs.persistence;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static dev.syncjobs.core.port.PortsUnderTest.manualRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What cluster mode adds on PostgreSQL: NOTIFY delivery, the database clock, shared migrations. */
class PostgresClusterPlumbingTest {
  private String schema;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void createSchema() {
    schema = PostgresTestSupport.createSchema("plumbing");
  }

  @AfterEach
  void dropSchema() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    PostgresTestSupport.dropSchema(schema);
  }

  private Database open() {
    Database db = PostgresTestSupport.open(schema, 4);
    toClose.add(db);
    return db;
  }

  private PostgresProgressPublisher publisher(Database db, String id, List<ProgressEvent> sink) {
    PostgresProgressPublisher p = PostgresProgressPublisher.start(db, id, sink::add);
    toClose.add(p);
    return p;
  }

  @Test
  void three_instances_migrating_at_once_end_with_one_schema() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Database>> opened = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        opened.add(pool.submit(this::open));
      }
      for (Future<Database> f : opened) {
        assertThat(f.get(120, TimeUnit.SECONDS).isPostgres()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = open().dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(SqliteDatabaseTest.migrations("postgresql"));
    }
  }

  @Test
  void progress_reaches_every_other_instance_once_but_not_the_publisher_itself() {
    List<ProgressEvent> seenByA = new CopyOnWriteArrayList<>();
    List<ProgressEvent> seenByB = new CopyOnWriteArrayList<>();
    List<ProgressEvent> seenByC = new CopyOnWriteArrayList<>();
    PostgresProgressPublisher onA = publisher(open(), "node-a", seenByA);
    publisher(open(), "node-b", seenByB);
    PostgresProgressPublisher onC = publisher(open(), "node-c", seenByC);
    JobId job = new JobId(UUID.randomUUID());
    RunId run = new RunId(UUID.randomUUID());
    ProgressEvent running =
        new ProgressEvent(
            job,
            run,
            RunStatus.RUNNING,
            new Progress(1, 3, 10, 30, "dir with spaces/\tt\u00e4b\nnewline.txt", 5),
            null);
    ProgressEvent done =
        new ProgressEvent(job, run, RunStatus.FAILED, Progress.NONE, "disk full: 100% used");
    ProgressEvent fromC = new ProgressEvent(job, run, RunStatus.CANCELLED, Progress.NONE, null);

    onA.publish(running);
    onA.publish(done);
    onC.publish(fromC);

    await(() -> seenByB.size() >= 3 && seenByC.size() >= 2, "events to reach the others");
    await(() -> seenByA.size() >= 1, "node-c's event to reach node-a");
    assertThat(seenByB).containsExactlyInAnyOrder(running, done, fromC);
    assertThat(seenByB).containsSubsequence(running, done);
    assertThat(seenByC).containsExactly(running, done);
    assertThat(seenByA).containsExactly(fromC);
  }

  @Test
  void an_event_with_a_very_long_file_name_still_fits_a_notification() {
    List<ProgressEvent> seenByB = new CopyOnWriteArrayList<>();
    PostgresProgressPublisher onA = publisher(open(), "node-a", new CopyOnWriteArrayList<>());
    publisher(open(), "node-b", seenByB);
    String longName = "\u6587\u4ef6".repeat(2_000) + ".bin";
    ProgressEvent event =
        new ProgressEvent(
            new JobId(UUID.randomUUID()),
            new RunId(UUID.randomUUID()),
            RunStatus.FAILED,
            new Progress(1, 2, 3, 4, longName, 5),
            "\u00e9".repeat(5_000));

    onA.publish(event);

    await(() -> !seenByB.isEmpty(), "the event to arrive");
    ProgressEvent received = seenByB.get(0);
    assertThat(received.status()).isEqualTo(RunStatus.FAILED);
    assertThat(received.progress().currentFile()).startsWith("\u6587\u4ef6").endsWith("...");
    assertThat(longName).startsWith(received.progress().currentFile().replace("...", ""));
    assertThat(received.error()).startsWith("\u00e9\u00e9").endsWith("...");
  }

  @Test
  void the_listener_reconnects_after_its_connection_is_killed() throws Exception {
    List<ProgressEvent> seenByB = new CopyOnWriteArrayList<>();
    Database a = open();
    PostgresProgressPublisher onA = publisher(a, "node-a", new CopyOnWriteArrayList<>());
    publisher(open(), "node-b", seenByB);
    try (Connection c = a.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE"
                    + " application_name = '"
                    + PostgresListener.APPLICATION_NAME
                    + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(2);
    }
    JobId job = new JobId(UUID.randomUUID());
    RunId run = new RunId(UUID.randomUUID());

    Await.until(
        "node-b's listener to reconnect and receive again",
        Duration.ofSeconds(20),
        () -> {
          onA.publish(new ProgressEvent(job, run, RunStatus.RUNNING, Progress.NONE, null));
          return !seenByB.isEmpty();
        });
    assertThat(seenByB).allMatch(e -> e.runId().equals(run));
  }

  @Test
  void a_cancel_request_made_on_one_instance_reaches_the_owner_on_another() {
    Database a = open();
    Database b = open();
    List<RunId> cancelsSeenByOwner = new CopyOnWriteArrayList<>();
    publisher(b, "owner", new CopyOnWriteArrayList<>()).onCancelRequested(cancelsSeenByOwner::add);
    JdbcJobRepository jobs = new JdbcJobRepository(a, null);
    JdbcRunRepository runsOnA = new JdbcRunRepository(a);
    JdbcRunRepository runsOnB = new JdbcRunRepository(b);
    Job j = job("remote-cancel", null);
    jobs.create(j);
    Run run = manualRun(j.id(), T0);
    runsOnA.insert(run);
    Run claimed = runsOnB.claim("owner", T0, T0.plusSeconds(30), 1).get(0).run();

    assertThat(runsOnA.requestCancel(run.id(), T0.plusSeconds(1))).isTrue();

    assertThat(runsOnA.requestCancel(run.id(), T0.plusSeconds(2))).isTrue();
    Job other = job("second-cancel", null);
    jobs.create(other);
    Run otherRun = manualRun(other.id(), T0);
    runsOnA.insert(otherRun);
    runsOnB.claim("owner", T0, T0.plusSeconds(30), 1).get(0).run();
    runsOnA.requestCancel(otherRun.id(), T0.plusSeconds(3));

    await(() -> cancelsSeenByOwner.size() >= 2, "the cancel requests to reach the owner");
    assertThat(cancelsSeenByOwner).containsExactly(run.id(), otherRun.id());
    assertThat(runsOnB.renewLease(run.id(), claimed.fence(), T0.plusSeconds(60)))
        .isEqualTo(dev.syncjobs.core.port.RunRepository.LeaseState.CANCEL_REQUESTED);
  }

  @Test
  void instances_with_skewed_clocks_agree_on_the_database_time() {
    Database db = open();
    Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(90));
    Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-45));
    DatabaseClock onA = new DatabaseClock(db, Duration.ofMinutes(10), ahead);
    DatabaseClock onB = new DatabaseClock(db, Duration.ofMinutes(10), behind);

    Instant a = onA.instant();
    Instant b = onB.instant();

    assertThat(Duration.between(a, b).abs()).isLessThan(Duration.ofSeconds(1));
    assertThat(onA.offset()).isCloseTo(Duration.ofMinutes(-90), Duration.ofSeconds(5));
    assertThat(onB.offset()).isCloseTo(Duration.ofMinutes(45), Duration.ofSeconds(5));
  }

  @Test
  void the_database_clock_follows_the_servers_clock() throws Exception {
    Database db = open();
    DatabaseClock clock = new DatabaseClock(db, Duration.ofMillis(1));
    Instant server;
    Instant before = clock.instant();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      server = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
    }
    Instant after = clock.instant();

    assertThat(server).isBetween(before.minusMillis(50), after.plusMillis(50));
    assertThat(clock.offset().abs()).isLessThan(Duration.ofSeconds(5));
    assertThat(db.clock()).isInstanceOf(DatabaseClock.class);
  }

  @Test
  void a_run_of_a_missing_job_and_a_log_of_a_missing_run_are_not_found() {
    SqliteDatabaseTest.assertMissingReferencesAreNotFound(open());
  }

  private static void await(BooleanSupplier condition, String what) {
    Await.until(what, Duration.ofSeconds(10), condition);
  }
}
