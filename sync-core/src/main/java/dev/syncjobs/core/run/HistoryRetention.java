package dev.syncjobs.core.run;

import dev.syncjobs.core.port.AuditLog;
import dev.syncjobs.core.port.RunRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes finished runs (and, through the repository, their logs) and audit entries older than the
 * retention period, never more than a bounded batch of each per pass so a large backlog cannot
 * stall the database.
 */
public final class HistoryRetention {
  private final RunRepository runs;
  private final AuditLog audit;
  private final Clock clock;
  private final Duration retention;
  private final int batch;

  /**
   * @param retention how long finished runs are kept (SYNCJOBS_RUN_RETENTION_DAYS, default 30 days)
   * @param batch the most runs deleted by one pass
   */
  public HistoryRetention(RunRepository runs, Clock clock, Duration retention, int batch) {
    this(runs, null, clock, retention, batch);
  }

  /**
   * @param audit the audit trail kept as long as the runs, or null for none
   * @param retention how long finished runs and audit entries are kept
   * @param batch the most runs (and the most audit entries) deleted by one pass
   */
  public HistoryRetention(
      RunRepository runs, AuditLog audit, Clock clock, Duration retention, int batch) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1");
    }
    this.runs = runs;
    this.audit = audit;
    this.clock = clock;
    this.retention = retention;
    this.batch = batch;
  }

  /** One pass; returns how many runs and audit entries were deleted. */
  public int purgeOnce() {
    Instant cutoff = clock.instant().minus(retention);
    int deleted = runs.deleteFinishedBefore(cutoff, batch);
    return audit == null ? deleted : deleted + audit.deleteBefore(cutoff, batch);
  }
}
