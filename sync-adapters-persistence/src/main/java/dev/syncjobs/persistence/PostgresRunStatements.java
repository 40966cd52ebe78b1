package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.RunRepository.Claimed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * PostgreSQL's run statements, each working on a set in one round trip: a claim picks its runs
 * {@code FOR UPDATE SKIP LOCKED} (so instances claiming together take different runs), marks them
 * and their jobs running and may return the jobs too, all in one auto-committed statement; a group
 * of completions, or of inserts, is one statement over arrays ({@code unnest}); a pending run or a
 * cancel request is announced with NOTIFY in the transaction that writes it.
 */
final class PostgresRunStatements extends RunStatements {

  /** Picks and claims the runs, and marks their jobs running (without an end). */
  private static final String CLAIM_AND_MARK_START =
      "WITH "
          + String.format(PICK, " FOR UPDATE SKIP LOCKED")
          + ", claimed AS ("
          + CLAIM
          + "), marked AS (UPDATE {jobs} SET status = 'RUNNING', last_run_at = ?,"
          + " last_error = NULL WHERE id IN (SELECT job_id FROM claimed)";

  /** Claims the runs and marks their jobs running in one statement. */
  static final String CLAIM_AND_MARK =
      CLAIM_AND_MARK_START + ") SELECT " + RunRows.COLUMNS + " FROM claimed";

  /**
   * {@link #CLAIM_AND_MARK}, which also returns the jobs it marks, as rows of their own after the
   * runs' rows (a union, paired by job id in Java): a run's row has its columns and null for the
   * job's ({@code j_} prefix), a job's row the other way round.
   */
  static final String CLAIM_MARK_AND_READ =
      CLAIM_AND_MARK_START
          + " RETURNING "
          + JobRows.columnsAs("j_", c -> c)
          + ") SELECT "
          + RunRows.COLUMNS
          + ", "
          + JobRows.columnsAs("j_", c -> "NULL")
          + " FROM claimed UNION ALL SELECT "
          + RunRows.COLUMNS.replaceAll("[a-z_]+", "NULL")
          + ", marked.* FROM marked";

  PostgresRunStatements(Database db) {
    super(db);
  }

  /** A single auto-committed statement: one round trip. */
  @Override
  <T> T inClaimStep(Database.SqlWork<T> work) {
    return db.statement(work);
  }

