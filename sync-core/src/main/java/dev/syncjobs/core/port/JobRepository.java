package dev.syncjobs.core.port;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.Schedule;
import java.time.Instant;
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

  /**
   * The enabled jobs whose schedule is not manual and that have no next occurrence (a server plans
   * them at start). The default reads {@link #list()}; a database answers from a query.
   */
  default List<Job> unplanned() {
    return list().stream()
        .filter(j -> j.enabled() && j.nextRunAt() == null)
        .filter(j -> !(j.schedule() instanceof Schedule.Manual))
        .toList();
  }

  /**
   * The jobs other than {@code job} itself that it clashes with, ordered by name: the same name
   * ignoring case, or a destination that {@linkplain Destination#overlaps overlaps} its own (the
   * two would prune each other's versions). The default reads {@link #list()}; a database answers
   * from a query, so saving a job does not read every job.
   */
  default List<Job> clashing(Job job) {
    return list().stream()
        .filter(o -> !o.id().equals(job.id()))
        .filter(
            o ->
                o.name().equalsIgnoreCase(job.name())
                    || o.destination().overlaps(job.destination()))
        .toList();
  }

  /**
   * The job with this name ignoring case (names are unique ignoring case), if there is one. The
   * default reads {@link #list()}; a store with an index on the name may answer from it.
   */
  default Optional<Job> findByName(String name) {
    return list().stream().filter(j -> j.name().equalsIgnoreCase(name)).findFirst();
  }

  /** Enabled jobs whose {@code nextRunAt} is at or before {@code now}, oldest first. */
  List<Job> due(Instant now, int limit);

  /**
   * The earliest {@code next_run_at} of an enabled job, due or not; empty when no enabled job has
   * one. The scheduler sleeps until then.
   */
  Optional<Instant> nextDueAt();

  /**
   * Fires due occurrences: reads up to {@code limit} jobs due at {@code now} ({@link #due}), asks
   * {@code plan} for each one's {@link Firing}, and fires each atomically: when the job's {@code
   * nextRunAt} is still the one read, sets it to the firing's and inserts its run (pending) — or,
   * when the job already has an active run, a {@link Run#skipped skipped} record for the same
   * occurrence instead. Returns each job read, as it was read, with its result, oldest first.
   *
   * <p>A store shared by several instances may hand a due job to one caller at a time, and leave it
   * out of the others' batches meanwhile, so that instances firing a burst together divide it
   * instead of each planning every occurrence and losing most of the races: a batch smaller than
   * {@code limit} does not mean that no job is due.
   *
   * @throws IllegalArgumentException when a firing's run belongs to another job
   */
  List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan);

  /**
   * What to do with a due job's occurrence: move the job's {@code nextRunAt} to {@code nextRunAt}
   * and insert {@code run}, the occurrence's pending run; {@code run} null only advances (misfire
   * policy {@code skip}).
   */
  record Firing(Instant nextRunAt, Run run) {}

  /** A job {@link #fireDue} read, as it was read, and what firing it did. */
  record Fired(Job job, FireResult result) {}

  /** What firing a due job did. */
  enum FireResult {
    /** The run was inserted and {@code nextRunAt} advanced. */
    FIRED,
    /** The job had an active run: a skipped record was inserted and {@code nextRunAt} advanced. */
    SKIPPED,
    /** Only {@code nextRunAt} was advanced (no run was given). */
    ADVANCED,
    /**
     * {@code nextRunAt} had changed since it was read: someone else fired or rescheduled it.
     * Nothing was written.
     */
    LOST
  }
}
