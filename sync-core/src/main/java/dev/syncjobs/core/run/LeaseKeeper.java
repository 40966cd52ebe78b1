package dev.syncjobs.core.run;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.Notifier;
import dev.syncjobs.core.port.ProgressPublisher;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases of running runs: renews those of this instance's runs (and stops a run cancelled
 * elsewhere, lost, or whose job was deleted), fails runs whose owner stopped renewing, and repairs
 * at start-up the runs a previous process left running. A run failed as interrupted is followed by
 * a resume queued in the same transaction, and announced to the notifier like any failed run.
 */
final class LeaseKeeper {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  private final RunRepository runs;
  private final JobRepository jobs;
  private final RunLog runLog;
  private final ProgressPublisher publisher;
  private final Clock clock;
  private final Duration lease;
  private final FollowUpRuns followUps;
  private final RunSlots slots;
  private final Notifier notifier;

  LeaseKeeper(
      RunRepository runs,
      JobRepository jobs,
      RunLog runLog,
      ProgressPublisher publisher,
      Clock clock,
      Duration lease,
      FollowUpRuns followUps,
      RunSlots slots,
      Notifier notifier) {
    this.runs = runs;
    this.jobs = jobs;
    this.runLog = runLog;
    this.publisher = publisher;
    this.clock = clock;
    this.lease = lease;
    this.followUps = followUps;
    this.slots = slots;
    this.notifier = notifier;
  }

  /** Renews the leases of this instance's runs; cancels those cancelled elsewhere or lost. */
  void renew() {
    for (RunSlots.Active a : slots.finishing()) {
      // recording its outcome: LOST here mostly means it was just recorded, and the fenced
      // completion decides either way
      runs.renewLease(a.run().id(), a.run().fence(), clock.instant().plus(lease));
    }
    for (RunSlots.Active a : slots.transferring()) {
      Instant until = clock.instant().plus(lease);
      switch (runs.renewLease(a.run().id(), a.run().fence(), until)) {
        case RENEWED -> {}
        case CANCEL_REQUESTED -> a.token().cancel();
        case LOST -> {
          // A run whose transfer ended while its lease was renewed is no longer transferring and
          // may already be recorded: that is not a lost lease, and its fenced completion decides.
          if (slots.transferring(a.run().id()) == a) {
            if (jobs.find(a.run().jobId()).isEmpty()) {
              log.info("the job of run {} was deleted; stopping it", a.run().id());
              a.token().abandon();
            } else {
              log.warn("lost the lease of run {}; stopping it", a.run().id());
              a.token().cancel();
            }
          }
        }
      }
    }
  }

  /**
   * Fails runs whose lease expired (their owner died) and queues a resume for each; returns how
   * many. The resume waits one lease, so an owner that was only cut off from the database and comes
   * back sees its lease lost and stops before another instance takes the staging data over.
   */
  int failExpired() {
    int n = 0;
    for (Run r : runs.expired(clock.instant())) {
      if (!slots.isHere(r.id())
          && failInterrupted(
              r, "interrupted: instance " + r.owner() + " stopped renewing its lease", lease)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Start-up repair for a single instance that owns its data dir (SQLite): every run left running
   * by a previous process is failed as interrupted and followed by a resume run. Pending runs stay
   * queued. Never in cluster mode: there a running run may belong to a live instance, and only
   * {@link #failExpired} may end it. Returns how many were repaired.
   */
  int repairInterrupted() {
    int n = 0;
    for (Run r : runs.active()) {
      if (r.status() == RunStatus.RUNNING && !slots.isHere(r.id())) {
        if (failInterrupted(r, "interrupted: the server stopped while it ran", Duration.ZERO)) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Fails {@code r} as interrupted with its resume queued. The fenced completion lets one instance
   * win, and only that one tells the notifier, so a cluster announces the failure once.
   */
  private boolean failInterrupted(Run r, String error, Duration resumeDelay) {
    Optional<Job> job = jobs.find(r.jobId());
    Run next = job.map(j -> followUps.afterCrash(j, r, resumeDelay)).orElse(null);
    Instant now = clock.instant();
    RunOutcome outcome = new RunOutcome(RunStatus.FAILED, r.progress(), error, null);
    if (!runs.complete(r.id(), r.fence(), outcome, now, next)) {
      return false;
    }
    job.ifPresent(j -> notifier.runFinished(j, r.completed(outcome, now)));
    runLog.append(r.id(), error);
    publisher.publish(new ProgressEvent(r.jobId(), r.id(), RunStatus.FAILED, r.progress(), error));
    if (next != null) {
      followUps.queued(r, next);
    }
    return true;
  }
}
