package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.Notifier;
import dev.syncjobs.core.testing.Await;
import dev.syncjobs.core.version.StorageBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What follows an interrupted run: a graceful shutdown records it as interrupted and queues a
 * resume that the next start finishes from the staging data; a crash found at start-up is failed
 * and resumed once, and a resume that crashes too falls back to the bounded retries.
 */
class InterruptedRunsTest {
  private static final int FILES = 40;
  private static final int FILE_SIZE = 50_000;

  @TempDir Path tmp;

  private final InMemoryRunRepository runs = new InMemoryRunRepository();
  private final InMemoryJobRepository jobs = new InMemoryJobRepository(runs);
  private final InMemoryRunLog runLog = new InMemoryRunLog();

  /** A runtime over the shared repositories, as a restarted process over the same database. */
  private SyncRuntime runtime(Clock clock) {
    return runtime(clock, new LogNotifier());
  }

  private SyncRuntime runtime(Clock clock, Notifier notifier) {
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage"));
    StorageBackends.initialiseOwnRoot(backend);
    return SyncRuntime.builder()
        .repositories(jobs, runs)
        .runLog(runLog)
        .notifier(notifier)
        .backend(backend)
        .clock(clock)
        .workerSettings(
            new RunWorker.Settings(
                "worker", 2, Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofSeconds(30)))
        .schedulerPollInterval(Duration.ofMillis(20))
        .build();
  }

  private static Job create(SyncRuntime runtime, String name, Path src, JobOptions options) {
    return runtime
        .jobs()
        .create(
            Job.builder(
                    runtime.jobs().newId(),
                    name,
                    Source.parse(src.toUri().toString()),
                    new Destination("default", name))
                .options(options)
                .build());
  }

  private static JobOptions limited(long bytesPerSecond, int maxRetries) {
    JobOptions d = JobOptions.DEFAULTS;
    return new JobOptions(
        d.verifyChecksums(),
        d.compareChecksums(),
        d.deleteRemoved(),
        d.maxDeletePercent(),
        d.keepVersions(),
        bytesPerSecond,
        maxRetries);
  }

