package dev.syncjobs.core.model;

/** Why a run exists. */
public enum Trigger {
  MANUAL,
  SCHEDULE,
  /** Queued after a run failed, with back-off; counts against the job's {@code max_retries}. */
  RETRY,
  /**
   * Queued after a run was interrupted (a graceful shutdown, a crash, an expired lease) to finish
   * its work, reusing what it left in staging; does not count against {@code max_retries}.
   */
  RESUME
}
