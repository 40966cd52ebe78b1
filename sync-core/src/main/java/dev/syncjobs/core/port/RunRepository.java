package dev.syncjobs.core.port;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable store of runs and the claims that make execution safe: at most one active (pending or
 * running) run per job, one run per scheduled occurrence, and leases with fencing so a late owner
 * cannot overwrite a result.
 */
public interface RunRepository {

  /**
   * Inserts a new pending run, unless the job already has an active run or a run for the same
   * {@code scheduledFor} exists. Enforced by the store itself, so it holds across threads and
   * instances.
   */
  InsertResult insert(Run run);

  Optional<Run> find(RunId id);

  /** The job's pending or running run, if any. */
  Optional<Run> findActive(JobId jobId);

  /** A job's runs, newest first. */
  List<Run> history(JobId jobId, int limit, int offset);

  long count(JobId jobId);

  /**
   * For every job with a successful run among its newest {@code lastRuns} runs, the mean time from
   * start to completion of those successful runs: what a list of jobs shows beside each job, read
   * in one step however many jobs there are.
   */
  Map<JobId, Duration> averageSuccessDuration(int lastRuns);

  /**
   * Claims up to {@code max} pending runs whose {@code notBefore} is at or before {@code now},
   * oldest first, in one step where the store can (one statement and one commit for the batch):
   * each becomes running, owned by {@code owner} until {@code leaseUntil}, started at {@code now},
   * and its fence is raised; in the same step its job's status becomes running and {@code
   * last_run_at} {@code now}. Two callers never claim the same run. Each run comes with its job
   * where the store reads it in the same step (a JDBC store on PostgreSQL reads them in the claim's
   * own statement), else with a null job for the caller to look up.
   */
  List<Claimed> claim(String owner, Instant now, Instant leaseUntil, int max);

  /**
   * A claimed run and its job as read in the same step as the claim, or with a null job when it was
   * not read there (the caller looks it up; it may have been deleted meanwhile).
   */
  record Claimed(Run run, Job job) {}

  /** Extends a running run's lease when {@code fence} still matches. */
  LeaseState renewLease(RunId id, long fence, Instant leaseUntil);

  /** Stores progress when {@code fence} still matches and the run is running; false otherwise. */
  boolean updateProgress(RunId id, long fence, Progress progress);

  /**
   * Ends a running run when {@code fence} still matches, and in the same transaction records its
   * job's status ({@link dev.syncjobs.core.model.JobStatus#after}), {@code last_run_at} and {@code
   * last_error}; false when the run is no longer this owner's (its lease expired and someone failed
   * it), in which case nothing was written.
   */
  default boolean complete(RunId id, long fence, RunOutcome outcome, Instant completedAt) {
    return complete(id, fence, outcome, completedAt, null);
  }

  /**
   * {@link #complete(RunId, long, RunOutcome, Instant)}, and in the same transaction inserts {@code
   * followUp}, a pending run of the same job (the retry or resume that follows this run), so a
   * crash cannot record the outcome without the run that follows it. Both are written or neither:
   * false when the run is no longer this owner's. The follow-up obeys the rules of {@link #insert};
   * it is not refused, since the run it follows was its job's one active run.
   *
   * @param followUp the pending run to queue, or null for none
   */
  boolean complete(RunId id, long fence, RunOutcome outcome, Instant completedAt, Run followUp);

  /**
   * Asks a run to stop: a pending run is cancelled at once, a running one is flagged (its owner
   * sees the flag on its next lease renewal). False when the run is not active.
   */
  boolean requestCancel(RunId id, Instant now);

  /** Every pending or running run. */
  List<Run> active();

  /** Running runs whose lease ended before {@code now}. */
  List<Run> expired(Instant now);

  /**
   * Deletes at most {@code batch} finished runs completed before {@code cutoff}; returns how many.
   */
  int deleteFinishedBefore(Instant cutoff, int batch);

  /** Result of {@link #insert}. */
  enum InsertResult {
    INSERTED,
    ACTIVE_RUN_EXISTS,
    DUPLICATE_OCCURRENCE
  }

  /** Result of {@link #renewLease}. */
  enum LeaseState {
    RENEWED,
    /** Renewed, and a cancel was requested: stop the run. */
    CANCEL_REQUESTED,
    /** The run is no longer ours: stop without writing a result. */
    LOST
  }
}
