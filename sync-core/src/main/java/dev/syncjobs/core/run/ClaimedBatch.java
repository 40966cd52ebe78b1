package dev.syncjobs.core.run;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.RunRepository;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs of a claimed batch: those the claim returned, and the others read in one query by the
 * first of the batch's runs to need one (so the claiming loop is free to claim again at once); the
 * runs that need one wait for that read.
 */
final class ClaimedBatch {
  private static final Logger log = LoggerFactory.getLogger(ClaimedBatch.class);

  private final JobRepository jobs;
  private final List<Run> unread;
  private final AtomicBoolean taken = new AtomicBoolean();
  private final CompletableFuture<Map<JobId, Job>> read = new CompletableFuture<>();

  ClaimedBatch(JobRepository jobs, List<RunRepository.Claimed> batch) {
    this.jobs = jobs;
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
        read.complete(readAll());
      } finally {
        read.complete(null);
      }
    }
    Map<JobId, Job> found = read.join();
    return found != null ? Optional.ofNullable(found.get(run.jobId())) : jobs.find(run.jobId());
  }

  /**
   * The jobs of the runs the claim returned without one, read in one go; null when they could not
   * be read (each run then reads its own job).
   */
  private Map<JobId, Job> readAll() {
    try {
      return jobs.findAll(unread.stream().map(Run::jobId).toList());
    } catch (RuntimeException e) {
      log.warn("could not read the jobs of {} claimed runs: {}", unread.size(), e.toString());
      return null;
    }
  }
}
