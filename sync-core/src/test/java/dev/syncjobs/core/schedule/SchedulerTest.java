package dev.syncjobs.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.JobRepository;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {
  final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T02:59:00Z"));
  final InMemoryRunRepository runs = new InMemoryRunRepository();
  final InMemoryJobRepository jobs = new InMemoryJobRepository(runs);
  final SchedulePlanner planner = new SchedulePlanner();
  Scheduler scheduler;

  @BeforeEach
  void setUp() {
    scheduler = scheduler(clock, Duration.ofMillis(10), () -> {});
  }

  /** A scheduler over this test's repositories, with a one-minute misfire grace. */
  private Scheduler scheduler(java.time.Clock time, Duration pollInterval, Runnable onFired) {
    return new Scheduler(
        jobs, planner, time, UUID::randomUUID, Duration.ofMinutes(1), pollInterval, onFired);
  }

  private Job daily(MisfirePolicy policy) {
    return daily("nightly", policy);
  }

  /** Stores a job run daily at 03:00 UTC, next due at its first occurrence after the clock. */
  private Job daily(String name, MisfirePolicy policy) {
    Job job =
        Job.builder(
                new JobId(UUID.randomUUID()),
                name,
                Source.parse("file:///srv/" + name),
                new Destination("default", name))
            .schedule(new Schedule.Daily(LocalTime.of(3, 0)))
            .zone(ZoneId.of("UTC"))
            .misfirePolicy(policy)
            .build();
    job =
        job.withNextRunAt(planner.next(job.schedule(), job.zone(), clock.instant()).orElseThrow());
    jobs.create(job);
    return job;
  }

  @Test
  void a_running_scheduler_fires_an_occurrence_on_time_not_at_its_next_poll() throws Exception {
    // a poll interval far longer than the wait: only sleeping until the occurrence can be on time
    java.time.Clock real = java.time.Clock.systemUTC();
    Instant due = real.instant().plusMillis(300);
    Job job =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "on-time",
                Source.parse("file:///srv/on-time"),
                new Destination("default", "t"))
            .schedule(new Schedule.Hourly())
            .createdAt(real.instant())
            .build()
            .withNextRunAt(due);
    jobs.create(job);
    try (Scheduler onTime = scheduler(real, Duration.ofSeconds(20), () -> {})) {
      onTime.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (runs.findActive(job.id()).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    }
    Run run = runs.findActive(job.id()).orElseThrow();
    assertThat(run.scheduledFor()).isEqualTo(due);
    assertThat(Duration.between(due, run.createdAt())).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void fires_each_occurrence_once_and_plans_the_next() {
    Job job = daily(MisfirePolicy.RUN_ONCE);
    assertThat(scheduler.fireDue()).isZero();
    clock.set(Instant.parse("2026-11-23T03:00:00Z"));
    assertThat(scheduler.fireDue()).isEqualTo(1);
    assertThat(scheduler.fireDue()).isZero();
    Run run = runs.findActive(job.id()).orElseThrow();
    assertThat(run.trigger()).isEqualTo(Trigger.SCHEDULE);
    assertThat(run.scheduledFor()).isEqualTo(Instant.parse("2026-11-23T03:00:00Z"));
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt())
        .isEqualTo(Instant.parse("2026-11-24T03:00:00Z"));
  }

  @Test
  void a_stored_schedule_the_planner_now_refuses_fires_its_due_occurrence_and_stops_no_other() {
    Job stepped =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "stepped",
                Source.parse("file:///srv/stepped"),
                new Destination("default", "stepped"))
            .schedule(new Schedule.Cron("5/15 * * * *"))
            .zone(ZoneId.of("UTC"))
            .build()
            .withNextRunAt(Instant.parse("2026-11-23T03:00:00Z"));
    jobs.create(stepped);
    Job nightly = daily(MisfirePolicy.RUN_ONCE);
    clock.set(Instant.parse("2026-11-23T03:00:00Z"));

    assertThat(scheduler.fireDue()).isEqualTo(2);

    assertThat(runs.findActive(stepped.id())).isPresent();
    assertThat(jobs.find(stepped.id()).orElseThrow().nextRunAt()).isNull();
    assertThat(runs.findActive(nightly.id())).isPresent();
    assertThat(jobs.find(nightly.id()).orElseThrow().nextRunAt())
        .isEqualTo(Instant.parse("2026-11-24T03:00:00Z"));
  }

  @Test
  void a_round_wakes_the_worker_once_after_every_due_occurrence_is_fired() {
    // these occurrences take three transactions; the worker starts them only when all are fired,
    // so firing does not compete with the runs it has already started
    for (int i = 0; i < MANY; i++) {
      daily("many-" + i, MisfirePolicy.RUN_ONCE);
    }
    List<Integer> pendingAtWakeUp = new ArrayList<>();
    Scheduler oneWakeUp =
        scheduler(clock, Duration.ofMillis(10), () -> pendingAtWakeUp.add(runs.active().size()));
    clock.set(Instant.parse("2026-11-23T03:00:00Z"));

    assertThat(oneWakeUp.fireDue()).isEqualTo(MANY);
    assertThat(pendingAtWakeUp).containsExactly(MANY);
  }

  /** Occurrences that take three transactions to fire. */
  private static final int MANY = 2 * Scheduler.FIRE_BATCH + 50;

  @Test
  void a_burst_holds_claims_while_it_is_fired() {
    for (int i = 0; i < MANY; i++) {
      daily("burst-" + i, MisfirePolicy.RUN_ONCE);
    }
    List<Boolean> heldAtEachBatch = new ArrayList<>();
    List<Boolean> heldAtWakeUp = new ArrayList<>();
    Scheduler burst = watchingHolds(heldAtEachBatch, heldAtWakeUp);
    clock.set(Instant.parse("2026-11-23T03:00:00Z"));

    assertThat(burst.fireDue()).isEqualTo(MANY);
    // the first batch is full: from the second on, the worker waits; it is woken once, released
    assertThat(heldAtEachBatch).containsExactly(false, true, true);
    assertThat(heldAtWakeUp).containsExactly(false);
    assertThat(burst.firingBurst()).isFalse();
  }

  @Test
  void a_round_of_fewer_occurrences_than_a_batch_holds_nothing() {
    daily("alone", MisfirePolicy.RUN_ONCE);
    List<Boolean> heldAtEachBatch = new ArrayList<>();
    List<Boolean> heldAtWakeUp = new ArrayList<>();
    Scheduler single = watchingHolds(heldAtEachBatch, heldAtWakeUp);
    clock.set(Instant.parse("2026-11-23T03:00:00Z"));

    assertThat(single.fireDue()).isEqualTo(1);
    assertThat(heldAtEachBatch).containsExactly(false);
    assertThat(heldAtWakeUp).containsExactly(false);
  }

  /**
   * A scheduler over this test's repositories that notes {@link Scheduler#firingBurst} as each
   * batch is fired and as it wakes the worker.
   */
  private Scheduler watchingHolds(List<Boolean> atEachBatch, List<Boolean> atWakeUp) {
    AtomicReference<Scheduler> self = new AtomicReference<>();
    JobRepository watched =
        (JobRepository)
            Proxy.newProxyInstance(
                JobRepository.class.getClassLoader(),
                new Class<?>[] {JobRepository.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("fireDue")) {
                    atEachBatch.add(self.get().firingBurst());
                  }
                  try {
                    return method.invoke(jobs, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    self.set(
        new Scheduler(
            watched,
            planner,
            clock,
            UUID::randomUUID,
            Duration.ofMinutes(1),
            Duration.ofMillis(10),
            () -> atWakeUp.add(self.get().firingBurst())));
    return self.get();
  }

  @Test
  void skips_occurrence_when_previous_run_still_active() {
    Job job = daily(MisfirePolicy.RUN_ONCE);
    clock.set(Instant.parse("2026-11-23T03:00:00Z"));
    scheduler.fireDue();
    clock.set(Instant.parse("2026-11-24T03:00:10Z"));
    assertThat(scheduler.fireDue()).isEqualTo(1);
    List<Run> history = runs.history(job.id(), 10, 0);
    assertThat(history)
        .extracting(Run::status)
        .containsExactly(RunStatus.SKIPPED, RunStatus.PENDING);
    assertThat(history.get(0).scheduledFor()).isEqualTo(Instant.parse("2026-11-24T03:00:00Z"));
  }

  @Test
  void missed_occurrences_run_once_after_downtime() {
    Job job = daily(MisfirePolicy.RUN_ONCE);
    clock.set(Instant.parse("2026-11-27T12:00:00Z"));
    assertThat(scheduler.fireDue()).isEqualTo(1);
    assertThat(scheduler.fireDue()).isZero();
    assertThat(runs.history(job.id(), 10, 0)).hasSize(1);
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt())
        .isEqualTo(Instant.parse("2026-11-28T03:00:00Z"));
  }

  @Test
  void missed_occurrences_are_dropped_with_misfire_policy_skip() {
    Job job = daily(MisfirePolicy.SKIP);
    clock.set(Instant.parse("2026-11-27T12:00:00Z"));
    assertThat(scheduler.fireDue()).isZero();
    assertThat(runs.history(job.id(), 10, 0)).isEmpty();
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt())
        .isEqualTo(Instant.parse("2026-11-28T03:00:00Z"));
  }

  @Test
  void concurrent_schedulers_fire_each_occurrence_exactly_once() throws Exception {
    Job job = daily(MisfirePolicy.RUN_ONCE);
    List<Scheduler> instances = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      instances.add(
          new Scheduler(
              jobs,
              planner,
              clock,
              UUID::randomUUID,
              Duration.ofMinutes(1),
              Duration.ofMillis(10),
              () -> {}));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int day = 0; day < 30; day++) {
      Instant due = Instant.parse("2026-11-23T03:00:00Z").plus(Duration.ofDays(day));
      clock.set(due);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> fired = new ArrayList<>();
      for (Scheduler s : instances) {
        fired.add(
            pool.submit(
                () -> {
                  go.await();
                  return s.fireDue();
                }));
      }
      go.countDown();
      int total = 0;
      for (Future<Integer> f : fired) {
        total += f.get(5, TimeUnit.SECONDS);
      }
      assertThat(total).as("day %d", day).isEqualTo(1);
      runs.findActive(job.id())
          .ifPresent(
              r -> {
                Run claimed =
                    runs.claim("x", clock.instant(), clock.instant().plusSeconds(5), 1)
                        .get(0)
                        .run();
                runs.complete(
                    claimed.id(),
                    claimed.fence(),
                    new dev.syncjobs.core.model.RunOutcome(RunStatus.SUCCESS, null, null, null),
                    clock.instant());
              });
    }
    pool.shutdown();
    assertThat(runs.history(job.id(), 100, 0))
        .hasSize(30)
        .extracting(Run::scheduledFor)
        .doesNotHaveDuplicates();
  }
}
