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

  /** A run that skipped no names. */
  public Run(
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
      boolean cancelRequested) {
    this(
        id,
        jobId,
        trigger,
        scheduledFor,
        status,
        createdAt,
        notBefore,
        startedAt,
        completedAt,
        progress,
        error,
        version,
        owner,
        leaseUntil,
        fence,
        attempt,
        cancelRequested,
        0);
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
        false);
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
        false);
  }

  public Run withNotBefore(Instant instant) {
    return copy(
        status,
        instant,
        startedAt,
        completedAt,
        progress,
        error,
        version,
        owner,
        leaseUntil,
        fence,
        cancelRequested);
  }

  /** This run claimed by {@code newOwner}: running since {@code now}, fence raised. */
  public Run claimed(String newOwner, Instant now, Instant until) {
    return copy(
        RunStatus.RUNNING,
        notBefore,
        now,
        null,
        progress,
        null,
        null,
        newOwner,
        until,
        fence + 1,
        cancelRequested);
  }

  public Run withLease(Instant until) {
    return copy(
        status,
        notBefore,
        startedAt,
        completedAt,
        progress,
        error,
        version,
        owner,
        until,
        fence,
        cancelRequested);
  }

  public Run withProgress(Progress p) {
    return copy(
        status,
        notBefore,
        startedAt,
        completedAt,
        p,
        error,
        version,
        owner,
        leaseUntil,
        fence,
        cancelRequested);
  }

  /** This run ended with {@code outcome} at {@code at}; its lease is released. */
  public Run completed(RunOutcome outcome, Instant at) {
    return copy(
            outcome.status(),
            notBefore,
            startedAt,
            at,
            outcome.progress(),
            outcome.error(),
            outcome.version(),
            owner,
            null,
            fence,
            cancelRequested)
        .withFilesSkipped(outcome.filesSkipped());
  }

  /** This run, having left out {@code n} names the backend cannot hold. */
  public Run withFilesSkipped(long n) {
    return new Run(
        id,
        jobId,
        trigger,
        scheduledFor,
        status,
        createdAt,
        notBefore,
        startedAt,
        completedAt,
        progress,
        error,
        version,
        owner,
        leaseUntil,
        fence,
        attempt,
        cancelRequested,
        n);
  }

  /** A running run asked to stop, or a pending one cancelled before it started. */
  public Run cancelRequested(Instant now) {
    if (status == RunStatus.PENDING) {
      return copy(
          RunStatus.CANCELLED,
          notBefore,
          null,
          now,
          progress,
          "cancelled before it started",
          null,
          null,
          null,
          fence,
          true);
    }
    return copy(
        status,
        notBefore,
        startedAt,
        completedAt,
        progress,
        error,
        version,
        owner,
        leaseUntil,
        fence,
        true);
  }

  private Run copy(
      RunStatus newStatus,
      Instant newNotBefore,
      Instant newStartedAt,
      Instant newCompletedAt,
      Progress newProgress,
      String newError,
      String newVersion,
      String newOwner,
      Instant newLeaseUntil,
      long newFence,
      boolean newCancelRequested) {
    return new Run(
        id,
        jobId,
        trigger,
        scheduledFor,
        newStatus,
        createdAt,
        newNotBefore,
        newStartedAt,
        newCompletedAt,
        newProgress,
        newError,
        newVersion,
        newOwner,
        newLeaseUntil,
        newFence,
        attempt,
        newCancelRequested,
        filesSkipped);
  }
}