  /**
   * A job the model refuses comes back null, so only its own run fails (reading it again); every
   * job is null when {@code jobs} is null.
   */
  @Override
  List<Claimed> claimBatch(
      Connection c, String owner, Instant now, Instant leaseUntil, int max, JobRows jobs)
      throws SQLException {
    String sql = jobs != null ? CLAIM_MARK_AND_READ : CLAIM_AND_MARK;
    List<Run> runs = new ArrayList<>();
    Map<JobId, Job> found = new HashMap<>();
    try (PreparedStatement ps = prepareClaim(c, sql, owner, now, leaseUntil, max)) {
      dialect.setInstant(ps, 5, now);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (jobs != null && dialect.getUuid(rs, "id") == null) {
            Job job = jobs.mapOrNull(rs, "j_");
            if (job != null) {
              found.put(job.id(), job);
            }
          } else {
            runs.add(rows.map(rs));
          }
        }
      }
    }
    List<Claimed> claimed = new ArrayList<>(runs.size());
    for (Run run : runs) {
      claimed.add(new Claimed(run, found.get(run.jobId())));
    }
    return claimed;
  }

  /**
   * A group without follow-ups is one auto-committed statement ({@link #COMPLETE}); one with
   * follow-ups is a transaction that also inserts them.
   */
  @Override
  boolean[] complete(List<Completion> group) {
    if (group.stream().noneMatch(x -> x.followUp() != null)) {
      return db.statement(c -> completeAll(c, group));
    }
    return db.transaction(
        c -> {
          boolean[] ended = completeAll(c, group);
          queueFollowUps(c, group, ended);
          return ended;
        });
  }

  /**
   * Ends a group of runs whose fence still matches and records their jobs' status.
   *
   * <p>The runs are found by primary key. "Still running" is compared with a column of the
   * materialised {@code v}, not with the constant {@code 'RUNNING'}: with the constant, the planner
   * may read the partial index {@code runs_leases} instead, which right after a burst holds
   * thousands of dead entries while the statistics say a few runs are running, and every completion
   * then read them all.
   */
  static final String COMPLETE =
      "WITH v AS MATERIALIZED (SELECT u.*, 'RUNNING'::text AS running FROM unnest("
          + "?::uuid[], ?::bigint[], ?::text[], ?::text[],"
          + " ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[],"
          + " ?::text[], ?::text[], ?::timestamptz[], ?::bigint[]) AS u(id, fence, status,"
          + " job_status, files_done, files_total, bytes_done, bytes_total, current_file,"
          + " bytes_per_second, error, version, completed_at, files_skipped)),"
          + " ended AS (UPDATE {runs} SET status = v.status, files_done = v.files_done,"
          + " files_total = v.files_total, bytes_done = v.bytes_done,"
          + " bytes_total = v.bytes_total, current_file = v.current_file,"
          + " bytes_per_second = v.bytes_per_second, error = v.error,"
          + " version = v.version, completed_at = v.completed_at, lease_until = NULL,"
          + " files_skipped = v.files_skipped"
          + " FROM v WHERE {runs}.id = v.id AND {runs}.fence = v.fence"
          + " AND {runs}.status = v.running"
          + " RETURNING {runs}.id, {runs}.job_id, v.job_status, v.error, v.completed_at),"
          + " recorded AS (UPDATE {jobs} SET status = ended.job_status,"
          + " last_run_at = ended.completed_at, last_error = ended.error"
          + " FROM ended WHERE {jobs}.id = ended.job_id)"
          + " SELECT id FROM ended";

  /** {@link #COMPLETE} for the batch; true per run ended. */
  private boolean[] completeAll(Connection c, List<Completion> batch) throws SQLException {
    int n = batch.size();
    Object[] ids = new Object[n];
    Object[] fences = new Object[n];
    Object[] statuses = new Object[n];
    Object[] jobStatuses = new Object[n];
    Object[][] progress = new Object[6][n];
    Object[] errors = new Object[n];
    Object[] versions = new Object[n];
    Object[] ends = new Object[n];
    Object[] skipped = new Object[n];
    for (int k = 0; k < n; k++) {
      Completion x = batch.get(k);
      Progress p = x.outcome().progress();
      ids[k] = x.id().value();
      fences[k] = x.fence();
      statuses[k] = x.outcome().status().name();
      jobStatuses[k] = JobStatus.after(x.outcome().status()).name();
      progress[0][k] = p.filesDone();
      progress[1][k] = p.filesTotal();
      progress[2][k] = p.bytesDone();
      progress[3][k] = p.bytesTotal();
      progress[4][k] = p.currentFile();
      progress[5][k] = p.bytesPerSecond();
      errors[k] = x.outcome().error();
      versions[k] = x.outcome().version();
      ends[k] = Dialect.timestampText(x.completedAt());
      skipped[k] = x.outcome().filesSkipped();
    }
    Set<UUID> ended;
    try (PreparedStatement ps = c.prepareStatement(COMPLETE)) {
      int i = 1;
      ps.setArray(i++, c.createArrayOf("uuid", ids));
      ps.setArray(i++, c.createArrayOf("bigint", fences));
      ps.setArray(i++, c.createArrayOf("text", statuses));
      ps.setArray(i++, c.createArrayOf("text", jobStatuses));
      for (int k = 0; k < 6; k++) {
        ps.setArray(i++, c.createArrayOf(k == 4 ? "text" : "bigint", progress[k]));
      }
      ps.setArray(i++, c.createArrayOf("text", errors));
      ps.setArray(i++, c.createArrayOf("text", versions));
      ps.setArray(i++, c.createArrayOf("text", ends));
      ps.setArray(i, c.createArrayOf("bigint", skipped));
      ended = Sql.uuids(ps);
    }
    boolean[] written = new boolean[n];
    for (int k = 0; k < n; k++) {
      written[k] = ended.contains(batch.get(k).id().value());
    }
    return written;
  }

  /** The runs given as one array per column, inserted by one statement. */
  static final String INSERT_ALL =
      "INSERT INTO {runs} ("
          + RunRows.COLUMNS
          + ") SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::timestamptz[], ?::text[],"
          + " ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::bigint[],"
          + " ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[],"
          + " ?::text[], ?::timestamptz[], ?::bigint[], ?::integer[], ?::boolean[], ?::bigint[])"
          + " ON CONFLICT DO NOTHING RETURNING id";

  /** {@link #INSERT_ALL} when the runs' ids are distinct (it answers by id), else a JDBC batch. */
  @Override
  int[] insertAll(Connection c, List<Run> runs) throws SQLException {
    if (runs.stream().map(r -> r.id().value()).distinct().count() != runs.size()) {
      return rows.insertBatch(c, runs);
    }
    int n = runs.size();
    // one array per column of RunRows.COLUMNS, in its order; instants as text (see
    // Dialect.timestampText)
    String[] types = {
      "uuid", "uuid", "text", "text", "text", "text", "text", "text", "text", "bigint", "bigint",
      "bigint", "bigint", "text", "bigint", "text", "text", "text", "text", "bigint", "integer",
      "boolean", "bigint"
    };
    Object[][] columns = new Object[types.length][n];
    for (int k = 0; k < n; k++) {
      Run r = runs.get(k);
      Progress p = r.progress();
      Object[] row = {
        r.id().value(),
        r.jobId().value(),
        r.trigger().name(),
        Dialect.timestampText(r.scheduledFor()),
        r.status().name(),
        Dialect.timestampText(r.createdAt()),
        Dialect.timestampText(r.notBefore()),
        Dialect.timestampText(r.startedAt()),
        Dialect.timestampText(r.completedAt()),
        p.filesDone(),
        p.filesTotal(),
        p.bytesDone(),
        p.bytesTotal(),
        p.currentFile(),
        p.bytesPerSecond(),
        r.error(),
        r.version(),
        r.owner(),
        Dialect.timestampText(r.leaseUntil()),
        r.fence(),
        r.attempt(),
        r.cancelRequested(),
        r.filesSkipped()
      };
      for (int col = 0; col < row.length; col++) {
        columns[col][k] = row[col];
      }
    }
    Set<UUID> inserted;
    try (PreparedStatement ps = c.prepareStatement(INSERT_ALL)) {
      for (int col = 0; col < types.length; col++) {
        ps.setArray(col + 1, c.createArrayOf(types[col], columns[col]));
      }
      inserted = Sql.uuids(ps);
    }
    return runs.stream().mapToInt(r -> inserted.contains(r.id().value()) ? 1 : 0).toArray();
  }

  @Override
  void announceWork(Connection c) throws SQLException {
    PostgresWakeUps.announceWork(db, c);
  }

  /** The owner, on whichever instance, stops at once instead of at its next lease renewal. */
  @Override
  void announceCancel(Connection c, RunId id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, PostgresProgressPublisher.cancelChannel(db));
      ps.setString(2, id.toString());
      ps.execute();
    }
  }
}
