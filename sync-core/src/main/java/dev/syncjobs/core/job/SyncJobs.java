package dev.syncjobs.core.job;

import dev.syncjobs.core.model.BackendOfflineException;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.RateLimitedException;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.model.VersionInfo;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.port.SettingsRepository;
import dev.syncjobs.core.port.SourcePolicy;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.schedule.SchedulePlanner;
import dev.syncjobs.core.version.StorageBackends;
import dev.syncjobs.core.version.VersionStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What users do with jobs: create, change, delete, run now, cancel, and read their runs, logs and
 * versions. Validates everything a single record cannot know alone (unique names, overlapping
 * destinations, known backends, cron expressions) with errors that name the field.
 */
public final class SyncJobs {
  private final JobRepository jobs;
  private final RunRepository runs;
  private final RunLog runLog;
  private final StorageBackends backends;
  private final SchedulePlanner planner;
  private static final Logger log = LoggerFactory.getLogger(SyncJobs.class);
  private final RunWorker worker;
  private final Clock clock;
  private final Supplier<UUID> ids;
  private final Duration manualRunInterval;
  private final SourcePolicy sourcePolicy;
  private final SettingsRepository settings;

  /**
   * @param sourcePolicy checks a new job's source, and a changed one
   * @param settings where manual runs are granted, so every instance enforces one rate limit
   */
  public SyncJobs(
      JobRepository jobs,
      RunRepository runs,
      RunLog runLog,
      StorageBackends backends,
      SchedulePlanner planner,
      RunWorker worker,
      Clock clock,
      Supplier<UUID> ids,
      Duration manualRunInterval,
      SourcePolicy sourcePolicy,
      SettingsRepository settings) {
    this.sourcePolicy = sourcePolicy;
    this.settings = settings;
    this.jobs = jobs;
    this.runs = runs;
    this.runLog = runLog;
    this.backends = backends;
    this.planner = planner;
    this.worker = worker;
    this.clock = clock;
    this.ids = ids;
    this.manualRunInterval = manualRunInterval;
  }

  /** A fresh job id. */
  public JobId newId() {
    return new JobId(ids.get());
  }

  /**
   * Stores a new job and plans its first occurrence.
   *
   * @throws ValidationException for a source the source policy refuses or no transfer reads, an
   *     unknown or offline backend (field {@code destination_backend_id}) or an invalid cron
   *     expression
   * @throws ConflictException for a duplicate name or an overlapping destination
   */
  public Job create(Job draft) {
    sourcePolicy.checkSaved(draft.source());
    validate(draft, true);
    Instant now = savedAt();
    Job job = draft.withState(draft.status(), null, null, nextOccurrence(draft, now), now, now);
    jobs.create(job);
    return job;
  }

  /**
   * Replaces a job's configuration. While a run is active only {@code enabled}, {@code name}, the
   * schedule fields and {@code max_retries} may change. A changed source is checked as in {@link
   * #create}, and so is a changed backend.
   */
  public Job update(Job changed) {
    return update(get(changed.id()), changed);
  }

  private Job update(Job old, Job changed) {
    List<String> fields = old.changedFields(changed);
    // An unchanged source is not checked again here: a job whose source the rules no longer allow
    // can still be disabled or renamed; its runs are refused when they start. Likewise a job whose
    // backend went offline.
    if (fields.contains("source_url")) {
      sourcePolicy.checkSaved(changed.source());
    }
    validate(changed, fields.contains("destination_backend_id"));
    if (runs.findActive(changed.id()).isPresent()) {
      List<String> locked = new ArrayList<>(fields);
      locked.removeAll(CHANGEABLE_WHILE_RUNNING);
      if (!locked.isEmpty()) {
        throw new ConflictException(
            locked.get(0),
            "the job is running; only enabled, name, the schedule fields and max_retries may"
                + " change now (not "
                + String.join(", ", locked)
                + ")");
      }
    }
    Instant now = savedAt();
    boolean replan =
        fields.contains("schedule")
            || fields.contains("timezone")
            || fields.contains("enabled")
            || old.nextRunAt() == null;
    Job job =
        changed.withState(
            old.status(),
            old.lastRunAt(),
            old.lastError(),
            replan ? nextOccurrence(changed, now) : old.nextRunAt(),
            old.createdAt(),
            now);
    jobs.update(job);
    return job;
  }

