package dev.syncjobs.core;

import dev.syncjobs.core.bandwidth.GlobalBandwidth;
import dev.syncjobs.core.job.KnownTransfers;
import dev.syncjobs.core.job.SyncJobs;
import dev.syncjobs.core.local.LocalTransfer;
import dev.syncjobs.core.memory.InMemoryAuditLog;
import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.memory.InMemorySettingsRepository;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.AuditLog;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.Notifier;
import dev.syncjobs.core.port.Persistence;
import dev.syncjobs.core.port.ProgressPublisher;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.port.SettingsRepository;
import dev.syncjobs.core.port.SourcePolicy;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.progress.ProgressBus;
import dev.syncjobs.core.run.HistoryRetention;
import dev.syncjobs.core.run.LogNotifier;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.run.SyncEngine;
import dev.syncjobs.core.run.TimeOrderedIds;
import dev.syncjobs.core.schedule.SchedulePlanner;
import dev.syncjobs.core.schedule.Scheduler;
import dev.syncjobs.core.version.OrphanedStaging;
import dev.syncjobs.core.version.StorageBackends;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The engine assembled: repositories, transfers, worker, scheduler and the {@link SyncJobs}
 * service, with in-memory defaults for every port not given. Embedders build one, {@link #start()}
 * it (or drive {@link #worker()} and {@link #scheduler()} by hand in tests) and close it.
 */
public final class SyncRuntime implements AutoCloseable {
  private final JobRepository jobRepository;
  private final RunRepository runRepository;
  private final RunLog runLog;
  private final SettingsRepository settings;
  private final AuditLog audit;
  private final GlobalBandwidth bandwidth;
  private final ProgressBus bus;
  private final SyncEngine engine;
  private final RunWorker worker;
  private final Scheduler scheduler;
  private final SyncJobs jobs;
  private final HistoryRetention retention;
  private final Persistence persistence;
  private final java.util.concurrent.ScheduledExecutorService housekeeping =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "syncjobs-housekeeping");
            t.setDaemon(true);
            return t;
          });

  private SyncRuntime(Builder b) {
    this.persistence = b.persistence;
    InMemoryRunRepository memRuns = new InMemoryRunRepository();
    this.runRepository = b.runs != null ? b.runs : memRuns;
    this.jobRepository = b.jobs != null ? b.jobs : new InMemoryJobRepository(memRuns);
    if ((b.runs == null) != (b.jobs == null)) {
      throw new IllegalArgumentException("give both job and run repositories, or neither");
    }
    boolean durable =
        !(jobRepository instanceof InMemoryJobRepository
            && runRepository instanceof InMemoryRunRepository);
    if (b.runLog == null && durable) {
      // run logs in memory beside durable history would be empty after every restart
      throw new IllegalStateException(
          "durable repositories need a durable run log: add .runLog(…) (for example a JdbcRunLog"
              + " on the same database), or .runLog(new InMemoryRunLog()) to keep logs in memory"
              + " on purpose");
    }
    this.runLog = b.runLog != null ? b.runLog : new InMemoryRunLog();
    this.bus = new ProgressBus();
    ProgressPublisher publisher =
        b.publisher == null
            ? bus
            : e -> {
              bus.publish(e);
              b.publisher.publish(e);
            };
    StorageBackends backends = new StorageBackends(b.backends);
    List<Transfer> transfers = new ArrayList<>(b.transfers);
    if (transfers.stream().noneMatch(t -> t instanceof LocalTransfer)) {
      transfers.add(new LocalTransfer());
    }
    this.settings = b.settings != null ? b.settings : new InMemorySettingsRepository();
    this.audit = b.audit != null ? b.audit : new InMemoryAuditLog();
    this.bandwidth = new GlobalBandwidth(settings, Clock.systemUTC(), b.bandwidthZone);
    bandwidth.reload();
    this.engine =
        new SyncEngine(backends, transfers, b.clock, b.ioTimeout, bandwidth, b.sourcePolicy);
    Supplier<UUID> ids = b.ids != null ? b.ids : new TimeOrderedIds(Clock.systemUTC());
    this.worker =
        new RunWorker(
            runRepository,
            jobRepository,
            runLog,
            engine,
            publisher,
            b.notifier,
            b.clock,
            ids,
            b.workerSettings);
    SchedulePlanner planner = new SchedulePlanner();
    this.scheduler =
        new Scheduler(
            jobRepository,
            planner,
            b.clock,
            ids,
            b.misfireGrace,
            b.schedulerPollInterval,
            worker::wakeUp);
    worker.holdClaimsWhile(scheduler::firingBurst);
    this.jobs =
        new SyncJobs(
            jobRepository,
            runRepository,
            runLog,
            backends,
            planner,
            worker,
            b.clock,
            ids,
            b.manualRunInterval,
            new KnownTransfers(transfers, b.sourcePolicy),
            settings);
    this.retention = new HistoryRetention(runRepository, audit, b.clock, b.runRetention, 500);
    this.orphans = new OrphanedStaging(jobRepository, backends, b.clock, ORPHAN_MIN_AGE, log::info);
  }

  /** A staging directory younger than this is never taken for an orphan. */
  static final Duration ORPHAN_MIN_AGE = Duration.ofHours(1);

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SyncRuntime.class);
  private final OrphanedStaging orphans;

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the worker and scheduler loops. */
  public SyncRuntime start() {
    bandwidth.start();
    worker.start();
    scheduler.start();
    housekeeping.scheduleWithFixedDelay(
        this::purgeHistory, 1, 60, java.util.concurrent.TimeUnit.MINUTES);
    housekeeping.scheduleWithFixedDelay(
        this::sweepOrphanedStaging, 10, 24 * 60, java.util.concurrent.TimeUnit.MINUTES);
    return this;
  }

  /**
   * The daily clean-up of partial data no job owns (a job deleted while the server was down or
   * crashing); returns the staging directories removed.
   */
  public List<java.nio.file.Path> sweepOrphanedStaging() {
    return orphans.sweep();
  }

  /**
   * Deletes finished runs and audit entries older than the retention period, in bounded batches.
   */
  public int purgeHistory() {
    int total = 0;
    for (int n; (n = retention.purgeOnce()) > 0 && total < 100_000; ) {
      total += n;
    }
    return total;
  }

  public SyncJobs jobs() {
    return jobs;
  }

  public RunWorker worker() {
    return worker;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public SyncEngine engine() {
    return engine;
  }

  /** In-process progress events of every run (subscribe to watch runs live). */
  public ProgressBus progress() {
    return bus;
  }

  public JobRepository jobRepository() {
    return jobRepository;
  }

  public RunRepository runRepository() {
    return runRepository;
  }

  public RunLog runLog() {
    return runLog;
  }

  /** The settings every instance of the repositories' database shares. */
  public SettingsRepository settings() {
    return settings;
  }

  /** The audit trail of changes made through the API (kept as long as the runs). */
  public AuditLog audit() {
    return audit;
  }

  /**
   * The instance's global bandwidth limits: change them with {@link GlobalBandwidth#replace}; call
   * {@link GlobalBandwidth#reload} when another instance announced a change.
   */
  public GlobalBandwidth bandwidth() {
    return bandwidth;
  }

  /** Waits until no run is executing or due; false on timeout. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return worker.awaitIdle(timeout);
  }

  /**
   * Stops firing, cancels runs in progress (they record their state), waits up to 10 s; then, when
   * the runtime was given a {@link Builder#persistence(Persistence) persistence}, closes it: it is
   * closed last, because the runs stopping record their state in it.
   */
  @Override
  public void close() {
    try {
      housekeeping.shutdownNow();
      scheduler.close();
      worker.close();
      bandwidth.close();
    } finally {
      if (persistence != null) {
        persistence.close();
      }
    }
  }

  /** Builder with in-memory and system defaults. */
  public static final class Builder {
    private JobRepository jobs;
    private RunRepository runs;
    private RunLog runLog;
    private ProgressPublisher publisher;
    private Notifier notifier = new LogNotifier();
    private final List<StorageBackend> backends = new ArrayList<>();
    private final List<Transfer> transfers = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Supplier<UUID> ids;
    private RunWorker.Settings workerSettings = RunWorker.Settings.defaults("local");
    private Duration misfireGrace = Duration.ofMinutes(1);
    private Duration schedulerPollInterval = Duration.ofMillis(500);
    private Duration manualRunInterval = Duration.ZERO;
    private SettingsRepository settings;
    private AuditLog audit;
    private ZoneId bandwidthZone = ZoneOffset.UTC;
    private Duration ioTimeout = Duration.ofSeconds(60);
    private Duration runRetention = Duration.ofDays(30);
    private SourcePolicy sourcePolicy = SourcePolicy.ALLOW_ALL;
    private Persistence persistence;
    private boolean clockGiven;

    /**
     * Every durable port from one store: the job and run repositories, the run log, the shared
     * settings and the clock (unless {@link #clock(Clock)} is given too, which wins). The runtime
     * owns it from then on: {@link SyncRuntime#close()} closes it after the worker and scheduler
     * have stopped.
     */
    public Builder persistence(Persistence value) {
      this.persistence = java.util.Objects.requireNonNull(value, "persistence");
      this.jobs = value.jobs();
      this.runs = value.runs();
      this.runLog = value.runLog();
      this.settings = value.settings();
      this.audit = value.audit();
      if (!clockGiven) {
        this.clock = value.clock();
      }
      return this;
    }

    public Builder repositories(JobRepository jobRepository, RunRepository runRepository) {
      this.jobs = jobRepository;
      this.runs = runRepository;
      return this;
    }

    public Builder runLog(RunLog value) {
      this.runLog = value;
      return this;
    }

    /** An extra publisher (e.g. a WebSocket fan-out); the in-process bus is always there. */
    public Builder publisher(ProgressPublisher value) {
      this.publisher = value;
      return this;
    }

    public Builder notifier(Notifier value) {
      this.notifier = value;
      return this;
    }

    public Builder backend(StorageBackend value) {
      this.backends.add(value);
      return this;
    }

    /** Adds a transfer adapter; {@link LocalTransfer} is always available. */
    public Builder transfer(Transfer value) {
      this.transfers.add(value);
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = value;
      this.clockGiven = true;
      return this;
    }

    /** Where new run ids come from; by default {@link TimeOrderedIds} on the system clock. */
    public Builder ids(Supplier<UUID> value) {
      this.ids = value;
      return this;
    }

    public Builder workerSettings(RunWorker.Settings value) {
      this.workerSettings = value;
      return this;
    }

    public Builder misfireGrace(Duration value) {
      this.misfireGrace = value;
      return this;
    }

    public Builder schedulerPollInterval(Duration value) {
      this.schedulerPollInterval = value;
      return this;
    }

    /** Minimum time between two manual runs of one job (default 0: no limit). */
    public Builder manualRunInterval(Duration value) {
      this.manualRunInterval = value;
      return this;
    }

    /**
     * Where the shared settings live (bandwidth, notifications, manual-run grants); in memory by
     * default.
     */
    public Builder settings(SettingsRepository value) {
      this.settings = value;
      return this;
    }

    /**
     * Where the audit trail lives; in memory by default. Give the one of the repositories'
     * database, so entries are written in the transactions of their changes.
     */
    public Builder audit(AuditLog value) {
      this.audit = value;
      return this;
    }

    /** The zone of the bandwidth window's hours (default UTC). */
    public Builder bandwidthZone(ZoneId value) {
      this.bandwidthZone = java.util.Objects.requireNonNull(value, "bandwidthZone");
      return this;
    }

    public Builder ioTimeout(Duration value) {
      this.ioTimeout = value;
      return this;
    }

    /** How long finished runs and their logs are kept (default 30 days). */
    public Builder runRetention(Duration value) {
      this.runRetention = value;
      return this;
    }

    /**
     * Which sources jobs may read, checked when a job is saved and when each run starts (default:
     * {@link SourcePolicy#ALLOW_ALL}).
     */
    public Builder sourcePolicy(SourcePolicy value) {
      this.sourcePolicy = java.util.Objects.requireNonNull(value, "sourcePolicy");
      return this;
    }

    /**
     * @throws IllegalArgumentException when only one of the job and run repositories is given
     * @throws IllegalStateException when durable repositories are given without a run log
     * @throws dev.syncjobs.core.model.ValidationException when two backends have one name
     */
    public SyncRuntime build() {
      return new SyncRuntime(this);
    }
  }
}
