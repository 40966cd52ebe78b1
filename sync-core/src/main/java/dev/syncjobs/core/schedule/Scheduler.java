package dev.syncjobs.core.schedule;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.OccurrenceListener;
import dev.syncjobs.core.run.Loop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due occurrences, a batch of due jobs at a time ({@link JobRepository#fireDue}, which on
 * PostgreSQL hands each due job to one instance at a time). Each occurrence is fired atomically
 * (the conditional advance of {@code next_run_at} plus the insert of its run), so across threads
 * and instances it fires once; an occurrence due while the job's previous run is still active is
 * recorded as skipped. An occurrence older than the misfire grace follows the job's {@link
 * MisfirePolicy}.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final JobRepository jobs;
  private final SchedulePlanner planner;
  private final Clock clock;
  private final Supplier<UUID> ids;
  private final Duration misfireGrace;
  private final Runnable onFired;
  private final Loop loop;
  private volatile Instant lastTick;
  private volatile OccurrenceListener occurrences = OccurrenceListener.NONE;

  /**
   * @param misfireGrace an occurrence found later than this after its time is a misfire
   * @param onFired called once after a round that fired runs, when every due occurrence is in
   *     (wakes the worker; firing a burst does not compete with the runs it has already started,
   *     and the worker's own poll still picks runs up during a long round)
   */
  public Scheduler(
      JobRepository jobs,
      SchedulePlanner planner,
      Clock clock,
      Supplier<UUID> ids,
      Duration misfireGrace,
      Duration pollInterval,
      Runnable onFired) {
    this.jobs = jobs;
    this.planner = planner;
    this.clock = clock;
    this.ids = ids;
    this.misfireGrace = misfireGrace;
    this.onFired = onFired;
    this.loop = new Loop("syncjobs-scheduler", pollInterval, this::fireDueAndPlanWait);
  }

  /**
   * Fires what is due, then returns how long to sleep: until the next occurrence of any job (a
   * millisecond after it), so it fires on time rather than up to a poll interval late; the loop
   * sleeps no longer than its poll interval anyway, which is how changes made by other instances
   * are seen.
   */
  private Duration fireDueAndPlanWait() {
    fireDue();
    Optional<Instant> next = jobs.nextDueAt();
    if (next.isEmpty()) {
      return null;
    }
    Duration wait = Duration.between(clock.instant(), next.get()).plusMillis(1);
    return wait.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait;
  }

  /**
   * The shortest sleep between rounds: a job still due right after a round (another instance is
   * firing it) must not make the loop spin.
   */
  private static final Duration MIN_WAIT = Duration.ofMillis(10);

  /** Fires every due occurrence once; returns how many runs were inserted (fired or skipped). */
  public int fireDue() {
    int fired = 0;
    List<JobRepository.Fired> batch;
    try {
      do {
        Instant now = clock.instant();
        batch = jobs.fireDue(now, FIRE_BATCH, job -> firing(job, now));
        if (batch.size() == FIRE_BATCH && burstSince == 0) {
          burstSince = System.nanoTime() | 1;
        }
        for (JobRepository.Fired f : batch) {
          Job job = f.job();
          switch (f.result()) {
            case FIRED -> {
              fired++;
              tell(job, now, false);
            }
            case SKIPPED -> {
              fired++;
              tell(job, now, true);
              log.info(
                  "job {}: occurrence {} skipped, the previous run is still active",
                  job.name(),
                  job.nextRunAt());
            }
            case ADVANCED ->
                log.info(
                    "job {}: missed occurrence {} dropped (misfire policy skip)",
                    job.name(),
                    job.nextRunAt());
            case LOST -> {}
          }
        }
        // a smaller batch: nothing else is due, or other instances are firing the rest right now
      } while (batch.size() == FIRE_BATCH);
    } finally {
      burstSince = 0;
    }
    lastTick = clock.instant();
    if (fired > 0) {
      onFired.run();
    }
    return fired;
  }

  /** Occurrences fired per transaction. */
  static final int FIRE_BATCH = 500;

  /** When the round in progress found a burst (a full batch, more to come); 0 when none. */
  private volatile long burstSince;

  /** How long a burst may hold up the claiming of runs ({@link #firingBurst}). */
  private static final Duration BURST_HOLD = Duration.ofSeconds(1);

  /**
   * Whether this scheduler is firing a burst of occurrences due together, for at most a second so
   * far: the worker then waits before claiming, so that every occurrence is recorded on time
   * instead of sharing the CPU with the runs already fired (their execution waits no longer in
   * total: the same work comes first or later).
   */
  public boolean firingBurst() {
    long since = burstSince;
    return since != 0 && System.nanoTime() - since < BURST_HOLD.toNanos();
  }

  /**
   * The firing of a due job's occurrence at {@code now}: its run, or for a misfire what the job's
   * policy says, and its next occurrence.
   */
  private JobRepository.Firing firing(Job job, Instant now) {
    Instant due = job.nextRunAt();
    Instant next = nextOccurrence(job, due);
    boolean misfire =
        Duration.between(due, now).compareTo(misfireGrace) > 0
            || (next != null && !next.isAfter(now));
    Run run;
    if (misfire) {
      next = nextOccurrence(job, now);
      run =
          job.misfirePolicy() == MisfirePolicy.RUN_ONCE
              ? Run.pending(new RunId(ids.get()), job.id(), Trigger.SCHEDULE, due, now, 0)
              : null;
    } else {
      run = Run.pending(new RunId(ids.get()), job.id(), Trigger.SCHEDULE, due, now, 0);
    }
    return new JobRepository.Firing(next, run);
  }

  /**
   * The job's next occurrence after {@code after}; null if it has none, or if its schedule is one
   * the planner refuses (stored before a rule that refuses it, such as a step on a single value):
   * one job's schedule must not stop the firing of the others, which share its transaction.
   */
  private Instant nextOccurrence(Job job, Instant after) {
    try {
      return planner.next(job.schedule(), job.zone(), after).orElse(null);
    } catch (ValidationException e) {
      log.error(
          "job {}: {}; it fires no more until its schedule is changed", job.name(), e.getMessage());
      return null;
    }
  }

  /** Tells {@code listener} of every occurrence this scheduler fires from now on. */
  public void listen(OccurrenceListener listener) {
    this.occurrences = java.util.Objects.requireNonNull(listener, "listener");
  }

  private void tell(Job job, Instant firedAt, boolean skipped) {
    try {
      occurrences.fired(job, job.nextRunAt(), firedAt, skipped);
    } catch (RuntimeException e) {
      // monitoring must not stop the firing of the other occurrences
      log.warn("occurrence listener failed: {}", e.toString());
    }
  }

  /** When the loop last looked for due jobs (for health checks), or null. */
  public Instant lastTick() {
    return lastTick;
  }

  /**
   * Starts the loop that fires due occurrences on time (and looks at least every poll interval).
   */
  public void start() {
    loop.start();
  }

  /** Makes the loop look now (after a schedule changed). */
  public void wakeUp() {
    loop.wakeUp();
  }

  @Override
  public void close() {
    loop.close();
  }
}
