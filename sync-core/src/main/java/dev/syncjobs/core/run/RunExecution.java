package dev.syncjobs.core.run;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.Notifier;
import dev.syncjobs.core.port.ProgressPublisher;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.progress.ProgressThrottle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one claimed run on a run thread: runs the {@link SyncEngine}, sends its progress (events
 * every 500 ms, stored every 2 s), and records its outcome with the retry or resume that follows it
 * in one write, then tells the publisher and the notifier.
 */
final class RunExecution {
  private static final Logger log = LoggerFactory.getLogger(RunExecution.class);

  /** How often a run's progress is written to the repository. */
  private static final Duration PROGRESS_STORED = Duration.ofSeconds(2);

  private static final Duration PROGRESS_EVENTS = Duration.ofMillis(500);

  /** How long a run waits for its log lines to be stored before it records its outcome. */
  private static final Duration LOG_WRITTEN = Duration.ofSeconds(5);

  private final RunRepository runs;
  private final RunLog runLog;
  private final SyncEngine engine;
  private final ProgressPublisher publisher;
  private final Notifier notifier;
  private final Clock clock;
  private final String instanceId;
  private final FollowUpRuns followUps;
  private final RunLogWriter logWriter;
  private final RunSlots slots;
  private final Runnable slotFreed;

  RunExecution(
      RunRepository runs,
      RunLog runLog,
      SyncEngine engine,
      ProgressPublisher publisher,
      Notifier notifier,
      Clock clock,
      String instanceId,
      FollowUpRuns followUps,
      RunLogWriter logWriter,
      RunSlots slots,
      Runnable slotFreed) {
    this.runs = runs;
    this.runLog = runLog;
    this.engine = engine;
    this.publisher = publisher;
    this.notifier = notifier;
    this.clock = clock;
    this.instanceId = instanceId;
    this.followUps = followUps;
    this.logWriter = logWriter;
    this.slots = slots;
    this.slotFreed = slotFreed;
  }

  /**
   * Executes a claimed run with its job as its claim or one read for its batch found it (a job
   * missing then was deleted).
   */
  void execute(RunRepository.Claimed claimed, ClaimedBatch batch, CancellationToken token) {
    Run run = claimed.run();
    try {
      Optional<Job> job = batch.jobOf(claimed);
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
      slots.release(run.id());
      slotFreed.run();
    }
  }

  private void execute(Job job, Run run, CancellationToken token) {
    RunId id = run.id();
    RunLogWriter.Buffer runLines = logWriter.buffer(id);
    try {
      runLines.add("run " + id + " of " + job.name() + " started by " + instanceId);
      notifier.runStarted(job, run);
      publisher.publish(new ProgressEvent(job.id(), id, RunStatus.RUNNING, Progress.NONE, null));
      ProgressThrottle events = new ProgressThrottle(System::nanoTime, PROGRESS_EVENTS);
      ProgressThrottle stored = ProgressThrottle.skippingFirst(System::nanoTime, PROGRESS_STORED);
      SyncEngine.Result result =
          engine.execute(
              job,
              token,
              p -> {
                runLines.flushIfDue();
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
            new RunOutcome(
                RunStatus.CANCELLED, outcome.progress(), RunWorker.INTERRUPTED_BY_SHUTDOWN, null);
        runLines.add(RunWorker.INTERRUPTED_BY_SHUTDOWN);
      }
      Instant ended = clock.instant();
      runLines.flush();
      if (slots.transferEnded(id)) {
        slotFreed.run();
      }
      // the run's log is readable once the run reads ended (the slot is free meanwhile)
      runLines.awaitWritten(LOG_WRITTEN);
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

  /**
   * Whether a run the shutdown stopped was stopped by it alone: a user's cancel that reached the
   * store but not yet this worker (it is seen on the next lease renewal) keeps the run cancelled.
   */
  private boolean interruptedByShutdown(RunId id) {
    if (!slots.stoppedByShutdown(id)) {
      return false;
    }
    try {
      return runs.find(id).map(r -> !r.cancelRequested()).orElse(true);
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** Progress and log lines must not fail a transfer when the database hiccups. */
  private static void bestEffort(String what, Runnable write) {
    try {
      write.run();
    } catch (RuntimeException e) {
      log.warn("could not record {}: {}", what, e.toString());
    }
  }
}
