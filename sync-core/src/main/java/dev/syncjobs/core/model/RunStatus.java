package dev.syncjobs.core.model;

/**
 * Life cycle of a run: {@code PENDING → RUNNING → SUCCESS | FAILED | CANCELLED}; {@code SKIPPED}
 * records an occurrence that was due while the job's previous run was still active.
 */
public enum RunStatus {
  PENDING,
  RUNNING,
  SUCCESS,
  FAILED,
  CANCELLED,
  SKIPPED;

  /** Pending or running: at most one such run per job. */
  public boolean isActive() {
    return this == PENDING || this == RUNNING;
  }

  public boolean isTerminal() {
    return !isActive();
  }
}
