package dev.syncjobs.core.run;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
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
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The claiming loop of an instance: claims pending runs while it has free slots (at most {@code
 * maxConcurrentRuns} transferring at once, {@link RunSlots}), hands each to a run thread ({@link
 * RunExecution} runs the engine and records the outcome with its follow-up, {@link FollowUpRuns}),
 * and every third of a lease renews leases and fails expired ones ({@link LeaseKeeper}). It also
 * cancels and abandons runs, and stops them on shutdown.
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
      return builder(instanceId).build();
    }

    /**
     * Settings with the defaults: 3 concurrent runs, a 30 s lease, a 500 ms poll, 30 s before the
     * first retry.
     */
    public static Builder builder(String instanceId) {
      return new Builder(instanceId);
    }

    /** Named settings instead of the record's positional ones. */
    public static final class Builder {
      private final String instanceId;
      private int maxConcurrentRuns = 3;
      private Duration lease = Duration.ofSeconds(30);
      private Duration pollInterval = Duration.ofMillis(500);
      private Duration retryBaseDelay = Duration.ofSeconds(30);

      private Builder(String instanceId) {
        this.instanceId = instanceId;
      }

      public Builder maxConcurrentRuns(int value) {
        this.maxConcurrentRuns = value;
        return this;
      }

      public Builder lease(Duration value) {
        this.lease = Objects.requireNonNull(value, "lease");
        return this;
      }

      public Builder pollInterval(Duration value) {
        this.pollInterval = Objects.requireNonNull(value, "pollInterval");
        return this;
      }

      public Builder retryBaseDelay(Duration value) {
        this.retryBaseDelay = Objects.requireNonNull(value, "retryBaseDelay");
        return this;
      }

      public Settings build() {
        return new Settings(instanceId, maxConcurrentRuns, lease, pollInterval, retryBaseDelay);
      }
    }
  }

  /** The error of a run stopped by a graceful shutdown (the HTTP contract names it). */
  public static final String INTERRUPTED_BY_SHUTDOWN = "interrupted by shutdown";

  private final RunRepository runs;
  private final JobRepository jobs;
  private final ProgressPublisher publisher;
  private final Clock clock;
  private final Settings settings;
  private final RunSlots slots;
  private final LeaseKeeper leases;
  private final RunExecution execution;
  private final RunLogWriter logWriter;
  private final ExecutorService executor;
  private final Loop loop;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile BooleanSupplier holdClaims = () -> false;
  private long lastRenewNanos;

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
    this.publisher = publisher;
    this.clock = clock;
    this.settings = settings;
    this.slots = new RunSlots(settings.maxConcurrentRuns());
    FollowUpRuns followUps =
        new FollowUpRuns(runLog, clock, ids, new RetryPolicy(settings.retryBaseDelay()));
    this.leases =
        new LeaseKeeper(
            runs, jobs, runLog, publisher, clock, settings.lease(), followUps, slots, notifier);
    this.logWriter = new RunLogWriter(runLog);
    this.execution =
        new RunExecution(
            runs,
            runLog,
            engine,
            publisher,
            notifier,
            clock,
            settings.instanceId(),
            followUps,
            logWriter,
            slots,
            this::wakeUp);
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
    while (!stopping.get() && (free = slots.free()) > 0) {
      Instant now = clock.instant();
      List<RunRepository.Claimed> claimed =
          runs.claim(settings.instanceId(), now, now.plus(settings.lease()), free);
      if (claimed.isEmpty()) {
        break;
      }
      ClaimedBatch batch = new ClaimedBatch(jobs, claimed);
      for (RunRepository.Claimed c : claimed) {
        Run run = c.run();
        CancellationToken token = new CancellationToken();
        if (run.cancelRequested()) {
          token.cancel();
        }
        slots.take(run, token);
        if (stopping.get()) {
          // claimed while shutdown() went through the slots: stopped the same way
          slots.stopForShutdown(run.id(), token);
        }
        executor.execute(() -> execution.execute(c, batch, token));
        started++;
      }
    }
    return started;
  }

  /** Cancels a run: a pending one at once, a running one here or (via its lease) elsewhere. */
  public boolean cancel(RunId id) {
    boolean requested = runs.requestCancel(id, clock.instant());
    RunSlots.Active a = slots.find(id);
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
    RunSlots.Active a = slots.transferring(id);
    if (a == null) {
      return false;
    }
    a.token().abandon();
    return true;
  }

  /** Runs executing on this instance. */
  public int activeCount() {
    return slots.transferringCount();
  }

  /** See {@link LeaseKeeper#repairInterrupted}: only for an instance that owns every run. */
  public int repairInterrupted() {
    return leases.repairInterrupted();
  }

  /** See {@link LeaseKeeper#failExpired}. */
  public int failExpiredLeases() {
    return leases.failExpired();
  }

  /** See {@link LeaseKeeper#renew}. */
  public void renewLeases() {
    leases.renew();
  }

  /**
   * Waits until no run is executing on this instance and none is pending and due; false on timeout.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      pollOnce();
      Instant now = clock.instant();
      if (slots.empty()
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
   * Stops claiming, stops the runs executing here (their partial files stay in staging), and waits
   * up to {@code timeout} for them to record their state: each is recorded cancelled with the error
   * {@value #INTERRUPTED_BY_SHUTDOWN} and followed by a pending {@link Trigger#RESUME resume} run,
   * which the next instance to claim work picks up. A run that does not stop in time stays running
   * in the database and is repaired as a crashed one.
   */
  public void shutdown(Duration timeout) {
    stopping.set(true);
    wakeUp();
    slots.transferring().forEach(a -> slots.stopForShutdown(a.run().id(), a.token()));
    executor.shutdown();
    try {
      executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
      logWriter.close(Duration.ofSeconds(2));
      loop.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(10));
  }

  /** Ids of runs executing here, for tests and health checks. */
  public List<RunId> activeRuns() {
    return slots.transferringIds();
  }
}
