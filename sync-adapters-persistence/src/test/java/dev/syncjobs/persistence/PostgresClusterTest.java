package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.testing.Await;
import dev.syncjobs.core.version.StorageBackends;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three engine instances (each with its own connection pool, worker and scheduler) on one
 * PostgreSQL schema, sharing one storage directory and one settable clock (the database clock in
 * production). Leases are 2 seconds.
 */
class PostgresClusterTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Instant START = Instant.parse("2026-11-23T03:00:30Z");
  private static final Instant MINUTE_0 = Instant.parse("2026-11-23T03:00:00Z");

  @TempDir Path root;
  private final SettableClock clock = new SettableClock(START);
  private final List<Node> nodes = new ArrayList<>();
  private String schema;
  private Database observerDb;
  private JdbcRunRepository observer;

  /**
   * One instance: its own pool, repositories, runtime, transfer and NOTIFY publisher; {@code
   * events} is what its in-process bus delivered, {@code cancels} the cancel requests it heard of.
   */
  private record Node(
      String id,
      Database db,
      SyncRuntime runtime,
      GateTransfer transfer,
      PostgresProgressPublisher publisher,
      List<ProgressEvent> events,
      List<RunId> cancels) {}

  /**
   * Sources on host {@code noop.invalid} transfer nothing at once; sources on {@code gate.invalid}
   * wait until the gate opens (or the run is cancelled).
   */
  private static final class GateTransfer implements Transfer {
    private volatile CountDownLatch gate = new CountDownLatch(1);
    final AtomicInteger entered = new AtomicInteger();

    void open() {
      gate.countDown();
    }

    @Override
    public boolean supports(Source source) {
      return source instanceof Source.Http && source.uri().getHost().endsWith(".invalid");
    }

    @Override
    public TransferReport transfer(TransferRequest request) {
      if (request.source().uri().getHost().equals("gate.invalid")) {
        entered.incrementAndGet();
        try {
          while (!gate.await(10, TimeUnit.MILLISECONDS)) {
            request.cancel().throwIfCancelled();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CancelledException();
        }
      }
      return new TransferReport(0, 0, 0, 0, List.of());
    }
  }

  @BeforeEach
  void startCluster() {
    schema = PostgresTestSupport.createSchema("cluster");
    Path storage = root.resolve("storage");
    StorageBackends.initialiseOwnRoot(new StorageBackend("default", storage));
    byte[] key = Database.newSecretKey();
    observerDb = PostgresTestSupport.open(schema, 2);
    observer = new JdbcRunRepository(observerDb);
    for (String id : List.of("node-a", "node-b", "node-c")) {
      Database db = PostgresTestSupport.open(schema, 6);
      GateTransfer transfer = new GateTransfer();
      AtomicReference<SyncRuntime> self = new AtomicReference<>();
      List<RunId> cancels = new CopyOnWriteArrayList<>();
      PostgresProgressPublisher publisher =
          PostgresProgressPublisher.start(db, id, e -> self.get().progress().publish(e));
      publisher.onCancelRequested(
          run -> {
            cancels.add(run);
            if (self.get().worker().activeRuns().contains(run)) {
              self.get().worker().cancel(run);
            }
          });
      SyncRuntime runtime =
          SyncRuntime.builder()
              .repositories(new JdbcJobRepository(db, key), new JdbcRunRepository(db))
              .runLog(new JdbcRunLog(db))
              .publisher(publisher)
              .backend(new StorageBackend("default", storage))
              .transfer(transfer)
              .clock(clock)
              .workerSettings(
                  new RunWorker.Settings(
                      id, 3, LEASE, Duration.ofMillis(20), Duration.ofMillis(500)))
              .schedulerPollInterval(Duration.ofMillis(20))
              .build();
      self.set(runtime);
      List<ProgressEvent> events = new CopyOnWriteArrayList<>();
      runtime.progress().subscribe(events::add);
      runtime.start();
      nodes.add(new Node(id, db, runtime, transfer, publisher, events, cancels));
    }
  }

  @AfterEach
  void stopCluster() {
    for (Node n : nodes) {
      n.transfer().open();
      n.runtime().close();
    }
    for (Node n : nodes) {
      n.publisher().close();
      n.db().close();
    }
    if (observerDb != null) {
      observerDb.close();
    }
    PostgresTestSupport.dropSchema(schema);
  }

  private Job createJob(String name, String source, Schedule schedule) {
    SyncRuntime any = nodes.get(0).runtime();
    return any.jobs()
        .create(
            Job.builder(
                    any.jobs().newId(),
                    name,
                    Source.parse(source),
                    new Destination("default", name))
                .schedule(schedule)
                .build());
  }

  private List<Run> allRuns(JobId job) {
    return observer.history(job, 1000, 0);
  }

  private Optional<Run> runFor(JobId job, Instant occurrence) {
    return allRuns(job).stream().filter(r -> occurrence.equals(r.scheduledFor())).findFirst();
  }

  @Test
  void each_of_100_occurrences_runs_exactly_once_across_three_instances() {
    Job job =
        createJob("every-minute", "https://noop.invalid/data/", new Schedule.Cron("* * * * *"));
    List<Instant> occurrences = new ArrayList<>();

    for (int i = 1; i <= 100; i++) {
      Instant occurrence = MINUTE_0.plus(Duration.ofMinutes(i));
      occurrences.add(occurrence);
      clock.set(occurrence);
      Await.until(
          "the run of occurrence " + i + " to finish",
          Duration.ofSeconds(20),
          () -> runFor(job.id(), occurrence).map(r -> r.status().isTerminal()).orElse(false));
    }

    List<Run> runs = allRuns(job.id());
    assertThat(runs).hasSize(100);
    assertThat(runs).allMatch(r -> r.status() == RunStatus.SUCCESS, "all succeeded");
    assertThat(runs).allMatch(r -> r.trigger() == Trigger.SCHEDULE);
    assertThat(runs.stream().map(Run::scheduledFor).toList())
        .containsExactlyInAnyOrderElementsOf(occurrences);
    Map<String, Integer> perOwner = new HashMap<>();
    runs.forEach(r -> perOwner.merge(r.owner(), 1, Integer::sum));
    assertThat(perOwner.keySet()).isSubsetOf("node-a", "node-b", "node-c");
    System.out.println("runs per instance: " + perOwner);
  }

  @Test
  void two_hundred_concurrent_manual_triggers_start_exactly_one_run() throws Exception {
    Job job = createJob("hammered", "https://gate.invalid/data/", new Schedule.Manual());
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService callers = Executors.newFixedThreadPool(40);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        SyncRuntime via = nodes.get(i % nodes.size()).runtime();
        results.add(
            callers.submit(
                () -> {
                  start.await();
                  try {
                    via.jobs().runNow(job.id());
                    return true;
                  } catch (ConflictException e) {
                    return false;
                  }
                }));
      }
      start.countDown();
      int started = 0;
      for (Future<Boolean> f : results) {
        if (f.get(120, TimeUnit.SECONDS)) {
          started++;
        }
      }

      assertThat(started).isEqualTo(1);
      assertThat(allRuns(job.id())).hasSize(1);
      Await.until(
          "the run to start on one instance",
          Duration.ofSeconds(20),
          () -> nodes.stream().mapToInt(n -> n.transfer().entered.get()).sum() == 1);
    } finally {
      callers.shutdownNow();
    }
    nodes.forEach(n -> n.transfer().open());
    Await.until(
        "the run to succeed",
        Duration.ofSeconds(20),
        () -> allRuns(job.id()).get(0).status() == RunStatus.SUCCESS);
    assertThat(allRuns(job.id())).hasSize(1);
  }

  @Test
  void
      a_stopped_instance_run_is_failed_within_two_leases_resumed_and_the_next_occurrence_runs_elsewhere() {
    Job job = createJob("fragile", "https://gate.invalid/data/", new Schedule.Cron("* * * * *"));
    Instant first = MINUTE_0.plus(Duration.ofMinutes(1));
    clock.set(first);
    Await.until(
        "the first occurrence to run",
        Duration.ofSeconds(20),
        () -> runFor(job.id(), first).map(r -> r.status() == RunStatus.RUNNING).orElse(false));
    Await.until(
        "the transfer to start",
        Duration.ofSeconds(20),
        () -> nodes.stream().mapToInt(n -> n.transfer().entered.get()).sum() == 1);
    Run victim = runFor(job.id(), first).orElseThrow();
    Node dead = nodes.stream().filter(n -> n.id().equals(victim.owner())).findFirst().orElseThrow();

    dead.runtime().scheduler().close();
    dead.db().close();
    Instant leaseAtDeath = allRuns(job.id()).get(0).leaseUntil();
    for (Node n : nodes) {
      if (n != dead) {
        n.transfer().open();
      }
    }
    advanceClockUntil(
        () -> runFor(job.id(), first).map(r -> r.status().isTerminal()).orElse(false),
        "a survivor to fail the dead instance's run");

    Run failed = runFor(job.id(), first).orElseThrow();
    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.error()).contains("interrupted");
    assertThat(failed.completedAt()).isAfter(leaseAtDeath);
    assertThat(failed.completedAt()).isBeforeOrEqualTo(leaseAtDeath.plus(LEASE));
    advanceClockUntil(
        () ->
            allRuns(job.id()).stream()
                .anyMatch(r -> r.trigger() == Trigger.RESUME && r.status() == RunStatus.SUCCESS),
        "the resume run to succeed on a survivor");

    Instant second = first.plus(Duration.ofMinutes(1));
    clock.set(second);
    Await.until(
        "the next occurrence to run",
        Duration.ofSeconds(20),
        () -> runFor(job.id(), second).map(r -> r.status().isTerminal()).orElse(false));
    Run next = runFor(job.id(), second).orElseThrow();
    assertThat(next.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(next.owner()).isNotEqualTo(dead.id());
    Set<String> resumeOwners = new HashSet<>();
    allRuns(job.id()).stream()
        .filter(r -> r.trigger() == Trigger.RESUME)
        .forEach(r -> resumeOwners.add(r.owner()));
    assertThat(resumeOwners).hasSize(1).doesNotContain(dead.id());
    assertThat(allRuns(job.id())).noneMatch(r -> r.trigger() == Trigger.RETRY);
  }

  @Test
  void progress_and_cancel_requests_travel_between_instances() {
    Job job = createJob("watched", "https://gate.invalid/data/", new Schedule.Manual());
    Run run = nodes.get(0).runtime().jobs().runNow(job.id());
    Await.until(
        "the run to start",
        Duration.ofSeconds(20),
        () -> nodes.stream().mapToInt(n -> n.transfer().entered.get()).sum() == 1);
    String ownerId = allRuns(job.id()).get(0).owner();
    Node owner = nodes.stream().filter(n -> n.id().equals(ownerId)).findFirst().orElseThrow();
    Node watcher = nodes.stream().filter(n -> n != owner).findFirst().orElseThrow();

    Await.until(
        "the owner's progress to reach another instance's subscribers",
        Duration.ofSeconds(10),
        () ->
            watcher.events().stream()
                .anyMatch(e -> e.runId().equals(run.id()) && e.status() == RunStatus.RUNNING));
    assertThat(watcher.runtime().jobs().cancel(job.id())).isTrue();

    Await.until(
        "the final state to reach the instance that asked for the cancel",
        Duration.ofSeconds(10),
        () ->
            watcher.events().stream()
                .anyMatch(e -> e.runId().equals(run.id()) && e.status() == RunStatus.CANCELLED));
    assertThat(owner.cancels()).contains(run.id());
    assertThat(allRuns(job.id()).get(0).status()).isEqualTo(RunStatus.CANCELLED);
  }

  /** Moves the shared clock forward about as fast as real time until {@code done}. */
  private void advanceClockUntil(java.util.function.BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      clock.advance(Duration.ofMillis(50));
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
