package dev.syncjobs.persistence;

import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.RunRepository;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link RunRepository} on SQLite or PostgreSQL. The database enforces the invariants: a partial
 * unique index allows one pending-or-running run per job, a unique {@code (job_id, scheduled_for)}
 * one run per occurrence. Runs are claimed with {@code FOR UPDATE SKIP LOCKED} (PostgreSQL) or
 * under the single writer (SQLite); every claim raises the run's fence, and lease renewals,
 * progress and results are written only while the fence still matches. With PostgreSQL a cancel
 * request on a running run is also sent as a NOTIFY (see {@link PostgresProgressPublisher}).
 */
public final class JdbcRunRepository implements RunRepository {

  static final String COLUMNS =
      "id, job_id, trigger, scheduled_for, status, created_at, not_before, started_at,"
          + " completed_at, files_done, files_total, bytes_done, bytes_total, current_file,"
          + " bytes_per_second, error, version, owner, lease_until, fence, attempt,"
          + " cancel_requested";

  private static final String ACTIVE = "status IN ('PENDING', 'RUNNING')";

  private final Database db;
  private final Dialect dialect;

  public JdbcRunRepository(Database db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  @Override
  public InsertResult insert(Run run) {
    return db.transaction(
        c -> {
          for (int attempt = 0; attempt < 5; attempt++) {
            if (insertRow(dialect, c, run) == 1) {
              return InsertResult.INSERTED;
            }
            if (hasActive(dialect, c, run.jobId())) {
              return InsertResult.ACTIVE_RUN_EXISTS;
            }
            if (run.scheduledFor() != null && occurrenceExists(c, run)) {
              return InsertResult.DUPLICATE_OCCURRENCE;
            }
            if (findRow(c, run.id().value()).isPresent()) {
              throw new IllegalArgumentException("a run with id " + run.id() + " already exists");
            }
            // the conflicting active run ended between the insert and the checks: try again
          }
          return InsertResult.ACTIVE_RUN_EXISTS;
        });
  }

  @Override
  public Optional<Run> find(RunId id) {
    return db.query(c -> findRow(c, id.value()));
  }

  @Override
  public Optional<Run> findActive(JobId jobId) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT " + COLUMNS + " FROM runs WHERE job_id = ? AND " + ACTIVE)) {
            dialect.setUuid(ps, 1, jobId.value());
            return first(read(ps));
          }
        });
  }

  @Override
  public List<Run> history(JobId jobId, int limit, int offset) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM runs WHERE job_id = ? ORDER BY created_at DESC, id DESC"
                      + " LIMIT ? OFFSET ?")) {
            dialect.setUuid(ps, 1, jobId.value());
            ps.setInt(2, limit);
            ps.setInt(3, offset);
            return read(ps);
          }
        });
  }

  @Override
  public long count(JobId jobId) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT count(*) FROM runs WHERE job_id = ?")) {
            dialect.setUuid(ps, 1, jobId.value());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  @Override
  public Optional<Run> claimNext(String owner, Instant now, Instant leaseUntil) {
    return first(claim(owner, now, leaseUntil, 1));
  }

  /**
   * One statement claims the batch ({@code FOR UPDATE SKIP LOCKED} on PostgreSQL) and one more
   * marks the jobs running, in one transaction.
   */
  @Override
  public List<Run> claim(String owner, Instant now, Instant leaseUntil, int max) {
    if (max < 1) {
      return List.of();
    }
    return db.transaction(
        c -> {
          for (int attempt = 0; attempt < 3; attempt++) {
            List<Run> claimed;
            try (PreparedStatement ps =
                c.prepareStatement(
                    // The picked ids are materialised once: a LIMIT ... FOR UPDATE subquery under
                    // IN may otherwise be evaluated again and claim more than the limit.
                    "WITH picked AS MATERIALIZED (SELECT id FROM runs WHERE status = 'PENDING'"
                        + " AND not_before <= ? ORDER BY created_at, id LIMIT ?"
                        + dialect.skipLocked
                        + ") UPDATE runs SET status = 'RUNNING', owner = ?, lease_until = ?,"
                        + " started_at = ?, fence = fence + 1, cancel_requested = FALSE"
                        + " WHERE id IN (SELECT id FROM picked) AND status = 'PENDING' RETURNING "
                        + COLUMNS)) {
              dialect.setInstant(ps, 1, now);
              ps.setInt(2, max);
              ps.setString(3, owner);
              dialect.setInstant(ps, 4, leaseUntil);
              dialect.setInstant(ps, 5, now);
              claimed = read(ps);
            }
            if (!claimed.isEmpty()) {
              markJobsRunning(c, claimed, now);
              claimed.sort(
                  java.util.Comparator.comparing(Run::createdAt)
                      .thenComparing(r -> r.id().value()));
              return claimed;
            }
            // PostgreSQL may skip rows a competitor claimed meanwhile and return nothing even
            // though other runs are pending: look again while some are
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT 1 FROM runs WHERE status = 'PENDING' AND not_before <= ? LIMIT 1")) {
              dialect.setInstant(ps, 1, now);
              try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                  return List.of();
                }
              }
            }
          }
          return List.of();
        });
  }

  @Override
  public LeaseState renewLease(RunId id, long fence, Instant leaseUntil) {
    return db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET lease_until = ? WHERE id = ? AND fence = ?"
                      + " AND status = 'RUNNING' RETURNING cancel_requested")) {
            dialect.setInstant(ps, 1, leaseUntil);
            dialect.setUuid(ps, 2, id.value());
            ps.setLong(3, fence);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return LeaseState.LOST;
              }
              return rs.getBoolean(1) ? LeaseState.CANCEL_REQUESTED : LeaseState.RENEWED;
            }
          }
        });
  }

  @Override
  public boolean updateProgress(RunId id, long fence, Progress progress) {
    return db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET files_done = ?, files_total = ?, bytes_done = ?,"
                      + " bytes_total = ?, current_file = ?, bytes_per_second = ?"
                      + " WHERE id = ? AND fence = ? AND status = 'RUNNING'")) {
            int i = bindProgress(ps, 1, progress);
            dialect.setUuid(ps, i++, id.value());
            ps.setLong(i, fence);
            return ps.executeUpdate() == 1;
          }
        });
  }

  /** One statement marks the jobs of all claimed runs running. */
  private void markJobsRunning(Connection c, List<Run> claimed, Instant now) throws SQLException {
    String marks = String.join(", ", java.util.Collections.nCopies(claimed.size(), "?"));
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE jobs SET status = 'RUNNING', last_run_at = ?, last_error = NULL"
                + " WHERE id IN ("
                + marks
                + ")")) {
      dialect.setInstant(ps, 1, now);
      int i = 2;
      for (Run r : claimed) {
        dialect.setUuid(ps, i++, r.jobId().value());
      }
      ps.executeUpdate();
    }
  }

  @Override
  public boolean complete(RunId id, long fence, RunOutcome outcome, Instant completedAt) {
    return db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET status = ?, files_done = ?, files_total = ?, bytes_done = ?,"
                      + " bytes_total = ?, current_file = ?, bytes_per_second = ?, error = ?,"
                      + " version = ?, completed_at = ?, lease_until = NULL"
                      + " WHERE id = ? AND fence = ? AND status = 'RUNNING'")) {
            ps.setString(1, outcome.status().name());
            int i = bindProgress(ps, 2, outcome.progress());
            ps.setString(i++, outcome.error());
            ps.setString(i++, outcome.version());
            dialect.setInstant(ps, i++, completedAt);
            dialect.setUuid(ps, i++, id.value());
            ps.setLong(i, fence);
            if (ps.executeUpdate() != 1) {
              return false;
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE jobs SET status = ?, last_run_at = ?, last_error = ?"
                      + " WHERE id = (SELECT job_id FROM runs WHERE id = ?)")) {
            ps.setString(1, JobStatus.after(outcome.status()).name());
            dialect.setInstant(ps, 2, completedAt);
            ps.setString(3, outcome.error());
            dialect.setUuid(ps, 4, id.value());
            ps.executeUpdate();
          }
          return true;
        });
  }

  @Override
  public boolean requestCancel(RunId id, Instant now) {
    return db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET status = 'CANCELLED', completed_at = ?, error = ?"
                      + " WHERE id = ? AND status = 'PENDING'")) {
            dialect.setInstant(ps, 1, now);
            ps.setString(2, "cancelled before it started");
            dialect.setUuid(ps, 3, id.value());
            if (ps.executeUpdate() == 1) {
              return true;
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET cancel_requested = TRUE WHERE id = ? AND status = 'RUNNING'"
                      + " AND cancel_requested = FALSE")) {
            dialect.setUuid(ps, 1, id.value());
            if (ps.executeUpdate() == 0) {
              // already flagged (and announced): still a valid request; or not running at all
              Optional<Run> run = findRow(c, id.value());
              return run.isPresent() && run.get().status() == RunStatus.RUNNING;
            }
          }
          if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
              ps.setString(1, PostgresProgressPublisher.cancelChannel(db));
              ps.setString(2, id.toString());
              ps.execute();
            }
          }
          return true;
        });
  }

  @Override
  public List<Run> active() {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM runs WHERE "
                      + ACTIVE
                      + " ORDER BY created_at, id")) {
            return read(ps);
          }
        });
  }

  @Override
  public List<Run> expired(Instant now) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM runs WHERE status = 'RUNNING' AND lease_until < ?"
                      + " ORDER BY lease_until, id")) {
            dialect.setInstant(ps, 1, now);
            return read(ps);
          }
        });
  }

  @Override
  public int deleteFinishedBefore(Instant cutoff, int batch) {
    if (batch <= 0) {
      return 0;
    }
    return db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE status NOT IN"
                      + " ('PENDING', 'RUNNING') AND completed_at < ?"
                      + " ORDER BY completed_at LIMIT ?)")) {
            dialect.setInstant(ps, 1, cutoff);
            ps.setInt(2, batch);
            return ps.executeUpdate();
          }
        });
  }

  /** Inserts {@code run} unless a unique index refuses it; returns the rows inserted (0 or 1). */
  static int insertRow(Dialect dialect, Connection c, Run run) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO runs ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT DO NOTHING")) {
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
      ps.setBoolean(i, run.cancelRequested());
      return ps.executeUpdate();
    }
  }

  static boolean hasActive(Dialect dialect, Connection c, JobId jobId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM runs WHERE job_id = ? AND " + ACTIVE)) {
      dialect.setUuid(ps, 1, jobId.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private boolean occurrenceExists(Connection c, Run run) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM runs WHERE job_id = ? AND scheduled_for = ?")) {
      dialect.setUuid(ps, 1, run.jobId().value());
      dialect.setInstant(ps, 2, run.scheduledFor());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private Optional<Run> findRow(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE id = ?")) {
      dialect.setUuid(ps, 1, id);
      return first(read(ps));
    }
  }

  private static int bindProgress(PreparedStatement ps, int i, Progress p) throws SQLException {
    ps.setLong(i++, p.filesDone());
    ps.setLong(i++, p.filesTotal());
    ps.setLong(i++, p.bytesDone());
    ps.setLong(i++, p.bytesTotal());
    ps.setString(i++, p.currentFile());
    ps.setLong(i++, p.bytesPerSecond());
    return i;
  }

  private List<Run> read(PreparedStatement ps) throws SQLException {
    List<Run> runs = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        runs.add(map(rs));
      }
    }
    return runs;
  }

  private static <T> Optional<T> first(List<T> list) {
    return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }

  private Run map(ResultSet rs) throws SQLException {
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
        rs.getBoolean("cancel_requested"));
  }
}
