package dev.syncjobs.core.run;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Decides the run that follows one that did not succeed: a {@link Trigger#RETRY retry} with
 * exponential back-off after a failure, or a {@link Trigger#RESUME resume} after an interruption.
 * The caller queues it in the transaction that records the outcome ({@link RunRepository#complete(
 * RunId, long, dev.syncjobs.core.model.RunOutcome, Instant, Run)}), so a crash in between cannot
 * leave a run without its follow-up. Either is an ordinary pending run, so the database's
 * one-active-run-per-job rule keeps a job from getting both, and an occurrence due while it waits
 * is recorded as skipped.
 */
final class FollowUpRuns {
  private final RunLog runLog;
  private final Clock clock;
  private final Supplier<UUID> ids;
  private final RetryPolicy retries;

  FollowUpRuns(RunLog runLog, Clock clock, Supplier<UUID> ids, RetryPolicy retries) {
    this.runLog = runLog;
    this.clock = clock;
    this.ids = ids;
    this.retries = retries;
  }

  /**
   * After a failure: a retry when it may help and the job's {@code max_retries} allows one, or
   * null.
   */
  Run retry(Job job, Run failed, boolean retryable) {
    if (!retryable || failed.attempt() >= job.options().maxRetries()) {
      return null;
    }
    Instant now = clock.instant();
    return Run.pending(
            new RunId(ids.get()), job.id(), Trigger.RETRY, null, now, failed.attempt() + 1)
        .withNotBefore(now.plus(retries.delay(failed.attempt())));
  }

  /**
   * After a graceful shutdown stopped a run: a resume, whatever the run was, since stopping the
   * server is an operator's act and not a sign that the run cannot succeed.
   */
  Run resume(Run interrupted) {
    return resumeOf(interrupted, Duration.ZERO);
  }

  /**
   * After the process running a run died (found at start-up, or by its expired lease): a resume, so
   * the night's sync happens without anyone acting and whatever {@code max_retries} says, or null.
   * A resume that itself dies takes the retry path instead: a run that kills its process every time
   * must not be restarted forever, and {@code max_retries} bounds that.
   *
   * @param delay how long the resume waits before it may be claimed
   */
  Run afterCrash(Job job, Run interrupted, Duration delay) {
    return interrupted.trigger() == Trigger.RESUME
        ? retry(job, interrupted, true)
        : resumeOf(interrupted, delay);
  }

  /** Notes in {@code ended}'s log the follow-up queued with its outcome. */
  void queued(Run ended, Run followUp) {
    if (followUp.trigger() == Trigger.RETRY) {
      Duration delay = Duration.between(followUp.createdAt(), followUp.notBefore());
      runLog.append(
          ended.id(), "retry " + followUp.attempt() + " queued in " + delay.toSeconds() + "s");
    } else {
      runLog.append(ended.id(), "resume run " + followUp.id() + " queued");
    }
  }

  private Run resumeOf(Run interrupted, Duration delay) {
    Instant now = clock.instant();
    return Run.pending(
            new RunId(ids.get()),
            interrupted.jobId(),
            Trigger.RESUME,
            null,
            now,
            interrupted.attempt())
        .withNotBefore(now.plus(delay));
  }
}