  private Path sourceTree() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] data = new byte[FILE_SIZE];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7 + 3);
    }
    for (int i = 0; i < FILES; i++) {
      Files.write(src.resolve(String.format("f%02d.bin", i)), data);
    }
    return src;
  }

  private static void await(String what, java.util.function.BooleanSupplier done) {
    Await.until(what, Duration.ofSeconds(30), done);
  }

  @Test
  void a_run_stopped_by_shutdown_is_resumed_by_the_next_start_copying_only_what_was_missing()
      throws Exception {
    Path src = sourceTree();
    long whole = (long) FILES * FILE_SIZE;
    Job job;
    Run interrupted;
    AtomicLong copiedBeforeStop = new AtomicLong();
    try (SyncRuntime first = runtime(Clock.systemUTC())) {
      job = create(first, "nightly", src, limited(whole / 4, 0));
      first
          .progress()
          .subscribe(e -> copiedBeforeStop.accumulateAndGet(e.progress().bytesDone(), Math::max));
      interrupted = first.jobs().runNow(job.id());
      first.start();
      await("a third of the files to be copied", () -> copiedBeforeStop.get() > whole / 3);
    }

    Run stopped = runs.find(interrupted.id()).orElseThrow();
    assertThat(stopped.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(stopped.error()).isEqualTo("interrupted by shutdown");
    Run resume = runs.findActive(job.id()).orElseThrow();
    assertThat(resume.trigger()).isEqualTo(Trigger.RESUME);
    assertThat(resume.status()).isEqualTo(RunStatus.PENDING);
    assertThat(resume.attempt()).isEqualTo(interrupted.attempt());
    assertThat(runLog.read(interrupted.id()))
        .contains("interrupted by shutdown")
        .contains("resume run " + resume.id() + " queued");

    try (SyncRuntime second = runtime(Clock.systemUTC())) {
      assertThat(second.worker().repairInterrupted()).isZero();
      second.start();
      assertThat(second.awaitIdle(Duration.ofSeconds(30))).isTrue();
    }
    Run resumed = runs.find(resume.id()).orElseThrow();
    System.err.println(
        "InterruptedRunsTest: copied "
            + copiedBeforeStop.get()
            + " bytes before the stop, the resume "
            + resumed.progress().bytesDone()
            + " of "
            + whole);
    assertThat(resumed.status()).as(resumed.error()).isEqualTo(RunStatus.SUCCESS);
    assertThat(resumed.progress().bytesDone())
        .as("bytes the resume copied (of %d)", whole)
        .isPositive()
        .isLessThanOrEqualTo(whole - copiedBeforeStop.get() + FILE_SIZE);
    Path version = tmp.resolve("storage/nightly").resolve(resumed.version());
    try (var files = Files.list(version)) {
      assertThat(files.count()).isEqualTo(FILES);
    }
    assertThat(runs.history(job.id(), 10, 0)).hasSize(2);
  }

  @Test
  void a_run_the_user_cancelled_is_not_resumed_when_the_server_stops() throws Exception {
    Path src = sourceTree();
    Job job;
    Run run;
    try (SyncRuntime rt = runtime(Clock.systemUTC())) {
      job = create(rt, "cancelled", src, limited(200_000L, 2));
      run = rt.jobs().runNow(job.id());
      rt.start();
      await(
          "the run to start",
          () -> runs.find(run.id()).orElseThrow().status() == RunStatus.RUNNING);
      assertThat(rt.jobs().cancel(job.id())).isTrue();
    }
    Run cancelled = runs.find(run.id()).orElseThrow();
    assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelled.error()).isEqualTo("cancelled");
    assertThat(runs.findActive(job.id())).isEmpty();
  }

  @Test
  void a_cancel_that_reached_the_store_but_not_yet_the_worker_is_not_resumed_at_shutdown()
      throws Exception {
    Path src = sourceTree();
    Job job;
    Run run;
    try (SyncRuntime rt = runtime(Clock.systemUTC())) {
      job = create(rt, "cancelled-elsewhere", src, limited(200_000L, 2));
      run = rt.jobs().runNow(job.id());
      rt.start();
      await("the run to execute here", () -> rt.worker().activeRuns().contains(run.id()));
      assertThat(runs.requestCancel(run.id(), Instant.now())).isTrue();
    }
    Run cancelled = runs.find(run.id()).orElseThrow();
    assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelled.error()).isEqualTo("cancelled");
    assertThat(runs.findActive(job.id())).isEmpty();
  }

  @Test
  void a_crash_found_at_start_is_resumed_once_and_a_resume_that_crashes_too_is_retried_instead()
      throws Exception {
    Path src = Files.createDirectories(tmp.resolve("empty"));
    SettableClock clock = new SettableClock(Instant.parse("2026-11-23T03:00:00Z"));
    try (SyncRuntime rt = runtime(clock)) {
      Job job = create(rt, "crashy", src, JobOptions.DEFAULTS.withMaxRetries(1));
      Run first = rt.jobs().runNow(job.id());
      crashWhileRunning(clock);

      assertThat(rt.worker().repairInterrupted()).isEqualTo(1);
      Run failed = runs.find(first.id()).orElseThrow();
      assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
      assertThat(failed.error()).startsWith("interrupted");
      Run resume = runs.findActive(job.id()).orElseThrow();
      assertThat(resume.trigger()).isEqualTo(Trigger.RESUME);
      assertThat(resume.notBefore()).isEqualTo(clock.instant());
      assertThat(resume.attempt()).isZero();

      crashWhileRunning(clock);
      assertThat(rt.worker().repairInterrupted()).isEqualTo(1);
      Run retry = runs.findActive(job.id()).orElseThrow();
      assertThat(retry.trigger()).isEqualTo(Trigger.RETRY);
      assertThat(retry.attempt()).isEqualTo(1);
      assertThat(retry.notBefore()).isAfter(clock.instant());
      List<Run> history = runs.history(job.id(), 10, 0);
      assertThat(history).hasSize(3);
      assertThat(history.stream().filter(r -> r.status().isActive())).hasSize(1);
    }
  }

  @Test
  void a_crash_is_resumed_even_when_the_job_allows_no_retries() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("empty"));
    SettableClock clock = new SettableClock(Instant.parse("2026-11-23T03:00:00Z"));
    try (SyncRuntime rt = runtime(clock)) {
      Job job = create(rt, "no-retries", src, JobOptions.DEFAULTS.withMaxRetries(0));
      rt.jobs().runNow(job.id());
      crashWhileRunning(clock);

      assertThat(rt.worker().repairInterrupted()).isEqualTo(1);

      Run resume = runs.findActive(job.id()).orElseThrow();
      assertThat(resume.trigger()).isEqualTo(Trigger.RESUME);
      assertThat(rt.awaitIdle(Duration.ofSeconds(10))).isTrue();
      assertThat(runs.find(resume.id()).orElseThrow().status()).isEqualTo(RunStatus.SUCCESS);
    }
  }

  @Test
  void an_occurrence_due_while_a_resume_is_pending_is_recorded_skipped() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("empty"));
    SettableClock clock = new SettableClock(Instant.parse("2026-11-23T02:59:00Z"));
    try (SyncRuntime rt = runtime(clock)) {
      Job job =
          rt.jobs()
              .create(
                  Job.builder(
                          rt.jobs().newId(),
                          "daily",
                          Source.parse(src.toUri().toString()),
                          new Destination("default", "daily"))
                      .schedule(new Schedule.Daily(LocalTime.of(3, 0)))
                      .zone(ZoneOffset.UTC)
                      .build());
      rt.jobs().runNow(job.id());
      crashWhileRunning(clock);
      rt.worker().repairInterrupted();
      Run resume = runs.findActive(job.id()).orElseThrow();

      clock.set(Instant.parse("2026-11-23T03:00:00Z"));
      rt.scheduler().fireDue();

      Run skipped =
          runs.history(job.id(), 10, 0).stream()
              .filter(r -> r.trigger() == Trigger.SCHEDULE)
              .findFirst()
              .orElseThrow();
      assertThat(skipped.status()).isEqualTo(RunStatus.SKIPPED);
      assertThat(skipped.scheduledFor()).isEqualTo(Instant.parse("2026-11-23T03:00:00Z"));
      assertThat(runs.findActive(job.id()).map(Run::id)).contains(resume.id());
    }
  }

  /** A claim by an instance that then dies: the run stays running in the store. */
  @Test
  void a_run_failed_as_interrupted_is_announced_once_as_failed() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("empty"));
    SettableClock clock = new SettableClock(Instant.parse("2026-11-23T03:00:00Z"));
    List<Run> finished = new java.util.concurrent.CopyOnWriteArrayList<>();
    Notifier recording =
        new Notifier() {
          @Override
          public void runStarted(Job job, Run run) {}

          @Override
          public void runFinished(Job job, Run run) {
            finished.add(run);
          }
        };
    try (SyncRuntime rt = runtime(clock, recording)) {
      Job job = create(rt, "announced", src, JobOptions.DEFAULTS);
      Run first = rt.jobs().runNow(job.id());
      crashWhileRunning(clock);

      assertThat(rt.worker().repairInterrupted()).isEqualTo(1);
      assertThat(rt.worker().repairInterrupted()).isZero();

      assertThat(finished).hasSize(1);
      assertThat(finished.get(0).id()).isEqualTo(first.id());
      assertThat(finished.get(0).status()).isEqualTo(RunStatus.FAILED);
      assertThat(finished.get(0).error()).startsWith("interrupted");
    }
  }

  private void crashWhileRunning(SettableClock clock) {
    runs.claim("dead", clock.instant(), clock.instant().plusSeconds(30), 1).get(0).run();
  }
}
