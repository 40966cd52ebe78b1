package dev.syncjobs.core.port;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.Run;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Durable store of jobs, including the atomic firing of a due occurrence. */
public interface JobRepository {

  /**
   * Stores a new job.
   *
   * @throws ConflictException (field {@code name}) when another job has the same name ignoring case
   */
  void create(Job job);

  /**
   * Replaces a job's configuration and {@code nextRunAt}; its status fields are left as stored.
   *
   * @throws NotFoundException when the job does not exist
   * @throws ConflictException (field {@code name}) on a duplicate name
   */
  void update(Job job);

  /** Deletes a job and its runs; false when it did not exist. */
  boolean delete(JobId id);

  Optional<Job> find(JobId id);

  /**
   * The jobs with the given ids that exist, in one read where the store can (the jobs of a batch of
   * claimed runs); unknown ids are left out.
   */
  default Map<JobId, Job> findAll(Collection<JobId> ids) {
    Map<JobId, Job> found = new HashMap<>();
    for (JobId id : ids) {
      find(id).ifPresent(job -> found.put(id, job));
    }
    return found;
  }

  /** All jobs, ordered by name. */
  List<Job> list();

  /** Enabled jobs whose {@code nextRunAt} is at or before {@code now}, oldest first. */
  List<Job> due(Instant now, int limit);

  /**
   * The earliest {@code next_run_at} of an enabled job, due or not; empty when no enabled job has
   * one. The scheduler sleeps until then.
   */
  Optional<Instant> nextDueAt();

  /**
   * Fires one occurrence atomically: when the job's {@code nextRunAt} still equals {@code
   * expectedNextRunAt}, sets it to {@code newNextRunAt} and inserts {@code run} (pending) — or,
   * when the job already has an active run, a {@link Run#skipped skipped} record for the same
   * occurrence instead. {@code run} may be null to only advance (misfire policy {@code skip}).
   *
   * @return what happened; {@link FireResult#LOST} (another instance fired it first) is not an
   *     error
   */
  FireResult fire(JobId id, Instant expectedNextRunAt, Instant newNextRunAt, Run run);

  /**
   * Fires several occurrences, each exactly as {@link #fire} does, in one transaction where the
   * store can; the results are in the order of {@code firings}.
   */
  default List<FireResult> fireAll(List<Firing> firings) {
    return firings.stream()
        .map(f -> fire(f.jobId(), f.expectedNextRunAt(), f.newNextRunAt(), f.run()))
        .toList();
  }

  /** One occurrence to fire: the arguments of {@link #fire}. */
  record Firing(JobId jobId, Instant expectedNextRunAt, Instant newNextRunAt, Run run) {}

  /**
   * Reads up to {@code limit} jobs due at {@code now} ({@link #due}), asks {@code plan} for each
   * one's firing (its {@code jobId} and {@code expectedNextRunAt} are the job's), and fires them
   * ({@link #fireAll}); returns each job read with its result, oldest first. A store shared by
   * several instances may hand a due job to one caller at a time, and leave it out of the others'
   * batches meanwhile, so that instances firing a burst together divide it instead of each planning
   * every occurrence and losing most of the races: a batch smaller than {@code limit} does not mean
   * that no job is due.
   */
  default List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan) {
    List<Job> due = due(now, limit);
    return Fired.all(due, fireAll(due.stream().map(plan).toList()));
  }

  /** A job {@link #fireDue} read, as it was read, and what firing it did. */
  record Fired(Job job, FireResult result) {
    /** Each job with its result: {@code results} in the order of {@code jobs}. */
    public static List<Fired> all(List<Job> jobs, List<FireResult> results) {
      List<Fired> fired = new ArrayList<>(jobs.size());
      for (int i = 0; i < jobs.size(); i++) {
        fired.add(new Fired(jobs.get(i), results.get(i)));
      }
      return fired;
    }
  }

  /** Records the outcome of a job's latest run. */
  void recordStatus(JobId id, JobStatus status, Instant lastRunAt, String lastError);

  /** The result of {@link #fire}. */
  enum FireResult {
    /** The run was inserted and {@code nextRunAt} advanced. */
    FIRED,
    /** The job had an active run: a skipped record was inserted and {@code nextRunAt} advanced. */
    SKIPPED,
    /** Only {@code nextRunAt} was advanced (no run was given). */
    ADVANCED,
    /** {@code nextRunAt} had changed: someone else fired or rescheduled it. Nothing was written. */
    LOST
  }
}
