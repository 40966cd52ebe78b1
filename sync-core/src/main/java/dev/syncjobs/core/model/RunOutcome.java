package dev.syncjobs.core.model;

import java.util.Objects;

/**
 * How a run ended.
 *
 * @param status SUCCESS, FAILED or CANCELLED
 * @param progress final counts
 * @param error what went wrong, null on success
 * @param version the version the run published or found current, null when none
 * @param filesSkipped names of the source the backend cannot hold, left out of the version
 */
public record RunOutcome(
    RunStatus status, Progress progress, String error, String version, long filesSkipped) {
  public RunOutcome {
    Objects.requireNonNull(status, "status");
    if (status.isActive()) {
      throw new IllegalArgumentException("an outcome is terminal, not " + status);
    }
    if (progress == null) {
      progress = Progress.NONE;
    }
    if (filesSkipped < 0) {
      throw new IllegalArgumentException("filesSkipped must not be negative");
    }
  }

  /** An outcome without skipped names. */
  public RunOutcome(RunStatus status, Progress progress, String error, String version) {
    this(status, progress, error, version, 0);
  }

  public static RunOutcome failed(String error) {
    return new RunOutcome(RunStatus.FAILED, Progress.NONE, error, null);
  }
}
