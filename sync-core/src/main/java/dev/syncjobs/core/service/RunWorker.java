package dev.syncjobs.core.service;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.Notifier;
import dev.syncjobs.core.port.ProgressPublisher;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims pending runs (at most {@code maxConcurrentRuns} transferring at once), executes them with
 * the {@link SyncEngine}, renews their leases, and records their outcome, job status, progress
 * events, notifications and follow-up runs. A run gives up its slot when its transfer has ended, so
 * the next run starts while it records its outcome. Also fails runs whose owner stopped renewing
 * its lease.
 *
 * <p>Interrupted runs are followed by a {@link Trigger#RESUME resume} run that reuses their staging
 * data: a run stopped by {@link #shutdown} is recorded cancelled "interrupted by shutdown", one
 * whose process died is failed as interrupted ({@link #repairInterrupted} at start-up when this
 * instance owns every run, {@link #failExpiredLeases} otherwise).
 *
 * <p>Tests and the CLI drive it step by step ({@link #pollOnce()}, {@link #awaitIdle}); a server
 * calls {@link #start()}.
 */
public final class RunWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunWorker.class);

  /**
   * @param instanceId names this instance as a run's owner
   * @param maxConcurrentRuns runs transferring at once on this instance (as many more may be
   *     recording their outcome)
   * @param lease how long a claim holds without renewal
   * @param pollInterval how often the loop looks for work (a trigger also wakes it)
   * @param retryBaseDelay back-off before the first retry; doubled for each further one
   */
  public record Settings(
      String instanceId,
      int maxConcurrentRuns,
      Duration lease,
      Duration pollInterval,
      Duration retryBaseDelay) {
    public Settings {
      Objects.requireNonNull(instanceId, "instanceId");
      if (maxConcurrentRuns < 1) {
        throw new IllegalArgumentException("maxConcurrentRuns must be at least 1");
      }
    }

    public static Settings defaults(String instanceId) {
      return new Settings(
          instanceId, 3, Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(30));
    }
  }

  private final RunRepository runs;
  private final JobRepository jobs;
  private final RunLog runLog;
  private final SyncEngine engine;
  private final ProgressPublisher publisher;
  private final Notifier notifier;
  private final Clock clock;
  private final Settings settings;
  private final FollowUpRuns followUps;
  private final ExecutorService executor;
  private final RunLogWriter logWriter;
  private final Map<RunId, Active> active = new ConcurrentHashMap<>();

  /**
   * Runs whose transfer has ended and whose outcome is being recorded: they no longer hold a slot,
   * so the next run starts while they commit, but they keep their lease until recorded.
   */
  private final Map<RunId, Active> finishing = new ConcurrentHashMap<>();

  private final AtomicBoolean stopping = new AtomicBoolean();

  /** Runs that {@link #shutdown} stopped (not a user's cancel): each is followed by a resume. */
  private final Set<RunId> stoppedByShutdown = ConcurrentHashMap.newKeySet();

  /** The error of a run stopped by a graceful shutdown (the HTTP contract names it). */
  public static final String INTERRUPTED_BY_SHUTDOWN = "interrupted by shutdown";

  private final Loop loop;
  private long lastRenewNanos;

  private record Active(Run run, CancellationToken token) {}

  public RunWorker(
      RunRepository runs,
      JobRepository jobs,
      RunLog runLog,
      SyncEngine engine,
      ProgressPublisher publisher,
      Notifier notifier,
      Clock clock,
      Supplier<UUID> ids,
      Settings settings) {
    this.runs = runs;
    this.jobs = jobs;
    this.runLog = runLog;
    this.engine = engine;
    this.publisher = publisher;
    this.notifier = notifier;
    this.clock = clock;
    this.settings = settings;
    this.followUps = new FollowUpRuns(runLog, clock, ids, settings.retryBaseDelay());
    this.logWriter = new RunLogWriter(runLog);
    this.loop = new Loop("syncjobs-worker", settings.pollInterval(), this::tick);
    this.executor =
        Executors.newFixedThreadPool(
            // a thread per slot, and as many for runs recording their outcome
            2 * settings.maxConcurrentRuns(),
            r -> {
              Thread t = new Thread(r, "syncjobs-run");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts the background loop: claim, renew leases, fail expired ones. */
  public void start() {
    loop.start();
  }

  private void tick() {
    long now = System.nanoTime();
    if (now - lastRenewNanos > settings.lease().toNanos() / 3) {
      renewLeases();
      failExpiredLeases();
      lastRenewNanos = now;
    }
    if (!holdClaims.getAsBoolean()) {
      pollOnce();
    }
  }

  private volatile BooleanSupplier holdClaims = () -> false;

  /**
   * The background loop claims no run while {@code hold} says so (leases are still renewed and
   * {@link #pollOnce} still claims when called); {@link SyncRuntime} holds claims while its
   * scheduler fires a burst, and the scheduler wakes the worker when it is done.
   */
  public void holdClaimsWhile(BooleanSupplier hold) {
    this.holdClaims = Objects.requireNonNull(hold, "hold");
  }

  /** Makes the loop look for work now (after a trigger). */
  public void wakeUp() {
    loop.wakeUp();
  }

  /**
   * Claims and starts as many pending runs as there are free slots; returns how many. One caller at
   * a time: the loop and a caller of {@link #awaitIdle} would otherwise both count the same free
   * slots and together start more than {@code maxConcurrentRuns}.
   */
  public synchronized int pollOnce() {
    int started = 0;
    int free;
    while (!stopping.get() && (free = freeSlots()) > 0) {
      Instant now = clock.instant();
      List<RunRepository.Claimed> claimed =
          runs.claim(settings.instanceId(), now, now.plus(settings.lease()), free);
      if (claimed.isEmpty()) {
        break;
      }
      BatchJobs claimedJobs = new BatchJobs(claimed);
      for (RunRepository.Claimed c : claimed) {
        Run run = c.run();
        CancellationToken token = new CancellationToken();
        if (run.cancelRequested()) {
          token.cancel();
        }
        active.put(run.id(), new Active(run, token));
        if (stopping.get()) {
          // claimed while shutdown() went through `active`: stopped the same way
          stopByShutdown(run.id(), token);
        }
        executor.execute(() -> execute(c, claimedJobs, token));
        started++;
      }
    }
    return started;
  }

  /** Slots free for new runs (and a thread free for each). */
  private int freeSlots() {
    int max = settings.maxConcurrentRuns();
    return Math.min(max - active.size(), 2 * max - active.size() - finishing.size());
  }

  /** Whether a run is executing or being recorded here. */
  private boolean isHere(RunId id) {
    return active.containsKey(id) || finishing.containsKey(id);
  }

  /** Cancels a run: a pending one at once, a running one here or (via its lease) elsewhere. */
  public boolean cancel(RunId id) {
    boolean requested = runs.requestCancel(id, clock.instant());
    Active a = active.getOrDefault(id, finishing.get(id));
    if (a != null) {
      a.token().cancel();
      return true;
    }
    if (requested) {
      runs.find(id)
          .filter(r -> r.status() == RunStatus.CANCELLED)
          .ifPresent(
              r ->
                  publisher.publish(
                      new ProgressEvent(r.jobId(), r.id(), r.status(), r.progress(), r.error())));
    }
    return requested;
  }

  /**
   * Stops a run executing here whose job was deleted, removing its staging directory (nothing will
   * resume it). Returns whether the run executes here; one elsewhere stops when it finds its run
   * gone at its next lease renewal, and removes its staging directory the same way.
   */
  public boolean abandon(RunId id) {
    Active a = active.get(id);
    if (a == null) {
      return false;
    }
    a.token().abandon();
    return true;
  }

  /** Runs executing on this instance. */
  public int activeCount() {
    return active.size();
  }

  /**
   * Start-up repair for a single instance that owns its data dir (SQLite): every run left running
   * by a previous process is failed as interrupted and followed by a resume run. Pending runs stay
   * queued. Never call it in cluster mode: there a running run may belong to a live instance, and
   * only {@link #failExpiredLeases} may end it. Returns how many were repaired.
   */
  public int repairInterrupted() {
    int n = 0;
    for (Run r : runs.active()) {
      if (r.status() == RunStatus.RUNNING && !isHere(r.id())) {
        if (failInterrupted(r, "interrupted: the server stopped while it ran", Duration.ZERO)) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Fails runs whose lease expired (their owner died) and queues a resume for each; returns how
   * many. The resume waits one lease, so an owner that was only cut off from the database and comes
   * back sees its lease lost and stops before another instance takes the staging data over.
   */
  public int failExpiredLeases() {
    int n = 0;
    for (Run r : runs.expired(clock.instant())) {
      if (!isHere(r.id())
          && failInterrupted(
              r,
              "interrupted: instance " + r.owner() + " stopped renewing its lease",
              settings.lease())) {
        n++;
      }
    }
    return n;
  }

  private boolean failInterrupted(Run r, String error, Duration resumeDelay) {
    Run next =
        jobs.find(r.jobId()).map(job -> followUps.afterCrash(job, r, resumeDelay)).orElse(null);
    Instant now = clock.instant();
    if (!runs.complete(
        r.id(),
        r.fence(),
        new RunOutcome(RunStatus.FAILED, r.progress(), error, null),
        now,
        next)) {
      return false;
    }
    runLog.append(r.id(), error);
    publisher.publish(new ProgressEvent(r.jobId(), r.id(), RunStatus.FAILED, r.progress(), error));
    if (next != null) {
      followUps.queued(r, next);
    }
    return true;
  }

  /** Renews the leases of this instance's runs; cancels those cancelled elsewhere or lost. */
  public void renewLeases() {
    for (Active a : finishing.values()) {
      // recording its outcome: LOST here mostly means it was just recorded, and the fenced
      // completion decides either way
      runs.renewLease(a.run().id(), a.run().fence(), clock.instant().plus(settings.lease()));
    }
    for (Active a : active.values()) {
      Instant until = clock.instant().plus(settings.lease());
      switch (runs.renewLease(a.run().id(), a.run().fence(), until)) {
        case RENEWED -> {}
        case CANCEL_REQUESTED -> a.token().cancel();
        case LOST -> {
          // A run whose transfer ended while its lease was renewed left `active` and may already
          // be recorded: that is not a lost lease, and its fenced completion decides.
          if (active.get(a.run().id()) == a) {
            if (jobs.find(a.run().jobId()).isEmpty()) {
              log.info("the job of run {} was deleted; stopping it", a.run().id());
              a.token().abandon();
            } else {
              log.warn("lost the lease of run {}; stopping it", a.run().id());
              a.token().cancel();
            }
          }
        }
      }
    }
  }

  /**
   * Waits until no run is executing on this instance and none is pending and due; false on timeout.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      pollOnce();
      Instant now = clock.instant();
      if (active.isEmpty()
          && finishing.isEmpty()
          && logWriter.idle()
          && runs.active().stream()
              .noneMatch(
                  r ->
                      (r.status() == RunStatus.PENDING && !r.notBefore().isAfter(now))
                          || (r.status() == RunStatus.RUNNING
                              && settings.instanceId().equals(r.owner())))) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  /**
   * The jobs of a claimed batch: those the claim returned, and the others read in one query by the
   * first of the batch's runs to need one (so the claiming loop is free to claim again at once);
   * the runs that need one wait for that read.
   */
  private final class BatchJobs {
    private final List<Run> unread;
    private final AtomicBoolean taken = new AtomicBoolean();
    private final CompletableFuture<Map<JobId, Job>> read = new CompletableFuture<>();

    BatchJobs(List<RunRepository.Claimed> batch) {
      this.unread =
          batch.stream().filter(c -> c.job() == null).map(RunRepository.Claimed::run).toList();
    }

    /** The run's job; empty when it was deleted. */
    Optional<Job> jobOf(RunRepository.Claimed claimed) {
      if (claimed.job() != null) {
        return Optional.of(claimed.job());
      }
      Run run = claimed.run();
      if (taken.compareAndSet(false, true)) {
        try {
          read.complete(jobsOf(unread));
        } finally {
          read.complete(null);
        }
      }
      Map<JobId, Job> found = read.join();
      return found != null ? Optional.ofNullable(found.get(run.jobId())) : jobs.find(run.jobId());
    }
  }

  /**
   * The jobs of a batch of claimed runs, read in one go; null when they could not be read (each run
   * then reads its own job).
   */
  private Map<JobId, Job> jobsOf(List<Run> claimed) {
    try {
      return jobs.findAll(claimed.stream().map(Run::jobId).toList());
    } catch (RuntimeException e) {
      log.warn("could not read the jobs of {} claimed runs: {}", claimed.size(), e.toString());
      return null;
    }
  }

  /**
   * Executes a claimed run on a run thread, with its job as its claim or one read for its batch
   * found it (a job missing then was deleted).
   */
  private void execute(
      RunRepository.Claimed claimed, BatchJobs claimedJobs, CancellationToken token) {
    Run run = claimed.run();
    try {
      Optional<Job> job = claimedJobs.jobOf(claimed);
      if (job.isPresent()) {
        execute(job.get(), run, token);
        return;
      }
      runs.complete(
          run.id(), run.fence(), RunOutcome.failed("the job was deleted"), clock.instant());
    } catch (RuntimeException e) {
      log.error("run {} could not start", run.id(), e);
      runs.complete(
          run.id(), run.fence(), RunOutcome.failed("internal error: " + e), clock.instant());
    } finally {
      active.remove(run.id());
      finishing.remove(run.id());
      wakeUp();
    }
  }

  private void execute(Job job, Run run, CancellationToken token) {
    RunId id = run.id();
    RunLogWriter.Buffer runLines = logWriter.buffer(id);
    try {
      runLines.add("run " + id + " of " + job.name() + " started by " + settings.instanceId());
      notifier.runStarted(job, run);
      publisher.publish(new ProgressEvent(job.id(), id, RunStatus.RUNNING, Progress.NONE, null));
      ProgressThrottle events = new ProgressThrottle(System::nanoTime, Duration.ofMillis(500));
      ProgressThrottle stored = ProgressThrottle.skippingFirst(System::nanoTime, PROGRESS_STORED);
      SyncEngine.Result result =
          engine.execute(
              job,
              token,
              p -> {
                if (events.allow()) {
                  publisher.publish(new ProgressEvent(job.id(), id, RunStatus.RUNNING, p, null));
                }
                if (stored.allow()) {
                  bestEffort("progress", () -> runs.updateProgress(id, run.fence(), p));
                }
              },
              runLines::add);
      RunOutcome outcome = result.outcome();
      boolean interrupted = outcome.status() == RunStatus.CANCELLED && interruptedByShutdown(id);
      if (interrupted) {
        outcome =
            new RunOutcome(RunStatus.CANCELLED, outcome.progress(), INTERRUPTED_BY_SHUTDOWN, null);
        runLines.add(INTERRUPTED_BY_SHUTDOWN);
      }
      Instant ended = clock.instant();
      runLines.flush();
      transferEnded(id);
      Run next =
          interrupted
              ? followUps.resume(run)
              : outcome.status() == RunStatus.FAILED
                  ? followUps.retry(job, run, result.retryable())
                  : null;
      if (!runs.complete(id, run.fence(), outcome, ended, next)) {
        // also when the job was deleted meanwhile, and with it the run and its log
        bestEffort(
            "run log",
            () ->
                runLog.append(
                    id, "this instance lost the run's lease; its result was not recorded"));
        return;
      }
      if (next != null) {
        followUps.queued(run, next);
      }
      publisher.publish(
          new ProgressEvent(job.id(), id, outcome.status(), outcome.progress(), outcome.error()));
      notifier.runFinished(job, run.completed(outcome, ended));
    } catch (RuntimeException e) {
      log.error("run {} crashed", id, e);
      runs.complete(id, run.fence(), RunOutcome.failed("internal error: " + e), clock.instant());
    } finally {
      runLines.flush();
    }
  }

  /** Frees the run's slot for the next run while this one records its outcome. */
  private void transferEnded(RunId id) {
    Active a = active.get(id);
    if (a != null) {
      finishing.put(id, a);
      active.remove(id);
      wakeUp();
    }
  }

  /** How often a run's progress is written to the repository (events go out every 500 ms). */
  private static final Duration PROGRESS_STORED = Duration.ofSeconds(2);

  /** Progress must not fail a transfer when the database hiccups. */
  private static void bestEffort(String what, Runnable write) {
    try {
      write.run();
    } catch (RuntimeException e) {
      log.warn("could not record {}: {}", what, e.toString());
    }
  }

  /**
   * Stops claiming, stops the runs executing here (their partial files stay in staging), and waits
   * up to {@code timeout} for them to record their state: each is recorded cancelled with the error
   * {@value #INTERRUPTED_BY_SHUTDOWN} and followed by a pending {@link Trigger#RESUME resume} run,
   * which the next instance to claim work picks up. A run that does not stop in time stays running
   * in the database and is repaired as a crashed one.
   */
  public void shutdown(Duration timeout) {
    stopping.set(true);
    wakeUp();
    active.values().forEach(a -> stopByShutdown(a.run().id(), a.token()));
    executor.shutdown();
    try {
      executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
      logWriter.close(Duration.ofSeconds(2));
      loop.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Cancels a run for the shutdown, unless it was cancelled already (by a user). */
  private void stopByShutdown(RunId id, CancellationToken token) {
    if (!token.isCancelled()) {
      stoppedByShutdown.add(id);
      token.cancel();
    }
  }

  /**
   * Whether a run the shutdown stopped was stopped by it alone: a user's cancel that reached the
   * store but not yet this worker (it is seen on the next lease renewal) keeps the run cancelled.
   */
  private boolean interruptedByShutdown(RunId id) {
    if (!stoppedByShutdown.contains(id)) {
      return false;
    }
    try {
      return runs.find(id).map(r -> !r.cancelRequested()).orElse(true);
    } catch (RuntimeException e) {
      return true;
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(10));
  }

  /** Ids of runs executing here, for tests and health checks. */
  public List<RunId> activeRuns() {
    return List.copyOf(active.keySet());
  }
}
