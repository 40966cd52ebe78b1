package dev.syncjobs.core.port;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static dev.syncjobs.core.port.PortsUnderTest.manualRun;
import static dev.syncjobs.core.port.PortsUnderTest.scheduledRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.RunRepository.InsertResult;
import dev.syncjobs.core.port.RunRepository.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RunRepository} must do, including under real concurrency. Subclass it per
 * implementation and return a fresh, empty store from {@link #openEmptyStore}.
 */
public abstract class RunRepositoryContract {

  private static final Instant LEASE = T0.plusSeconds(30);

  protected JobRepository jobs;
  protected RunRepository runs;

  /** Fresh repositories on one empty store; called before every test. */
  protected abstract PortsUnderTest openEmptyStore(long runLogMaxBytes);

  /** Whether this store's {@link RunRepository#claim} returns every claimed run's job. */
  protected boolean claimReadsJobs() {
    return false;
  }

  @BeforeEach
  void openStore() {
    PortsUnderTest ports = openEmptyStore(1_048_576);
    jobs = ports.jobs();
    runs = ports.runs();
  }

  private JobId newJob(String name) {
    Job job = job(name, null);
    jobs.create(job);
    return job.id();
  }

  @Test
  void stores_and_finds_a_run_with_every_field() {
    JobId job = newJob("every-field");
    Run run =
        new Run(
            new RunId(UUID.randomUUID()),
            job,
            Trigger.RETRY,
            null,
            RunStatus.PENDING,
            T0,
            T0.plusSeconds(40),
            null,
            null,
            new Progress(1, 2, 3, 4, "a/b.txt", 5),
            "previous attempt failed",
            null,
            null,
            null,
            0,
            2,
            false,
            0);

    assertThat(runs.insert(run)).isEqualTo(InsertResult.INSERTED);

    assertThat(runs.find(run.id())).contains(run);
    assertThat(runs.find(new RunId(UUID.randomUUID()))).isEmpty();
  }

  @Test
  void a_resume_run_is_stored_claimed_with_its_trigger_and_counts_as_the_jobs_active_run() {
    JobId job = newJob("resumed");
    Run resume =
        Run.pending(new RunId(UUID.randomUUID()), job, Trigger.RESUME, null, T0, 1)
            .withNotBefore(T0.plusSeconds(30));

    assertThat(runs.insert(resume)).isEqualTo(InsertResult.INSERTED);

    assertThat(runs.find(resume.id())).contains(resume);
    assertThat(runs.insert(manualRun(job, T0.plusSeconds(1))))
        .isEqualTo(InsertResult.ACTIVE_RUN_EXISTS);
    assertThat(claimNext("node-a", T0.plusSeconds(29), LEASE)).isEmpty();
    Run claimed = claimNext("node-a", T0.plusSeconds(30), LEASE).orElseThrow();
    assertThat(claimed.id()).isEqualTo(resume.id());
    assertThat(claimed.trigger()).isEqualTo(Trigger.RESUME);
    assertThat(claimed.attempt()).isEqualTo(1);
  }

  @Test
  void averages_each_jobs_successful_runs_among_its_newest_in_one_read() {
    JobId mixed = newJob("mixed");
    JobId failing = newJob("failing");
    JobId slowThenFast = newJob("slow-then-fast");
    ended(mixed, T0, 10, RunStatus.SUCCESS);
    ended(failing, T0.plusSeconds(100), 5, RunStatus.FAILED);
    ended(slowThenFast, T0.plusSeconds(200), 100, RunStatus.SUCCESS);
    ended(mixed, T0.plusSeconds(300), 60, RunStatus.FAILED);
    ended(slowThenFast, T0.plusSeconds(400), 2, RunStatus.SUCCESS);
    ended(mixed, T0.plusSeconds(500), 4, RunStatus.SUCCESS);
    ended(slowThenFast, T0.plusSeconds(600), 3, RunStatus.SUCCESS);

    assertThat(runs.averageSuccessDuration(20))
        .containsOnly(
            Map.entry(mixed, Duration.ofSeconds(7)),
            Map.entry(slowThenFast, Duration.ofSeconds(35)));
    assertThat(runs.averageSuccessDuration(2))
        .containsOnly(
            Map.entry(mixed, Duration.ofSeconds(4)),
            Map.entry(slowThenFast, Duration.ofMillis(2500)));
  }

  private void ended(JobId job, Instant start, long seconds, RunStatus status) {
    runs.insert(manualRun(job, start));
    Run claimed = claimNext("node-a", start, start.plusSeconds(3600)).orElseThrow();
    runs.complete(claimed.id(), claimed.fence(), outcome(status), start.plusSeconds(seconds));
  }

  @Test
  void refuses_a_second_active_run_of_a_job() {
    JobId job = newJob("one-active");
    Run first = manualRun(job, T0);
    runs.insert(first);

    assertThat(runs.insert(manualRun(job, T0.plusSeconds(1))))
        .isEqualTo(InsertResult.ACTIVE_RUN_EXISTS);
    assertThat(runs.findActive(job).map(Run::id)).contains(first.id());
    assertThat(runs.count(job)).isEqualTo(1);
  }

  @Test
  void refuses_a_second_run_for_the_same_occurrence_even_after_the_first_ended() {
    JobId job = newJob("one-per-occurrence");
    runs.insert(scheduledRun(job, T0, T0));
    Run claimed = claimNext("node-a", T0, LEASE).orElseThrow();
    runs.complete(claimed.id(), claimed.fence(), outcome(RunStatus.SUCCESS), T0.plusSeconds(2));

    assertThat(runs.insert(scheduledRun(job, T0, T0.plusSeconds(3))))
        .isEqualTo(InsertResult.DUPLICATE_OCCURRENCE);
    assertThat(runs.count(job)).isEqualTo(1);
  }

  @Test
  void accepts_a_new_run_once_the_previous_one_ended() {
    JobId job = newJob("sequential");
    runs.insert(manualRun(job, T0));
    Run claimed = claimNext("node-a", T0, LEASE).orElseThrow();
    runs.complete(claimed.id(), claimed.fence(), outcome(RunStatus.FAILED), T0.plusSeconds(1));

    assertThat(runs.insert(manualRun(job, T0.plusSeconds(2)))).isEqualTo(InsertResult.INSERTED);
    assertThat(runs.count(job)).isEqualTo(2);
  }

  @Test
  void fifty_concurrent_inserts_for_one_job_insert_exactly_one() throws Exception {
    JobId job = newJob("stampede");
    int threads = 50;
    List<InsertResult> outcomes =
        concurrently(threads, i -> runs.insert(manualRun(job, T0.plusMillis(i))));

    assertThat(outcomes).containsOnlyOnce(InsertResult.INSERTED);
    assertThat(outcomes).filteredOn(r -> r == InsertResult.ACTIVE_RUN_EXISTS).hasSize(threads - 1);
    assertThat(runs.count(job)).isEqualTo(1);
  }

  @Test
  void concurrent_inserts_of_one_occurrence_insert_exactly_one() throws Exception {
    JobId job = newJob("occurrence-race");
    List<InsertResult> outcomes =
        concurrently(10, i -> runs.insert(scheduledRun(job, T0, T0.plusMillis(i))));

    assertThat(outcomes).containsOnlyOnce(InsertResult.INSERTED);
    assertThat(runs.count(job)).isEqualTo(1);
  }

  @Test
  void claims_the_oldest_pending_run_that_is_due() {
    Run newer = manualRun(newJob("newer"), T0.plusSeconds(2));
    Run older = manualRun(newJob("older"), T0.plusSeconds(1));
    Run backedOff = manualRun(newJob("backed-off"), T0).withNotBefore(T0.plusSeconds(60));
    runs.insert(newer);
    runs.insert(older);
    runs.insert(backedOff);
    Instant now = T0.plusSeconds(10);

    Run claimed = claimNext("node-a", now, now.plusSeconds(30)).orElseThrow();

    assertThat(claimed.id()).isEqualTo(older.id());
    assertThat(claimed.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(claimed.owner()).isEqualTo("node-a");
    assertThat(claimed.leaseUntil()).isEqualTo(now.plusSeconds(30));
    assertThat(claimed.startedAt()).isEqualTo(now);
    assertThat(claimed.fence()).isGreaterThan(older.fence());
    assertThat(runs.find(older.id())).contains(claimed);
    assertThat(claimNext("node-b", now, now.plusSeconds(30)).map(Run::id)).contains(newer.id());
    assertThat(claimNext("node-b", now, now.plusSeconds(30))).isEmpty();
    assertThat(claimNext("node-b", T0.plusSeconds(60), T0.plusSeconds(90)).map(Run::id))
        .contains(backedOff.id());
  }

  @Test
  void claims_nothing_when_no_run_is_pending() {
    assertThat(claimNext("node-a", T0, LEASE)).isEmpty();
  }

  @Test
  void concurrent_claimers_never_claim_a_run_twice() throws Exception {
    int count = 30;
    Set<RunId> inserted = new HashSet<>();
    for (int i = 0; i < count; i++) {
      Run run = manualRun(newJob("claimable-" + i), T0.plusMillis(i));
      runs.insert(run);
      inserted.add(run.id());
    }

    List<List<RunId>> perClaimer =
        concurrently(
            3,
            i -> {
              List<RunId> mine = new ArrayList<>();
              Optional<Run> next;
              while ((next = claimNext("node-" + i, T0.plusSeconds(1), LEASE)).isPresent()) {
                mine.add(next.get().id());
              }
              return mine;
            });

    List<RunId> all = perClaimer.stream().flatMap(List::stream).toList();
    assertThat(all).doesNotHaveDuplicates();
    assertThat(new HashSet<>(all)).isEqualTo(inserted);
    assertThat(runs.active()).allMatch(r -> r.status() == RunStatus.RUNNING).hasSize(count);
  }

  @Test
  void the_owner_renews_its_lease_while_its_fence_matches() {
    Run claimed = claimOne("renewing");

    assertThat(runs.renewLease(claimed.id(), claimed.fence(), T0.plusSeconds(90)))
        .isEqualTo(LeaseState.RENEWED);
    assertThat(runs.find(claimed.id()).orElseThrow().leaseUntil()).isEqualTo(T0.plusSeconds(90));
    assertThat(runs.renewLease(claimed.id(), claimed.fence() - 1, T0.plusSeconds(120)))
        .isEqualTo(LeaseState.LOST);
    assertThat(runs.find(claimed.id()).orElseThrow().leaseUntil()).isEqualTo(T0.plusSeconds(90));
  }

  @Test
  void a_pending_run_is_cancelled_at_once() {
    Run run = manualRun(newJob("cancel-pending"), T0);
    runs.insert(run);

    assertThat(runs.requestCancel(run.id(), T0.plusSeconds(1))).isTrue();

    Run found = runs.find(run.id()).orElseThrow();
    assertThat(found.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(found.completedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(runs.findActive(run.jobId())).isEmpty();
    assertThat(claimNext("node-a", T0.plusSeconds(2), LEASE)).isEmpty();
  }

  @Test
  void a_running_run_is_flagged_and_its_owner_sees_the_request_on_renewal() {
    Run claimed = claimOne("cancel-running");

    assertThat(runs.requestCancel(claimed.id(), T0.plusSeconds(1))).isTrue();

    Run found = runs.find(claimed.id()).orElseThrow();
    assertThat(found.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(found.cancelRequested()).isTrue();
    assertThat(runs.renewLease(claimed.id(), claimed.fence(), T0.plusSeconds(60)))
        .isEqualTo(LeaseState.CANCEL_REQUESTED);
  }

  @Test
  void cancelling_a_finished_or_unknown_run_does_nothing() {
    Run claimed = claimOne("cancel-finished");
    runs.complete(claimed.id(), claimed.fence(), outcome(RunStatus.SUCCESS), T0.plusSeconds(3));

    assertThat(runs.requestCancel(claimed.id(), T0.plusSeconds(4))).isFalse();
    assertThat(runs.find(claimed.id()).orElseThrow().status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(runs.requestCancel(new RunId(UUID.randomUUID()), T0)).isFalse();
  }

  @Test
  void progress_is_stored_only_while_the_fence_matches() {
    Run claimed = claimOne("progressing");
    Progress progress = new Progress(3, 10, 3000, 10_000, "dir/file-3.bin", 1500);

    assertThat(runs.updateProgress(claimed.id(), claimed.fence(), progress)).isTrue();
    assertThat(runs.updateProgress(claimed.id(), claimed.fence() + 1, Progress.NONE)).isFalse();

    assertThat(runs.find(claimed.id()).orElseThrow().progress()).isEqualTo(progress);
  }

  @Test
  void complete_records_the_outcome_and_frees_the_job() {
    Run claimed = claimOne("completing");
    RunOutcome outcome =
        new RunOutcome(
            RunStatus.SUCCESS,
            new Progress(10, 10, 500, 500, null, 0),
            null,
            "20260301T100005Z",
            3);

    assertThat(runs.complete(claimed.id(), claimed.fence(), outcome, T0.plusSeconds(5))).isTrue();

    Run found = runs.find(claimed.id()).orElseThrow();
    assertThat(found.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(found.filesSkipped()).isEqualTo(3);
    assertThat(runs.history(claimed.jobId(), 10, 0).get(0).filesSkipped()).isEqualTo(3);
    assertThat(found.progress()).isEqualTo(outcome.progress());
    assertThat(found.version()).isEqualTo("20260301T100005Z");
    assertThat(found.completedAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(found.owner()).isEqualTo("node-a");
    assertThat(runs.findActive(claimed.jobId())).isEmpty();
    assertThat(runs.renewLease(claimed.id(), claimed.fence(), T0.plusSeconds(60)))
        .isEqualTo(LeaseState.LOST);
  }

  @Test
  void a_completion_with_a_follow_up_queues_it_as_the_jobs_pending_run_in_the_same_step() {
    Run claimed = claimOne("followed");
    Run resume =
        Run.pending(
                new RunId(UUID.randomUUID()),
                claimed.jobId(),
                Trigger.RESUME,
                null,
                T0.plusSeconds(5),
                0)
            .withNotBefore(T0.plusSeconds(6));
    RunOutcome interrupted =
        new RunOutcome(RunStatus.CANCELLED, Progress.NONE, "interrupted by shutdown", null);

    assertThat(runs.complete(claimed.id(), claimed.fence(), interrupted, T0.plusSeconds(5), resume))
        .isTrue();

    assertThat(runs.find(claimed.id()).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(runs.findActive(claimed.jobId())).contains(resume);
    assertThat(claimNext("node-b", T0.plusSeconds(5), LEASE)).isEmpty();
    Run next = claimNext("node-b", T0.plusSeconds(6), LEASE).orElseThrow();
    assertThat(next.id()).isEqualTo(resume.id());
    assertThat(next.trigger()).isEqualTo(Trigger.RESUME);
  }

  @Test
  void a_refused_completion_queues_no_follow_up() {
    Run claimed = claimOne("refused-follow-up");
    Run retry = manualRun(claimed.jobId(), T0.plusSeconds(5));

    assertThat(
            runs.complete(
                claimed.id(),
                claimed.fence() + 1,
                outcome(RunStatus.FAILED),
                T0.plusSeconds(5),
                retry))
        .isFalse();

    assertThat(runs.find(retry.id())).isEmpty();
    assertThat(runs.findActive(claimed.jobId()).orElseThrow().id()).isEqualTo(claimed.id());
  }

  @Test
  void concurrent_completions_queue_the_follow_ups_of_the_runs_they_ended_only() throws Exception {
    int count = 20;
    for (int i = 0; i < count; i++) {
      runs.insert(manualRun(newJob("followed-" + i), T0.plusMillis(i)));
    }
    List<Run> claimed = claimRuns("node-a", T0.plusSeconds(1), LEASE, count);
    assertThat(claimed).hasSize(count);
    List<Run> followUps = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      followUps.add(i % 2 == 0 ? null : manualRun(claimed.get(i).jobId(), T0.plusSeconds(10 + i)));
    }

    List<Boolean> written =
        concurrently(
            count,
            i -> {
              Run r = claimed.get(i);
              long fence = i % 3 == 0 ? r.fence() + 1 : r.fence();
              return runs.complete(
                  r.id(), fence, outcome(RunStatus.FAILED), T0.plusSeconds(10), followUps.get(i));
            });

    for (int i = 0; i < count; i++) {
      assertThat(written.get(i)).isEqualTo(i % 3 != 0);
      Optional<Run> active = runs.findActive(claimed.get(i).jobId());
      if (i % 3 == 0) {
        assertThat(active.orElseThrow().id()).isEqualTo(claimed.get(i).id());
      } else if (followUps.get(i) != null) {
        assertThat(active).contains(followUps.get(i));
      } else {
        assertThat(active).isEmpty();
      }
    }
  }

  @Test
  void a_late_owner_cannot_overwrite_a_run_another_instance_failed_as_interrupted() {
    Run claimed = claimOne("late-owner");
    Instant afterLease = LEASE.plusSeconds(1);
    List<Run> expired = runs.expired(afterLease);
    assertThat(expired).extracting(Run::id).containsExactly(claimed.id());
    Run dead = expired.get(0);

    boolean survivorWon =
        runs.complete(dead.id(), dead.fence(), RunOutcome.failed("interrupted"), afterLease);
    boolean secondSurvivorWon =
        runs.complete(dead.id(), dead.fence(), RunOutcome.failed("interrupted"), afterLease);
    boolean lateOwnerWon =
        runs.complete(
            claimed.id(), claimed.fence(), outcome(RunStatus.SUCCESS), afterLease.plusSeconds(1));

    assertThat(survivorWon).isTrue();
    assertThat(secondSurvivorWon).isFalse();
    assertThat(lateOwnerWon).isFalse();
    Run found = runs.find(claimed.id()).orElseThrow();
    assertThat(found.status()).isEqualTo(RunStatus.FAILED);
    assertThat(found.error()).isEqualTo("interrupted");
    assertThat(runs.expired(afterLease)).isEmpty();
  }

  @Test
  void expired_lists_running_runs_whose_lease_ended_before_now() {
    Run shortLease = manualRun(newJob("short-lease"), T0);
    Run longLease = manualRun(newJob("long-lease"), T0.plusSeconds(1));
    runs.insert(shortLease);
    runs.insert(longLease);
    claimNext("node-a", T0.plusSeconds(2), T0.plusSeconds(10));
    claimNext("node-b", T0.plusSeconds(2), T0.plusSeconds(100));
    runs.insert(manualRun(newJob("still-pending"), T0));

    assertThat(runs.expired(T0.plusSeconds(10))).isEmpty();
    assertThat(runs.expired(T0.plusSeconds(11)))
        .extracting(Run::id)
        .containsExactly(shortLease.id());
  }

  @Test
  void active_lists_pending_and_running_runs_only() {
    Run running = claimOne("is-running");
    Run pending = manualRun(newJob("is-pending"), T0.plusSeconds(1));
    runs.insert(pending);
    Run done = manualRun(newJob("is-done"), T0.plusSeconds(2));
    runs.insert(done);
    runs.requestCancel(done.id(), T0.plusSeconds(3));

    assertThat(runs.active())
        .extracting(Run::id)
        .containsExactlyInAnyOrder(running.id(), pending.id());
  }

  @Test
  void history_is_newest_first_and_paged() {
    JobId job = newJob("with-history");
    List<RunId> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Run run = manualRun(job, T0.plusSeconds(i));
      runs.insert(run);
      Run claimed = claimNext("node-a", T0.plusSeconds(i), LEASE).orElseThrow();
      runs.complete(
          claimed.id(), claimed.fence(), outcome(RunStatus.SUCCESS), T0.plusSeconds(i + 1));
      ids.add(run.id());
    }

    assertThat(runs.count(job)).isEqualTo(5);
    assertThat(runs.history(job, 2, 0)).extracting(Run::id).containsExactly(ids.get(4), ids.get(3));
    assertThat(runs.history(job, 10, 3))
        .extracting(Run::id)
        .containsExactly(ids.get(1), ids.get(0));
    assertThat(runs.history(newJob("no-history"), 10, 0)).isEmpty();
  }

  @Test
  void retention_deletes_at_most_a_batch_of_finished_runs_older_than_the_cutoff() {
    List<RunId> old = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Run run = manualRun(newJob("old-" + i), T0);
      runs.insert(run);
      runs.requestCancel(run.id(), T0.plusSeconds(i));
      old.add(run.id());
    }
    Run recent = manualRun(newJob("recent"), T0);
    runs.insert(recent);
    runs.requestCancel(recent.id(), T0.plusSeconds(100));
    Run stillPending = manualRun(newJob("old-but-pending"), T0.minusSeconds(1000));
    runs.insert(stillPending);
    Instant cutoff = T0.plusSeconds(50);

    assertThat(runs.deleteFinishedBefore(cutoff, 3)).isEqualTo(3);
    assertThat(runs.deleteFinishedBefore(cutoff, 3)).isEqualTo(2);
    assertThat(runs.deleteFinishedBefore(cutoff, 3)).isZero();

    assertThat(old).allMatch(id -> runs.find(id).isEmpty());
    assertThat(runs.find(recent.id())).isPresent();
    assertThat(runs.find(stillPending.id())).isPresent();
  }

  /** The run a claim of one takes, if any. */
  private Optional<Run> claimNext(String owner, Instant now, Instant leaseUntil) {
    return runs.claim(owner, now, leaseUntil, 1).stream()
        .findFirst()
        .map(RunRepository.Claimed::run);
  }

  /** The runs a claim of up to {@code max} takes, in its order. */
  private List<Run> claimRuns(String owner, Instant now, Instant leaseUntil, int max) {
    return runs.claim(owner, now, leaseUntil, max).stream()
        .map(RunRepository.Claimed::run)
        .toList();
  }

  private Run claimOne(String jobName) {
    Run run = manualRun(newJob(jobName), T0);
    runs.insert(run);
    return claimNext("node-a", T0, LEASE).orElseThrow();
  }

  private static RunOutcome outcome(RunStatus status) {
    return new RunOutcome(
        status, Progress.NONE, status == RunStatus.SUCCESS ? null : "it failed", null);
  }

  /** Runs {@code work} on {@code threads} threads released together; returns their results. */
  protected static <T> List<T> concurrently(int threads, IndexedWork<T> work) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        Callable<T> task =
            () -> {
              start.await();
              return work.run(index);
            };
        futures.add(pool.submit(task));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(120, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Work for one of several threads, given its index. */
  @FunctionalInterface
  protected interface IndexedWork<T> {
    T run(int index) throws Exception;
  }

  @Test
  void claim_marks_the_job_running_and_completion_records_its_status_in_the_same_step() {
    JobId job = newJob("status-kept");
    runs.insert(manualRun(job, T0));
    Run claimed = claimNext("me", T0.plusSeconds(1), LEASE).orElseThrow();
    assertThat(jobs.find(job).orElseThrow().status())
        .isEqualTo(dev.syncjobs.core.model.JobStatus.RUNNING);
    assertThat(jobs.find(job).orElseThrow().lastRunAt()).isEqualTo(T0.plusSeconds(1));

    runs.complete(
        claimed.id(),
        claimed.fence(),
        new RunOutcome(RunStatus.FAILED, Progress.NONE, "source unreachable", null),
        T0.plusSeconds(5));
    Job after = jobs.find(job).orElseThrow();
    assertThat(after.status()).isEqualTo(dev.syncjobs.core.model.JobStatus.FAILED);
    assertThat(after.lastError()).isEqualTo("source unreachable");
    assertThat(after.lastRunAt()).isEqualTo(T0.plusSeconds(5));

    runs.insert(manualRun(job, T0.plusSeconds(6)));
    Run second = claimNext("me", T0.plusSeconds(7), LEASE).orElseThrow();
    runs.complete(
        second.id(),
        second.fence(),
        new RunOutcome(RunStatus.SUCCESS, Progress.NONE, null, "20260301T100007Z"),
        T0.plusSeconds(9));
    assertThat(jobs.find(job).orElseThrow().status())
        .isEqualTo(dev.syncjobs.core.model.JobStatus.SYNCED);
    assertThat(jobs.find(job).orElseThrow().lastError()).isNull();
  }

  @Test
  void a_refused_completion_leaves_the_jobs_status_alone() {
    JobId job = newJob("status-fenced");
    runs.insert(manualRun(job, T0));
    Run claimed = claimNext("me", T0, LEASE).orElseThrow();
    assertThat(
            runs.complete(
                claimed.id(),
                claimed.fence() + 1,
                new RunOutcome(RunStatus.SUCCESS, Progress.NONE, null, "v"),
                T0.plusSeconds(2)))
        .isFalse();
    assertThat(jobs.find(job).orElseThrow().status())
        .isEqualTo(dev.syncjobs.core.model.JobStatus.RUNNING);
  }

  @Test
  void concurrent_completions_each_record_their_own_outcome_and_a_stale_fence_is_refused_alone()
      throws Exception {
    int count = 20;
    for (int i = 0; i < count; i++) {
      runs.insert(manualRun(newJob("finishing-" + i), T0.plusMillis(i)));
    }
    List<Run> claimed = claimRuns("node-a", T0.plusSeconds(1), LEASE, count);
    assertThat(claimed).hasSize(count);

    List<Boolean> written =
        concurrently(
            count,
            i -> {
              Run r = claimed.get(i);
              long fence = i % 5 == 0 ? r.fence() + 1 : r.fence();
              RunStatus status = i % 2 == 0 ? RunStatus.SUCCESS : RunStatus.FAILED;
              return runs.complete(
                  r.id(),
                  fence,
                  new RunOutcome(
                      status,
                      new Progress(i, i, i, i, null, 0),
                      status == RunStatus.FAILED ? "error " + i : null,
                      status == RunStatus.SUCCESS ? "v" + i : null),
                  T0.plusSeconds(10 + i));
            });

    for (int i = 0; i < count; i++) {
      Run r = runs.find(claimed.get(i).id()).orElseThrow();
      Job job = jobs.find(r.jobId()).orElseThrow();
      if (i % 5 == 0) {
        assertThat(written.get(i)).isFalse();
        assertThat(r.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(job.status()).isEqualTo(dev.syncjobs.core.model.JobStatus.RUNNING);
        continue;
      }
      RunStatus status = i % 2 == 0 ? RunStatus.SUCCESS : RunStatus.FAILED;
      assertThat(written.get(i)).isTrue();
      assertThat(r.status()).isEqualTo(status);
      assertThat(r.progress()).isEqualTo(new Progress(i, i, i, i, null, 0));
      assertThat(r.completedAt()).isEqualTo(T0.plusSeconds(10 + i));
      assertThat(r.error()).isEqualTo(status == RunStatus.FAILED ? "error " + i : null);
      assertThat(r.version()).isEqualTo(status == RunStatus.SUCCESS ? "v" + i : null);
      assertThat(job.status()).isEqualTo(dev.syncjobs.core.model.JobStatus.after(status));
      assertThat(job.lastRunAt()).isEqualTo(T0.plusSeconds(10 + i));
      assertThat(job.lastError()).isEqualTo(r.error());
    }
  }

  @Test
  void claim_takes_at_most_max_due_runs_oldest_first() {
    List<RunId> inserted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JobId job = newJob("batch-" + i);
      Run run = manualRun(job, T0.plusSeconds(i));
      runs.insert(run);
      inserted.add(run.id());
    }
    JobId later = newJob("batch-later");
    runs.insert(manualRun(later, T0.plusSeconds(100)).withNotBefore(T0.plusSeconds(100)));

    List<Run> first = claimRuns("me", T0.plusSeconds(10), LEASE, 3);
    assertThat(first).extracting(Run::id).containsExactlyElementsOf(inserted.subList(0, 3));
    assertThat(first).allMatch(r -> r.status() == RunStatus.RUNNING && "me".equals(r.owner()));
    List<Run> rest = claimRuns("you", T0.plusSeconds(10), LEASE, 10);
    assertThat(rest).extracting(Run::id).containsExactlyElementsOf(inserted.subList(3, 5));
    assertThat(claimRuns("you", T0.plusSeconds(10), LEASE, 10)).isEmpty();
  }

  @Test
  void a_claim_returns_each_runs_own_job_as_running_where_the_store_reads_it() {
    List<RunId> inserted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Run run = manualRun(newJob("with-job-" + i), T0.plusSeconds(i));
      runs.insert(run);
      inserted.add(run.id());
    }
    Instant now = T0.plusSeconds(10);

    List<RunRepository.Claimed> first = runs.claim("me", now, LEASE, 3);
    List<RunRepository.Claimed> rest = runs.claim("you", now, LEASE, 10);

    assertThat(first)
        .extracting(c -> c.run().id())
        .containsExactlyElementsOf(inserted.subList(0, 3));
    assertThat(rest)
        .extracting(c -> c.run().id())
        .containsExactlyElementsOf(inserted.subList(3, 5));
    assertThat(runs.claim("you", now, LEASE, 10)).isEmpty();
    List<RunRepository.Claimed> all = new ArrayList<>(first);
    all.addAll(rest);
    for (RunRepository.Claimed c : all) {
      assertThat(runs.find(c.run().id())).contains(c.run());
      assertThat(c.run().status()).isEqualTo(RunStatus.RUNNING);
      if (claimReadsJobs()) {
        assertThat(c.job()).as("the job of run %s", c.run().id()).isNotNull();
      }
      if (c.job() != null) {
        assertThat(c.job().id()).isEqualTo(c.run().jobId());
        assertThat(c.job().status()).isEqualTo(dev.syncjobs.core.model.JobStatus.RUNNING);
        assertThat(c.job().lastRunAt()).isEqualTo(now);
        assertThat(jobs.find(c.job().id())).contains(c.job());
      }
    }
  }
}