  /**
   * Now, in the microseconds the databases keep, so that the job a save returns equals the one read
   * back.
   */
  private Instant savedAt() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static final List<String> CHANGEABLE_WHILE_RUNNING =
      List.of("name", "enabled", "schedule", "timezone", "max_retries");

  /** The job with this name (ignoring case, as names are unique), if there is one. */
  public Optional<Job> findByName(String name) {
    return jobs.findByName(name);
  }

  /**
   * Makes the stored job named as {@code declared} match it: creates it when no job has the name,
   * changes the stored one's configuration (keeping its id, history and status) when it differs,
   * and writes nothing when it already matches, so the next run time is not planned again. For
   * applications that declare their jobs in code and call this at every start; the declared job's
   * id is used only when the job is created.
   *
   * <p>Safe when several instances sharing one database call it at once: an instance that loses the
   * race to create the job adopts the row the winner created (and updates it, should the two
   * declarations differ).
   *
   * @return the job as stored
   * @throws ValidationException, ConflictException as {@link #create} and {@link #update}; a change
   *     other than {@code enabled}, {@code name}, the schedule fields and {@code max_retries} while
   *     the job runs is a {@link ConflictException}
   */
  public Job ensure(Job declared) {
    Optional<Job> existing = jobs.findByName(declared.name());
    if (existing.isEmpty()) {
      try {
        return create(declared);
      } catch (ConflictException e) {
        existing = jobs.findByName(declared.name());
        if (!"name".equals(e.field()) || existing.isEmpty()) {
          throw e;
        }
      }
    }
    Job stored = existing.get();
    Job wanted = withId(declared, stored.id());
    if (stored.changedFields(wanted).isEmpty()) {
      return stored;
    }
    return update(stored, wanted);
  }

  private static Job withId(Job job, JobId id) {
    if (job.id().equals(id)) {
      return job;
    }
    return Job.builder(id, job.name(), job.source(), job.destination())
        .auth(job.auth())
        .caBundle(job.caBundle())
        .include(job.includePattern())
        .exclude(job.excludePattern())
        .filters(job.filters())
        .schedule(job.schedule())
        .zone(job.zone())
        .options(job.options())
        .enabled(job.enabled())
        .misfirePolicy(job.misfirePolicy())
        .build();
  }

  private void validate(Job job, boolean backendMustBeOnline) {
    StorageBackend backend =
        backends
            .find(job.destination().backendId())
            .orElseThrow(
                () ->
                    new ValidationException(
                        "destination_backend_id",
                        "no backend named '" + job.destination().backendId() + "'"));
    if (backendMustBeOnline && !backend.isOnline()) {
      throw new ValidationException(
          "destination_backend_id",
          "backend '" + backend.name() + "' is offline: " + backend.offlineReason());
    }
    String refusal = job.destination().refusal();
    if (refusal != null) {
      throw new ValidationException("destination_path", refusal);
    }
    planner.validate(job.schedule());
    for (Job other : jobs.clashing(job)) {
      if (other.name().equalsIgnoreCase(job.name())) {
        throw new ConflictException("name", "a job named '" + other.name() + "' already exists");
      }
      if (other.destination().overlaps(job.destination())) {
        throw new ConflictException(
            "destination_path",
            "overlaps the destination of job '"
                + other.name()
                + "' ("
                + other.destination().path()
                + "): the two would prune each other's versions");
      }
    }
  }

  private Instant nextOccurrence(Job job, Instant now) {
    return job.enabled() ? planner.next(job.schedule(), job.zone(), now).orElse(null) : null;
  }

  /** Deletes a job, cancelling its active run first; its synced data stays on disk. */
  public void delete(JobId id) {
    Job job = get(id);
    Optional<Run> active = runs.findActive(id);
    // Deleted first: a run of it elsewhere then finds its run gone at its next lease renewal and
    // knows the job is gone for good, not merely its lease lost.
    jobs.delete(id);
    if (active.isPresent() && worker.abandon(active.get().id())) {
      return; // the run removes its own staging directory once it has stopped writing into it
    }
    if (active.isEmpty() || active.get().status() == RunStatus.PENDING) {
      removeLeftovers(job);
    }
  }

