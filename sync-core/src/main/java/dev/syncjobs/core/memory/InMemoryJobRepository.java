package dev.syncjobs.core.memory;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.port.JobRepository;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link JobRepository} in memory, for tests and embedders. Shares its lock with the {@link
 * InMemoryRunRepository} it is given, so firing an occurrence is atomic across both.
 */
public final class InMemoryJobRepository implements JobRepository {
  private final InMemoryRunRepository runs;
  private final Map<JobId, Job> jobs = new LinkedHashMap<>();

  public InMemoryJobRepository(InMemoryRunRepository runs) {
    this.runs = Objects.requireNonNull(runs, "runs");
    runs.jobStatusSink(this::recordStatus);
  }

  @Override
  public void create(Job job) {
    synchronized (runs) {
      checkName(job);
      jobs.put(job.id(), job);
    }
  }

  @Override
  public void update(Job job) {
    synchronized (runs) {
      Job old = jobs.get(job.id());
      if (old == null) {
        throw new NotFoundException("no job " + job.id());
      }
      checkName(job);
      jobs.put(job.id(), job.withStatus(old.status(), old.lastRunAt(), old.lastError()));
    }
  }

  @Override
  public boolean delete(JobId id) {
    synchronized (runs) {
      runs.deleteJob(id);
      return jobs.remove(id) != null;
    }
  }

  @Override
  public Optional<Job> find(JobId id) {
    synchronized (runs) {
      return Optional.ofNullable(jobs.get(id));
    }
  }

  @Override
  public Map<JobId, Job> findAll(Collection<JobId> ids) {
    synchronized (runs) {
      Map<JobId, Job> found = new HashMap<>();
      for (JobId id : ids) {
        Job job = jobs.get(id);
        if (job != null) {
          found.put(id, job);
        }
      }
      return found;
    }
  }

  @Override
  public List<Job> list() {
    synchronized (runs) {
      return jobs.values().stream()
          .sorted(Comparator.comparing(j -> j.name().toLowerCase(Locale.ROOT)))
          .toList();
    }
  }

  @Override
  public Optional<Instant> nextDueAt() {
    synchronized (runs) {
      return jobs.values().stream()
          .filter(Job::enabled)
          .map(Job::nextRunAt)
          .filter(Objects::nonNull)
          .min(Comparator.naturalOrder());
    }
  }

  @Override
  public List<Job> due(Instant now, int limit) {
    synchronized (runs) {
      return jobs.values().stream()
          .filter(j -> j.enabled() && j.nextRunAt() != null && !j.nextRunAt().isAfter(now))
          .sorted(Comparator.comparing(Job::nextRunAt))
          .limit(limit)
          .toList();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The due jobs are read, planned and fired one after the other, each step under the lock: a
   * job changed between its read and its firing is a lost race.
   */
  @Override
  public List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan) {
    List<Job> due = due(now, limit);
    List<Firing> firings = due.stream().map(plan).toList();
    synchronized (runs) {
      List<Fired> fired = new ArrayList<>(due.size());
      for (int k = 0; k < due.size(); k++) {
        fired.add(new Fired(due.get(k), fire(due.get(k), firings.get(k))));
      }
      return fired;
    }
  }

  private FireResult fire(Job read, Firing firing) {
    Run run = firing.run();
    if (run != null && !run.jobId().equals(read.id())) {
      throw new IllegalArgumentException(
          "the run belongs to job " + run.jobId() + ", not " + read.id());
    }
    Job job = jobs.get(read.id());
    if (job == null || !Objects.equals(job.nextRunAt(), read.nextRunAt())) {
      return FireResult.LOST;
    }
    jobs.put(job.id(), job.withNextRunAt(firing.nextRunAt()));
    if (run == null) {
      return FireResult.ADVANCED;
    }
    switch (runs.insert(run)) {
      case INSERTED:
        return FireResult.FIRED;
      case ACTIVE_RUN_EXISTS:
        runs.put(Run.skipped(run.id(), run.jobId(), run.scheduledFor(), run.createdAt()));
        return FireResult.SKIPPED;
      default:
        return FireResult.ADVANCED;
    }
  }

  /** Records the outcome of a job's latest run (the run repository's claims and completions). */
  private void recordStatus(JobId id, JobStatus status, Instant lastRunAt, String lastError) {
    synchronized (runs) {
      Job job = jobs.get(id);
      if (job != null) {
        jobs.put(id, job.withStatus(status, lastRunAt, lastError));
      }
    }
  }

  private void checkName(Job job) {
    for (Job other : jobs.values()) {
      if (!other.id().equals(job.id()) && other.name().equalsIgnoreCase(job.name())) {
        throw new ConflictException("name", "a job named '" + other.name() + "' already exists");
      }
    }
  }
}
