package dev.syncjobs.core.job;

import dev.syncjobs.core.memory.InMemorySettingsRepository;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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

  public SyncJobs(
      JobRepository jobs,
      RunRepository runs,
      RunLog runLog,
      StorageBackends backends,
      SchedulePlanner planner,
      RunWorker worker,
      Clock clock,
      Supplier<UUID> ids,
      Duration manualRunInterval) {
    this(
        jobs,
        runs,
        runLog,
        backends,
        planner,
        worker,
        clock,
        ids,
        manualRunInterval,
        SourcePolicy.ALLOW_ALL,
        new InMemorySettingsRepository());
  }

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
   * @throws ValidationException for a source the source policy refuses, an unknown backend or an
   *     invalid cron expression
   * @throws ConflictException for a duplicate name or an overlapping destination
   */
  public Job create(Job draft) {
    sourcePolicy.checkSaved(draft.source());
    validate(draft);
    Instant now = clock.instant();
    Job job =
        new Job(
            draft.id(),
            draft.name(),
            draft.source(),
            draft.auth(),
            draft.caBundle(),
            draft.destination(),
            draft.includePattern(),
            draft.excludePattern(),
            draft.filters(),
            draft.schedule(),
            draft.zone(),
            draft.options(),
            draft.enabled(),
            draft.misfirePolicy(),
            draft.status(),
            null,
            null,
            nextOccurrence(draft, now),
            now,
            now);
    jobs.create(job);
    return job;
  }

  /**
   * Replaces a job's configuration. While a run is active only {@code enabled}, {@code name}, the
   * schedule fields and {@code max_retries} may change.
   */
  public Job update(Job changed) {
    Job old = get(changed.id());
    // An unchanged source is not checked again here: a job whose source the rules no longer allow
    // can still be disabled or renamed; its runs are refused when they start.
    if (!old.source().equals(changed.source())) {
      sourcePolicy.checkSaved(changed.source());
    }
    validate(changed);
    if (runs.findActive(changed.id()).isPresent()) {
      List<String> locked = lockedChanges(old, changed);
      if (!locked.isEmpty()) {
        throw new ConflictException(
            locked.get(0),
            "the job is running; only enabled, name, the schedule fields and max_retries may"
                + " change now (not "
                + String.join(", ", locked)
                + ")");
      }
    }
    Instant now = clock.instant();
    boolean replan =
        !Objects.equals(old.schedule(), changed.schedule())
            || !Objects.equals(old.zone(), changed.zone())
            || old.enabled() != changed.enabled()
            || old.nextRunAt() == null;
    Job job =
        new Job(
            changed.id(),
            changed.name(),
            changed.source(),
            changed.auth(),
            changed.caBundle(),
            changed.destination(),
            changed.includePattern(),
            changed.excludePattern(),
            changed.filters(),
            changed.schedule(),
            changed.zone(),
            changed.options(),
            changed.enabled(),
            changed.misfirePolicy(),
            old.status(),
            old.lastRunAt(),
            old.lastError(),
            replan ? nextOccurrence(changed, now) : old.nextRunAt(),
            old.createdAt(),
            now);
    jobs.update(job);
    return job;
  }

  private static List<String> lockedChanges(Job a, Job b) {
    List<String> out = new ArrayList<>();
    if (!a.source().equals(b.source())) {
      out.add("source_url");
    }
    if (!Objects.equals(a.auth(), b.auth())) {
      out.add("source_auth");
    }
    if (!Objects.equals(a.caBundle(), b.caBundle())) {
      out.add("ca_bundle");
    }
    if (!a.destination().equals(b.destination())) {
      out.add("destination_path");
    }
    if (!Objects.equals(a.includePattern(), b.includePattern())) {
      out.add("include_pattern");
    }
    if (!Objects.equals(a.excludePattern(), b.excludePattern())) {
      out.add("exclude_pattern");
    }
    if (!a.filters().equals(b.filters())) {
      out.add("filters");
    }
    if (!a.options().withMaxRetries(0).equals(b.options().withMaxRetries(0))) {
      out.add("options");
    }
    if (a.misfirePolicy() != b.misfirePolicy()) {
      out.add("misfire_policy");
    }
    return out;
  }

  private void validate(Job job) {
    StorageBackend backend =
        backends
            .find(job.destination().backendId())
            .orElseThrow(
                () ->
                    new ValidationException(
                        "destination_backend_id",
                        "no backend named '" + job.destination().backendId() + "'"));
    Objects.requireNonNull(backend);
    String refusal = job.destination().refusal();
    if (refusal != null) {
      throw new ValidationException("destination_path", refusal);
    }
    planner.validate(job.schedule());
    for (Job other : jobs.list()) {
      if (other.id().equals(job.id())) {
        continue;
      }
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