  /**
   * Removes the staging directories an interrupted, failed or cancelled run of a deleted job left
   * in its destination: no run will ever resume them. Published versions stay.
   */
  private void removeLeftovers(Job job) {
    try {
      VersionStore store = new VersionStore(backends.resolve(job.destination()));
      for (Path partial : store.partials()) {
        store.discard(partial);
      }
    } catch (IOException | RuntimeException e) {
      // an offline backend keeps its leftovers; a job created later on the destination reuses them
      log.warn("could not remove the partial data of deleted job {}: {}", job.name(), e.toString());
    }
  }

  public Job get(JobId id) {
    return jobs.find(id).orElseThrow(() -> new NotFoundException("no job " + id));
  }

  public List<Job> list() {
    return jobs.list();
  }

  /** The enabled jobs with a schedule of their own and no next occurrence planned. */
  public List<Job> unplanned() {
    return jobs.unplanned();
  }

  /**
   * Queues a manual run.
   *
   * @throws ConflictException when the job already has an active run
   * @throws RateLimitedException when the last manual run is too recent
   * @throws BackendOfflineException when the destination's backend is offline
   */
  public Run runNow(JobId id) {
    Job job = get(id);
    backends.resolve(job.destination());
    Instant now = clock.instant();
    SettingsRepository.Grant grant = null;
    if (!manualRunInterval.isZero() && !manualRunInterval.isNegative()) {
      grant = settings.grantManualRun(id, now, manualRunInterval);
      if (!grant.granted()) {
        throw new RateLimitedException(
            "job '"
                + job.name()
                + "' was started by hand less than "
                + manualRunInterval.toSeconds()
                + "s ago",
            grant.retryAfter());
      }
    }
    Run run = Run.pending(new RunId(ids.get()), id, Trigger.MANUAL, null, now, 0);
    if (runs.insert(run) != RunRepository.InsertResult.INSERTED) {
      if (grant != null) {
        // refused for another reason: the next attempt must not be refused for this one
        settings.revokeManualRun(id, grant.grantedAt());
      }
      throw new ConflictException(null, "job '" + job.name() + "' already has an active run");
    }
    worker.wakeUp();
    return run;
  }

  /**
   * Cancels the job's active run.
   *
   * @throws ConflictException when nothing is running
   */
  public boolean cancel(JobId id) {
    get(id);
    Run active =
        runs.findActive(id)
            .orElseThrow(() -> new ConflictException(null, "the job has no active run"));
    return worker.cancel(active.id());
  }

  public List<Run> history(JobId id, int limit, int offset) {
    get(id);
    if (limit < 1 || limit > 100) {
      throw new ValidationException("limit", "must be 1..100");
    }
    if (offset < 0) {
      throw new ValidationException("offset", "must not be negative");
    }
    return runs.history(id, limit, offset);
  }

  /** Each job's mean successful-run time among its newest {@code lastRuns} runs, in one read. */
  public Map<JobId, Duration> averageSuccessDuration(int lastRuns) {
    return runs.averageSuccessDuration(lastRuns);
  }

  public long historyCount(JobId id) {
    return runs.count(id);
  }

  public Run run(JobId jobId, RunId runId) {
    return runs.find(runId)
        .filter(r -> r.jobId().equals(jobId))
        .orElseThrow(() -> new NotFoundException("no run " + runId + " of job " + jobId));
  }

  public String log(JobId jobId, RunId runId) {
    run(jobId, runId);
    return runLog.read(runId);
  }

  /** The job's published versions, newest first. */
  public List<VersionInfo> versions(JobId id) {
    Job job = get(id);
    Optional<StorageBackend> backend = backends.find(job.destination().backendId());
    if (backend.isEmpty()) {
      return List.of();
    }
    VersionStore store = new VersionStore(backend.get().root().resolve(job.destination().path()));
    Optional<Path> current = store.current();
    List<VersionInfo> out = new ArrayList<>();
    for (Path v : store.versions()) {
      long[] size = VersionStore.size(v);
      out.add(
          new VersionInfo(
              v.getFileName().toString(),
              createdAt(v.getFileName().toString()),
              size[0],
              size[1],
              current.map(v::equals).orElse(false)));
    }
    return out;
  }

  private static Instant createdAt(String versionName) {
    return LocalDateTime.parse(
            versionName.substring(0, 16), DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
        .toInstant(ZoneOffset.UTC);
  }
}
