package dev.syncjobs.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One execution (or recorded skip) of a job.
 *
 * @param scheduledFor the occurrence this run fires, null for manual runs and retries
 * @param notBefore a pending run is not claimed before this instant (retry back-off)
 * @param attempt 0 for the first try, n for the n-th retry
 * @param owner the instance executing it while running, else the last one that did
 * @param leaseUntil the owner's lease; a running run past it is failed as interrupted
 * @param fence lease version, raised by every claim; a write with an older fence is refused
 * @param cancelRequested a cancel was asked for while it ran
 * @param filesSkipped names of the source the backend could not hold, left out of the version
 */
public record Run(
    RunId id,
    JobId jobId,
    Trigger trigger,
    Instant scheduledFor,
    RunStatus status,
    Instant createdAt,
    Instant notBefore,
    Instant startedAt,
    Instant completedAt,
    Progress progress,
    String error,
    String version,
    String owner,
    Instant leaseUntil,
    long fence,
    int attempt,
    boolean cancelRequested,
    long filesSkipped) {

  public Run {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    if (progress == null) {
      progress = Progress.NONE;
    }
    if (notBefore == null) {
      notBefore = createdAt;
    }
    if (filesSkipped < 0) {
      throw new IllegalArgumentException("filesSkipped must not be negative");
    }
  }

  /** A new pending run. */
  public static Run pending(
      RunId id, JobId jobId, Trigger trigger, Instant scheduledFor, Instant now, int attempt) {
    return new Run(
        id,
        jobId,
        trigger,
        scheduledFor,
        RunStatus.PENDING,
        now,
        now,
        null,
        null,
        Progress.NONE,
        null,
        null,
        null,
        null,
        0,
        attempt,
        false,
        0);
  }

  /** A record of an occurrence that was due while the job's previous run was still active. */
  public static Run skipped(RunId id, JobId jobId, Instant scheduledFor, Instant now) {
    return new Run(
        id,
        jobId,
        Trigger.SCHEDULE,
        scheduledFor,
        RunStatus.SKIPPED,
        now,
        now,
        null,
        now,
        Progress.NONE,
        "skipped: the previous run was still active",
        null,
        null,
        null,
        0,
        0,
        false,
        0);
  }

  public Run withNotBefore(Instant instant) {
    Change c = change();
    c.notBefore = instant;
    return c.run();
  }

  /** This run claimed by {@code newOwner}: running since {@code now}, fence raised. */
  public Run claimed(String newOwner, Instant now, Instant until) {
    Change c = change();
    c.status = RunStatus.RUNNING;
    c.startedAt = now;
    c.completedAt = null;
    c.error = null;
    c.version = null;
    c.owner = newOwner;
    c.leaseUntil = until;
    c.fence = fence + 1;
    return c.run();
  }

  public Run withLease(Instant until) {
    Change c = change();
    c.leaseUntil = until;
    return c.run();
  }

  public Run withProgress(Progress p) {
    Change c = change();
    c.progress = p;
    return c.run();
  }

  /** This run ended with {@code outcome} at {@code at}; its lease is released. */
  public Run completed(RunOutcome outcome, Instant at) {
    Change c = change();
    c.status = outcome.status();
    c.completedAt = at;
    c.progress = outcome.progress();
    c.error = outcome.error();
    c.version = outcome.version();
    c.leaseUntil = null;
    c.filesSkipped = outcome.filesSkipped();
    return c.run();
  }

  /** This run, having left out {@code n} names the backend cannot hold. */
  public Run withFilesSkipped(long n) {
    Change c = change();
    c.filesSkipped = n;
    return c.run();
  }

  /** A running run asked to stop, or a pending one cancelled before it started. */
  public Run cancelRequested(Instant now) {
    Change c = change();
    c.cancelRequested = true;
    if (status == RunStatus.PENDING) {
      c.status = RunStatus.CANCELLED;
      c.startedAt = null;
      c.completedAt = now;
      c.error = "cancelled before it started";
      c.version = null;
      c.owner = null;
      c.leaseUntil = null;
    }
    return c.run();
  }

  private Change change() {
    return new Change(this);
  }

  /** The fields a run's life changes, starting from one run's values; the rest stays. */
  private static final class Change {
    private final Run from;
    RunStatus status;
    Instant notBefore;
    Instant startedAt;
    Instant completedAt;
    Progress progress;
    String error;
    String version;
    String owner;
    Instant leaseUntil;
    long fence;
    boolean cancelRequested;
    long filesSkipped;

    Change(Run r) {
      from = r;
      status = r.status;
      notBefore = r.notBefore;
      startedAt = r.startedAt;
      completedAt = r.completedAt;
      progress = r.progress;
      error = r.error;
      version = r.version;
      owner = r.owner;
      leaseUntil = r.leaseUntil;
      fence = r.fence;
      cancelRequested = r.cancelRequested;
      filesSkipped = r.filesSkipped;
    }

    Run run() {
      return new Run(
          from.id,
          from.jobId,
          from.trigger,
          from.scheduledFor,
          status,
          from.createdAt,
          notBefore,
          startedAt,
          completedAt,
          progress,
          error,
          version,
          owner,
          leaseUntil,
          fence,
          from.attempt,
          cancelRequested,
          filesSkipped);
    }
  }
}
