package dev.syncjobs.app.metrics;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.RunRepository;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each job last succeeded, for the alert "no success in twice the schedule's interval". A job
 * whose last run succeeded carries the time itself ({@code last_run_at} of a synced job is when
 * that run ended); one whose last run did not is looked up once in its history and then followed by
 * the successes this instance sees. A job that never succeeded counts from its creation, so the
 * alert also fires for a job that has failed ever since it was made.
 */
final class LastSuccess {
  /** How far back the one look-up of a job's history goes. */
  static final int HISTORY_LOOKUP = 100;

  private final Map<JobId, Instant> known = new ConcurrentHashMap<>();
  private RunRepository runs;

  void readHistoryFrom(RunRepository value) {
    this.runs = Objects.requireNonNull(value, "runs");
  }

  void succeeded(JobId job, Instant at) {
    known.merge(job, at, LastSuccess::later);
  }

  /** The job's last success (or its creation, when it never succeeded). */
  Instant of(Job job) {
    if (job.status() == JobStatus.SYNCED && job.lastRunAt() != null) {
      return known.merge(job.id(), job.lastRunAt(), LastSuccess::later);
    }
    return known.computeIfAbsent(job.id(), id -> fromHistory(job));
  }

  /** Forgets jobs that no longer exist. */
  void retain(Set<JobId> jobs) {
    known.keySet().retainAll(jobs);
  }

  private Instant fromHistory(Job job) {
    Instant best = null;
    if (runs != null) {
      for (Run r : runs.history(job.id(), HISTORY_LOOKUP, 0)) {
        if (r.status() == RunStatus.SUCCESS && r.completedAt() != null) {
          best = best == null ? r.completedAt() : later(best, r.completedAt());
        }
      }
    }
    return best != null ? best : job.createdAt();
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
