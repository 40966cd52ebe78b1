package dev.syncjobs.core.model;

/** What a job's last run left behind. */
public enum JobStatus {
  IDLE,
  RUNNING,
  SYNCED,
  FAILED;

  /** The status a job has after its run ended with {@code outcome}. */
  public static JobStatus after(RunStatus outcome) {
    return switch (outcome) {
      case SUCCESS -> SYNCED;
      case FAILED -> FAILED;
      case PENDING, RUNNING -> RUNNING;
      case CANCELLED, SKIPPED -> IDLE;
    };
  }
}
