package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.ProgressPublisher;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.testing.EngineFixture;
import dev.syncjobs.core.version.StorageBackends;
import dev.syncjobs.core.version.VersionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunWorkerTest {
  @TempDir Path tmp;

  /** Holds every transfer until released; counts how many run at once. */
  static final class HoldingTransfer implements Transfer {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger started = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    volatile RuntimeException failure;

    @Override
    public boolean supports(Source s) {
      return true;
    }

    @Override
    public TransferReport transfer(TransferRequest request) {
      started.incrementAndGet();
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        while (!release.await(10, TimeUnit.MILLISECONDS)) {
          request.cancel().throwIfCancelled();
        }
        if (failure != null) {
          throw failure;
        }
        return new TransferReport(0, 0, 0, 0, List.of());
      } catch (InterruptedException e) {
        throw new CancelledException();
      } finally {
        running.decrementAndGet();
      }
    }
  }

  private EngineFixture fixture(Transfer transfer, int maxConcurrent) throws Exception {
    return new EngineFixture(
        tmp.resolve("fx"),
        List.of(transfer),
        new RunWorker.Settings(
            "worker-1",
            maxConcurrent,
            Duration.ofSeconds(30),
            Duration.ofMillis(10),
            Duration.ofSeconds(30)));
  }

  private Job job(EngineFixture fx, String name) throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src-" + name));
    return fx.localJob(name, src, "dest/" + name, JobOptions.DEFAULTS);
  }

  @Test
  void fifty_concurrent_triggers_start_exactly_one_run() throws Exception {
    HoldingTransfer transfer = new HoldingTransfer();
    try (EngineFixture fx = fixture(transfer, 3)) {
      Job job = job(fx, "single");
      ExecutorService pool = Executors.newFixedThreadPool(16);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    fx.runtime.jobs().runNow(job.id());
                    return true;
                  } catch (ConflictException e) {
                    return false;
                  }
                }));
      }
      go.countDown();
      int accepted = 0;
      for (Future<Boolean> f : results) {
        accepted += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      pool.shutdown();
      assertThat(accepted).isEqualTo(1);
      fx.runtime.worker().pollOnce();
      transfer.release.countDown();
      assertThat(fx.runtime.awaitIdle(Duration.ofSeconds(10))).isTrue();
      assertThat(transfer.started.get()).isEqualTo(1);
      assertThat(fx.runtime.jobs().history(job.id(), 100, 0)).hasSize(1);
    }
  }

  @Test
  void never_runs_more_than_max_concurrent_runs() throws Exception {
    HoldingTransfer transfer = new HoldingTransfer();
    try (EngineFixture fx = fixture(transfer, 2)) {
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Job j = job(fx, "job" + i);
        jobs.add(j);
        fx.runtime.jobs().runNow(j.id());
      }
      assertThat(fx.runtime.worker().pollOnce()).isEqualTo(2);
      assertThat(fx.runtime.worker().pollOnce()).isZero();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (transfer.started.get() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      transfer.release.countDown();
      assertThat(fx.runtime.awaitIdle(Duration.ofSeconds(20))).isTrue();
      assertThat(transfer.maxRunning.get()).isEqualTo(2);
      assertThat(transfer.started.get()).isEqualTo(5);
    }
  }

  @Test
  void the_loop_claims_nothing_while_claims_are_held() throws Exception {
    HoldingTransfer transfer = new HoldingTransfer();
    transfer.release.countDown();
    try (EngineFixture fx = fixture(transfer, 2)) {
      java.util.concurrent.atomic.AtomicBoolean hold =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      RunWorker worker = fx.runtime.worker();
      worker.holdClaimsWhile(hold::get);
      Job held = job(fx, "held");
      fx.runtime.jobs().runNow(held.id());
      worker.start();

      Thread.sleep(300); // thirty of the loop's 10 ms polls
      assertThat(transfer.started.get()).isZero();
      hold.set(false);
      worker.wakeUp();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (transfer.started.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(transfer.started.get()).isEqualTo(1);
    }
  }

  @Test
  void two_concurrent_polls_share_the_free_slots() throws Exception {
    // A slow claim (a database round trip under load) keeps the first poll inside it while the
    // second one starts: both must not count the same free slots.
    InMemoryRunRepository store = new InMemoryRunRepository();
    RunRepository slowClaims =
        (RunRepository)
            Proxy.newProxyInstance(
                RunRepository.class.getClassLoader(),
                new Class<?>[] {RunRepository.class},
                (proxy, method, args) -> {
                  if (method.getName().startsWith("claim")) {
                    Thread.sleep(300);
                  }
                  try {
                    return method.invoke(store, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    HoldingTransfer transfer = new HoldingTransfer();
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage"));
    StorageBackends.initialiseOwnRoot(backend);
    try (SyncRuntime runtime =
        SyncRuntime.builder()
            .repositories(new InMemoryJobRepository(store), slowClaims)
            .runLog(new InMemoryRunLog())
            .backend(backend)
            .transfer(transfer)
            .workerSettings(
                new RunWorker.Settings(
                    "worker-1",
                    2,
                    Duration.ofSeconds(30),
                    Duration.ofHours(1),
                    Duration.ofHours(1)))
            .build()) {
      for (int i = 0; i < 5; i++) {
        runtime.jobs().runNow(noopJob(runtime, "job" + i).id());
      }
      ExecutorService pollers = Executors.newFixedThreadPool(2);
      try {
        Future<Integer> first = pollers.submit(runtime.worker()::pollOnce);
        Future<Integer> second = pollers.submit(runtime.worker()::pollOnce);
        assertThat(first.get(10, TimeUnit.SECONDS) + second.get(10, TimeUnit.SECONDS)).isEqualTo(2);
      } finally {
        pollers.shutdown();
      }
      assertThat(runtime.worker().activeCount()).isEqualTo(2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (transfer.started.get() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      transfer.release.countDown();
      assertThat(runtime.awaitIdle(Duration.ofSeconds(20))).isTrue();
      assertThat(transfer.maxRunning.get()).isEqualTo(2);
      assertThat(transfer.started.get()).isEqualTo(5);
    }
  }

  @Test
  void the_next_run_starts_while_the_previous_one_records_its_outcome() throws Exception {
    AtomicInteger transfers = new AtomicInteger();
    Transfer noop =
        EngineFixture.anySource(
            request -> {
              transfers.incrementAndGet();
              return new TransferReport(0, 0, 0, 0, List.of());
            });
    CountDownLatch firstRecording = new CountDownLatch(1);
    CountDownLatch letFirstFinish = new CountDownLatch(1);
    ProgressPublisher holdFirstEnd =
        e -> {
          if (e.status() == RunStatus.SUCCESS && firstRecording.getCount() > 0) {
            firstRecording.countDown();
            try {
              letFirstFinish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
              Thread.currentThread().interrupt();
            }
          }
        };
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage"));
    StorageBackends.initialiseOwnRoot(backend);
    try (SyncRuntime runtime =
        SyncRuntime.builder()
            .backend(backend)
            .transfer(noop)
            .publisher(holdFirstEnd)
            .workerSettings(
                new RunWorker.Settings(
                    "worker-1",
                    1,
                    Duration.ofSeconds(30),
                    Duration.ofMillis(10),
                    Duration.ofSeconds(30)))
            .build()) {
      Job first = noopJob(runtime, "first");
      Job second = noopJob(runtime, "second");

      runtime.jobs().runNow(first.id());
      assertThat(runtime.worker().pollOnce()).isEqualTo(1);
      assertThat(firstRecording.await(10, TimeUnit.SECONDS)).isTrue();
      runtime.jobs().runNow(second.id());

      assertThat(runtime.worker().pollOnce()).isEqualTo(1);
      assertThat(runtime.awaitIdle(Duration.ofMillis(200))).isFalse();
      letFirstFinish.countDown();
      assertThat(runtime.awaitIdle(Duration.ofSeconds(10))).isTrue();
      assertThat(transfers.get()).isEqualTo(2);
      for (Job job : List.of(first, second)) {
        assertThat(runtime.jobs().history(job.id(), 10, 0))
            .extracting(Run::status)
            .containsExactly(RunStatus.SUCCESS);
      }
    }
  }

  private static Job noopJob(SyncRuntime runtime, String name) {
    return runtime
        .jobs()
        .create(
            Job.builder(
                    runtime.jobs().newId(),
                    name,
                    Source.parse("https://example.invalid/" + name + "/"),
                    new Destination("default", "dest/" + name))
                .build());
  }

  @Test
  void failed_runs_are_retried_with_exponential_backoff_up_to_max_retries() throws Exception {
    HoldingTransfer transfer = new HoldingTransfer();
    transfer.failure = new dev.syncjobs.core.model.TransferException("connection refused");
    transfer.release.countDown();
    try (EngineFixture fx = fixture(transfer, 1)) {
      Job job = job(fx, "flaky");
      Run first = fx.runAndWait(job);
      assertThat(first.status()).isEqualTo(RunStatus.FAILED);

      Run retry1 = fx.runtime.runRepository().findActive(job.id()).orElseThrow();
      assertThat(retry1.trigger()).isEqualTo(Trigger.RETRY);
      assertThat(retry1.attempt()).isEqualTo(1);
      Duration delay1 = Duration.between(fx.clock.instant(), retry1.notBefore());
      assertThat(delay1).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(36));
      assertThat(fx.runtime.worker().pollOnce()).isZero();

      fx.clock.set(retry1.notBefore());
      assertThat(fx.runtime.awaitIdle(Duration.ofSeconds(10))).isTrue();
      Run retry2 = fx.runtime.runRepository().findActive(job.id()).orElseThrow();
      assertThat(retry2.attempt()).isEqualTo(2);
      Duration delay2 = Duration.between(fx.clock.instant(), retry2.notBefore());
      assertThat(delay2).isBetween(Duration.ofSeconds(48), Duration.ofSeconds(72));

      fx.clock.set(retry2.notBefore());
      assertThat(fx.runtime.awaitIdle(Duration.ofSeconds(10))).isTrue();
      assertThat(fx.runtime.runRepository().findActive(job.id())).isEmpty();
      assertThat(fx.runtime.jobs().history(job.id(), 10, 0))
          .extracting(Run::status)
          .containsOnly(RunStatus.FAILED)
          .hasSize(3);
      assertThat(transfer.started.get()).isEqualTo(3);
    }
  }

  @Test
  void start_up_repair_fails_runs_left_running_and_the_resume_run_reuses_the_partial()
      throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    EngineFixture.write(src.resolve("big.bin"), "x".repeat(10_000));
    EngineFixture.write(src.resolve("small.txt"), "s");
    try (EngineFixture fx = new EngineFixture(tmp.resolve("fx"))) {
      Job job = fx.localJob("crashy", src, "c", JobOptions.DEFAULTS.withMaxRetries(0));
      // Simulate a crash: a claimed run that nobody executes, and a staging dir left behind.
      fx.runtime.jobs().runNow(job.id());
      Run claimed =
          fx.runtime
              .runRepository()
              .claim("dead-instance", fx.clock.instant(), fx.clock.instant().plusSeconds(30), 1)
              .get(0)
              .run();
      Path staging = fx.destination("c").resolve("20261123T020000Z.partial");
      EngineFixture.write(staging.resolve("small.txt"), "s");
      Files.setLastModifiedTime(
          staging.resolve("small.txt"), Files.getLastModifiedTime(src.resolve("small.txt")));
      Object leftoverInode = Files.getAttribute(staging.resolve("small.txt"), "unix:ino");

      assertThat(fx.runtime.worker().repairInterrupted()).isEqualTo(1);
      Run repaired = fx.find(job, claimed.id());
      assertThat(repaired.status()).isEqualTo(RunStatus.FAILED);
      assertThat(repaired.error()).contains("interrupted");
      assertThat(fx.runtime.jobs().log(job.id(), claimed.id())).contains("interrupted");

      Run resume = fx.runtime.runRepository().findActive(job.id()).orElseThrow();
      assertThat(resume.trigger()).isEqualTo(Trigger.RESUME);
      assertThat(fx.runtime.awaitIdle(Duration.ofSeconds(60))).isTrue();
      Run next = fx.find(job, resume.id());
      assertThat(next.status()).isEqualTo(RunStatus.SUCCESS);
      Path version = fx.destination("c").resolve(next.version());
      assertThat(Files.getAttribute(version.resolve("small.txt"), "unix:ino"))
          .isEqualTo(leftoverInode);
      assertThat(version.resolve("big.bin")).hasSize(10_000);
      assertThat(new VersionStore(fx.destination("c")).partials()).isEmpty();
    }
  }

  /** Records an outcome for a claimed run as its owner (by its fence) would. */
  private static boolean completeAs(EngineFixture fx, Run claimed, RunOutcome outcome) {
    return fx.runtime
        .runRepository()
        .complete(claimed.id(), claimed.fence(), outcome, fx.clock.instant());
  }

  @Test
  void a_run_whose_lease_was_taken_over_is_stopped_and_its_result_not_recorded() throws Exception {
    HoldingTransfer transfer = new HoldingTransfer();
    try (EngineFixture fx = fixture(transfer, 1)) {
      Job job = job(fx, "taken");
      Run run = fx.runtime.jobs().runNow(job.id());
      assertThat(fx.runtime.worker().pollOnce()).isEqualTo(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (transfer.started.get() < 1 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      Run claimed = fx.find(job, run.id());
      // Another instance found the lease expired and failed the run, as a survivor does.
      assertThat(
              completeAs(
                  fx,
                  claimed,
                  RunOutcome.failed("interrupted: instance worker-1 stopped renewing its lease")))
          .isTrue();

      fx.runtime.worker().renewLeases();

      assertThat(fx.runtime.awaitIdle(Duration.ofSeconds(10))).isTrue();
      assertThat(transfer.running.get()).isZero();
      assertThat(transfer.release.getCount()).isEqualTo(1); // stopped by the cancel, not released
      Run recorded = fx.find(job, run.id());
      assertThat(recorded.status()).isEqualTo(RunStatus.FAILED);
      assertThat(recorded.error()).contains("stopped renewing its lease");
      assertThat(fx.runtime.jobs().log(job.id(), run.id()))
          .contains("this instance lost the run's lease; its result was not recorded");
    }
  }

  @Test
  void an_expired_lease_fails_the_run_and_a_late_owner_cannot_overwrite_it() throws Exception {
    try (EngineFixture fx = new EngineFixture(tmp.resolve("fx"))) {
      Path src = Files.createDirectories(tmp.resolve("s"));
      Job job = fx.localJob("leased", src, "l", JobOptions.DEFAULTS.withMaxRetries(1));
      fx.runtime.jobs().runNow(job.id());
      Run claimed =
          fx.runtime
              .runRepository()
              .claim("gone", fx.clock.instant(), fx.clock.instant().plusSeconds(30), 1)
              .get(0)
              .run();
      assertThat(fx.runtime.worker().failExpiredLeases()).isZero();
      fx.clock.advance(Duration.ofSeconds(31));
      assertThat(fx.runtime.worker().failExpiredLeases()).isEqualTo(1);
      assertThat(fx.find(job, claimed.id()).status()).isEqualTo(RunStatus.FAILED);
      assertThat(completeAs(fx, claimed, new RunOutcome(RunStatus.SUCCESS, null, null, "x")))
          .isFalse();
      Run resume = fx.runtime.runRepository().findActive(job.id()).orElseThrow();
      assertThat(resume.trigger()).isEqualTo(Trigger.RESUME);
      assertThat(resume.scheduledFor()).isNull();
      assertThat(resume.notBefore()).isEqualTo(fx.clock.instant().plusSeconds(30));
    }
  }
}
