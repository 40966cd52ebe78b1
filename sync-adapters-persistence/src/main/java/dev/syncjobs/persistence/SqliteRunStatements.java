package dev.syncjobs.persistence;

import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.RunRepository.Claimed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQLite's run statements. Every write runs on the database's one writer thread (see {@link
 * Database#transaction}), so a claim needs no row locks: two statements in one write transaction
 * claim the runs and mark their jobs running. The claimed runs' jobs are not read there, since the
 * writer bounds SQLite's throughput: the caller reads them on a reader connection.
 */
final class SqliteRunStatements extends RunStatements {

  /** SQLite has no data-modifying CTEs: the claim, then {@link #markJobsRunning}. */
  private static final String CLAIM_RUNS = "WITH " + String.format(PICK, "") + " " + CLAIM;

  SqliteRunStatements(Database db) {
    super(db);
  }

  @Override
  <T> T inClaimStep(Database.SqlWork<T> work) {
    return db.transaction(work);
  }

  @Override
  List<Claimed> claimBatch(
      Connection c, String owner, Instant now, Instant leaseUntil, int max, JobRows jobs)
      throws SQLException {
    List<Run> runs;
    try (PreparedStatement ps = prepareClaim(c, CLAIM_RUNS, owner, now, leaseUntil, max)) {
      runs = Sql.rows(ps, rows::map);
    }
    if (!runs.isEmpty()) {
      markJobsRunning(c, runs.stream().map(Run::jobId).toList(), now);
    }
    List<Claimed> claimed = new ArrayList<>(runs.size());
    for (Run run : runs) {
      claimed.add(new Claimed(run, null));
    }
    return claimed;
  }

  /** One statement marks the jobs of all claimed runs running. */
  private void markJobsRunning(Connection c, List<JobId> claimed, Instant now) throws SQLException {
    String marks = Sql.placeholders(claimed.size());
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE {jobs} SET status = 'RUNNING', last_run_at = ?, last_error = NULL"
                + " WHERE id IN ("
                + marks
                + ")")) {
      dialect.setInstant(ps, 1, now);
      int i = 2;
      for (JobId id : claimed) {
        dialect.setUuid(ps, i++, id.value());
      }
      ps.executeUpdate();
    }
  }

  /** One write transaction with a JDBC batch per statement. */
  @Override
  boolean[] complete(List<Completion> group) {
    return db.transaction(
        c -> {
          boolean[] ended = completeAll(c, group);
          queueFollowUps(c, group, ended);
          return ended;
        });
  }

  /** Ends the runs whose fence still matches and records their jobs' status; true per run ended. */
  private boolean[] completeAll(Connection c, List<Completion> batch) throws SQLException {
    boolean[] written = new boolean[batch.size()];
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE {runs} SET status = ?, files_done = ?, files_total = ?, bytes_done = ?,"
                + " bytes_total = ?, current_file = ?, bytes_per_second = ?, error = ?,"
                + " version = ?, completed_at = ?, lease_until = NULL, files_skipped = ?"
                + " WHERE id = ? AND fence = ? AND status = 'RUNNING'")) {
      for (Completion x : batch) {
        ps.setString(1, x.outcome().status().name());
        int i = RunRows.bindProgress(ps, 2, x.outcome().progress());
        ps.setString(i++, x.outcome().error());
        ps.setString(i++, x.outcome().version());
        dialect.setInstant(ps, i++, x.completedAt());
        ps.setLong(i++, x.outcome().filesSkipped());
        dialect.setUuid(ps, i++, x.id().value());
        ps.setLong(i, x.fence());
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      for (int i = 0; i < counts.length; i++) {
        written[i] = counts[i] == 1;
      }
    }
    boolean any = false;
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE {jobs} SET status = ?, last_run_at = ?, last_error = ?"
                + " WHERE id = (SELECT job_id FROM {runs} WHERE id = ?)")) {
      for (int k = 0; k < batch.size(); k++) {
        if (!written[k]) {
          continue;
        }
        Completion x = batch.get(k);
        ps.setString(1, JobStatus.after(x.outcome().status()).name());
        dialect.setInstant(ps, 2, x.completedAt());
        ps.setString(3, x.outcome().error());
        dialect.setUuid(ps, 4, x.id().value());
        ps.addBatch();
        any = true;
      }
      if (any) {
        ps.executeBatch();
      }
    }
    return written;
  }

  @Override
  int[] insertAll(Connection c, List<Run> runs) throws SQLException {
    return rows.insertBatch(c, runs);
  }

  /** One process owns a SQLite database: nobody else to tell. */
  @Override
  void announceWork(Connection c) {}

  /** One process owns a SQLite database: the owner sees the flag on its next lease renewal. */
  @Override
  void announceCancel(Connection c, RunId id) {}
}
