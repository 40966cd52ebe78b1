package dev.syncjobs.core.memory;

import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.RunRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link RunRepository} in memory, for tests and embedders. Thread-safe; every operation is atomic
 * (one lock), so it keeps the same guarantees a database does within one JVM.
 */
public final class InMemoryRunRepository implements RunRepository {
  private final Map<RunId, Run> runs = new LinkedHashMap<>();
  private JobStatusSink jobStatus = (job, status, at, error) -> {};

  /** Where claim and completion record the job's status (the job repository sharing the lock). */
  interface JobStatusSink {
    void record(JobId job, dev.syncjobs.core.model.JobStatus status, Instant at, String error);
  }

  synchronized void jobStatusSink(JobStatusSink sink) {
    this.jobStatus = sink;
  }

  @Override
  public synchronized InsertResult insert(Run run) {
    if (run.status().isActive()) {
      for (Run r : runs.values()) {
        if (r.jobId().equals(run.jobId()) && r.status().isActive()) {
          return InsertResult.ACTIVE_RUN_EXISTS;
        }
      }
    }
    if (run.scheduledFor() != null) {
      for (Run r : runs.values()) {
        if (r.jobId().equals(run.jobId()) && run.scheduledFor().equals(r.scheduledFor())) {
          return InsertResult.DUPLICATE_OCCURRENCE;
        }
      }
    }
    runs.put(run.id(), run);
    return InsertResult.INSERTED;
  }

  @Override
  public synchronized Optional<Run> find(RunId id) {
    return Optional.ofNullable(runs.get(id));
  }

  @Override
  public synchronized Optional<Run> findActive(JobId jobId) {
    return runs.values().stream()
        .filter(r -> r.jobId().equals(jobId) && r.status().isActive())
        .findFirst();
  }

  @Override
  public synchronized List<Run> history(JobId jobId, int limit, int offset) {
    return runs.values().stream()
        .filter(r -> r.jobId().equals(jobId))
        .sorted(newestFirst())
        .skip(offset)
        .limit(limit)
        .toList();
  }

  @Override
  public synchronized Map<JobId, Duration> averageSuccessDuration(int lastRuns) {
    Map<JobId, List<Run>> byJob = new HashMap<>();
    runs.values().stream()
        .filter(r -> r.jobId() != null)
        .forEach(r -> byJob.computeIfAbsent(r.jobId(), j -> new ArrayList<>()).add(r));
    Map<JobId, Duration> out = new HashMap<>();
    byJob.forEach(
        (job, list) ->
            list.stream()
                .sorted(newestFirst())
                .limit(lastRuns)
                .filter(
                    r ->
                        r.status() == RunStatus.SUCCESS
                            && r.startedAt() != null
                            && r.completedAt() != null)
                .mapToLong(r -> ChronoUnit.MICROS.between(r.startedAt(), r.completedAt()))
                .average()
                .ifPresent(
                    micros -> out.put(job, Duration.of(Math.round(micros), ChronoUnit.MICROS))));
    return out;
  }

  @Override
  public synchronized long count(JobId jobId) {
    return runs.values().stream().filter(r -> r.jobId().equals(jobId)).count();
  }

  /** Oldest first by {@code notBefore}, then creation; every {@link Claimed#job()} is null. */
  @Override
  public synchronized List<Claimed> claim(String owner, Instant now, Instant leaseUntil, int max) {
    List<Claimed> claimed = new ArrayList<>();
    while (claimed.size() < max) {
      Optional<Run> next =
          runs.values().stream()
              .filter(r -> r.status() == RunStatus.PENDING && !r.notBefore().isAfter(now))
              .min(Comparator.comparing(Run::notBefore).thenComparing(Run::createdAt))
              .map(r -> r.claimed(owner, now, leaseUntil));
      if (next.isEmpty()) {
        break;
      }
      Run r = next.get();
      runs.put(r.id(), r);
      jobStatus.record(r.jobId(), dev.syncjobs.core.model.JobStatus.RUNNING, now, null);
      claimed.add(new Claimed(r, null));
    }
    return claimed;
  }

  @Override
  public synchronized LeaseState renewLease(RunId id, long fence, Instant leaseUntil) {
    Run r = runs.get(id);
    if (!owned(r, fence)) {
      return LeaseState.LOST;
    }
    runs.put(id, r.withLease(leaseUntil));
    return r.cancelRequested() ? LeaseState.CANCEL_REQUESTED : LeaseState.RENEWED;
  }

  @Override
  public synchronized boolean updateProgress(RunId id, long fence, Progress progress) {
    Run r = runs.get(id);
    if (!owned(r, fence)) {
      return false;
    }
    runs.put(id, r.withProgress(progress));
    return true;
  }

  @Override
  public synchronized boolean complete(
      RunId id, long fence, RunOutcome outcome, Instant completedAt, Run followUp) {
    Run r = runs.get(id);
    if (!owned(r, fence)) {
      return false;
    }
    runs.put(id, r.completed(outcome, completedAt));
    jobStatus.record(
        r.jobId(),
        dev.syncjobs.core.model.JobStatus.after(outcome.status()),
        completedAt,
        outcome.error());
    if (followUp != null) {
      insert(followUp);
    }
    return true;
  }

  @Override
  public synchronized boolean requestCancel(RunId id, Instant now) {
    Run r = runs.get(id);
    if (r == null || !r.status().isActive()) {
      return false;
    }
    runs.put(id, r.cancelRequested(now));
    return true;
  }

  @Override
  public synchronized List<Run> active() {
    return runs.values().stream().filter(r -> r.status().isActive()).toList();
  }

  @Override
  public synchronized List<Run> expired(Instant now) {
    return runs.values().stream()
        .filter(
            r ->
                r.status() == RunStatus.RUNNING
                    && r.leaseUntil() != null
                    && r.leaseUntil().isBefore(now))
        .toList();
  }

  @Override
  public synchronized int deleteFinishedBefore(Instant cutoff, int batch) {
    List<RunId> doomed = new ArrayList<>();
    for (Run r : runs.values()) {
      if (doomed.size() >= batch) {
        break;
      }
      Instant end = r.completedAt();
      if (r.status().isTerminal() && end != null && end.isBefore(cutoff)) {
        doomed.add(r.id());
      }
    }
    doomed.forEach(runs::remove);
    return doomed.size();
  }

  /** Removes every run of a job (the job was deleted). */
  synchronized void deleteJob(JobId jobId) {
    runs.values().removeIf(r -> r.jobId().equals(jobId));
  }

  /** Inserts under this repository's lock; used by the job repository's atomic fire. */
  synchronized void put(Run run) {
    runs.put(run.id(), run);
  }

  private static boolean owned(Run r, long fence) {
    return r != null && r.status() == RunStatus.RUNNING && r.fence() == fence;
  }

  private static Comparator<Run> newestFirst() {
    return Comparator.comparing(Run::createdAt)
        .thenComparing(r -> Objects.toString(r.scheduledFor(), ""))
        .reversed();
  }
}
