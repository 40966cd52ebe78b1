package dev.syncjobs.persistence;

import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Trigger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code runs} table's columns, and the reading, binding and single-row statements on them that
 * read the same in both dialects: what the run and job repositories and the dialects' statements
 * share.
 */
final class RunRows {

  static final String COLUMNS =
      "id, job_id, trigger, scheduled_for, status, created_at, not_before, started_at,"
          + " completed_at, files_done, files_total, bytes_done, bytes_total, current_file,"
          + " bytes_per_second, error, version, owner, lease_until, fence, attempt,"
          + " cancel_requested, files_skipped";

  /**
   * Pending or running: the predicate of the index {@code runs_one_active_per_job}, which says
   * {@code job_id IS NOT NULL} (always true) so that only statements that say it too, or name a
   * job, can read that index (see migration V3).
   */
  static final String ACTIVE = "status IN ('PENDING', 'RUNNING') AND job_id IS NOT NULL";

  private static final String INSERT =
      "INSERT INTO {runs} ("
          + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT DO NOTHING";

  private final Dialect dialect;

  RunRows(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Inserts {@code run} unless a unique index refuses it; returns the rows inserted (0 or 1). */
  int insert(Connection c, Run run) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      bind(ps, run);
      return ps.executeUpdate();
    }
  }

  /**
   * Inserts each run unless a unique index refuses it, as one JDBC batch; returns the rows inserted
   * per run (0 or 1), in order.
   */
  int[] insertBatch(Connection c, List<Run> runs) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (Run run : runs) {
        bind(ps, run);
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }

  /** Whether the job has a pending or running run. */
  boolean hasActive(Connection c, JobId jobId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM {runs} WHERE job_id = ? AND " + ACTIVE)) {
      dialect.setUuid(ps, 1, jobId.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Whether the run's job already has a run for the run's occurrence. */
  boolean occurrenceExists(Connection c, Run run) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM {runs} WHERE job_id = ? AND scheduled_for = ?")) {
      dialect.setUuid(ps, 1, run.jobId().value());
      dialect.setInstant(ps, 2, run.scheduledFor());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  Optional<Run> find(Connection c, UUID id) throws SQLException {
    return Sql.first(select(c, "WHERE id = ?", ps -> dialect.setUuid(ps, 1, id)));
  }

  /**
   * The runs {@code SELECT} {@link #COLUMNS} {@code FROM {runs}} followed by {@code rest} reads.
   */
  List<Run> select(Connection c, String rest, Sql.Params params) throws SQLException {
    return Sql.list(c, "SELECT " + COLUMNS + " FROM {runs} " + rest, params, this::map);
  }

  /** Binds every column of {@link #COLUMNS}, in its order. */
  void bind(PreparedStatement ps, Run run) throws SQLException {
    int i = 1;
    dialect.setUuid(ps, i++, run.id().value());
    dialect.setUuid(ps, i++, run.jobId().value());
    ps.setString(i++, run.trigger().name());
    dialect.setInstant(ps, i++, run.scheduledFor());
    ps.setString(i++, run.status().name());
    dialect.setInstant(ps, i++, run.createdAt());
    dialect.setInstant(ps, i++, run.notBefore());
    dialect.setInstant(ps, i++, run.startedAt());
    dialect.setInstant(ps, i++, run.completedAt());
    i = bindProgress(ps, i, run.progress());
    ps.setString(i++, run.error());
    ps.setString(i++, run.version());
    ps.setString(i++, run.owner());
    dialect.setInstant(ps, i++, run.leaseUntil());
    ps.setLong(i++, run.fence());
    ps.setInt(i++, run.attempt());
    ps.setBoolean(i++, run.cancelRequested());
    ps.setLong(i, run.filesSkipped());
  }

  /** Binds the six progress columns from {@code i}; returns the next index. */
  static int bindProgress(PreparedStatement ps, int i, Progress p) throws SQLException {
    ps.setLong(i++, p.filesDone());
    ps.setLong(i++, p.filesTotal());
    ps.setLong(i++, p.bytesDone());
    ps.setLong(i++, p.bytesTotal());
    ps.setString(i++, p.currentFile());
    ps.setLong(i++, p.bytesPerSecond());
    return i;
  }

  /** The run in the current row. */
  Run map(ResultSet rs) throws SQLException {
    return new Run(
        new RunId(dialect.getUuid(rs, "id")),
        new JobId(dialect.getUuid(rs, "job_id")),
        Trigger.valueOf(rs.getString("trigger")),
        dialect.getInstant(rs, "scheduled_for"),
        RunStatus.valueOf(rs.getString("status")),
        dialect.getInstant(rs, "created_at"),
        dialect.getInstant(rs, "not_before"),
        dialect.getInstant(rs, "started_at"),
        dialect.getInstant(rs, "completed_at"),
        new Progress(
            rs.getLong("files_done"),
            rs.getLong("files_total"),
            rs.getLong("bytes_done"),
            rs.getLong("bytes_total"),
            rs.getString("current_file"),
            rs.getLong("bytes_per_second")),
        rs.getString("error"),
        rs.getString("version"),
        rs.getString("owner"),
        dialect.getInstant(rs, "lease_until"),
        rs.getLong("fence"),
        rs.getInt("attempt"),
        rs.getBoolean("cancel_requested"),
        rs.getLong("files_skipped"));
  }
}
