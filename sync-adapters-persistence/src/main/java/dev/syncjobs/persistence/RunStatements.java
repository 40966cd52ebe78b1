package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.port.RunRepository.Claimed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The statements on runs in which SQLite and PostgreSQL differ (the claim, the group completion, a
 * batch insert, the announcements), one subclass per dialect, and what the two share around them.
 */
abstract sealed class RunStatements permits SqliteRunStatements, PostgresRunStatements {

  final Database db;
  final Dialect dialect;
  final RunRows rows;

  RunStatements(Database db) {
    this.db = db;
    this.dialect = db.dialect();
    this.rows = new RunRows(dialect);
  }

  static RunStatements of(Database db) {
    return db.dialect() == Dialect.POSTGRESQL
        ? new PostgresRunStatements(db)
        : new SqliteRunStatements(db);
  }

  // The picked ids are materialised once: a LIMIT ... FOR UPDATE subquery under IN may otherwise
  // be evaluated again and claim more than the limit. The limit is written into the statement
  // ({@link #withLimit}), not bound: PostgreSQL's generic plan for a bound limit guesses a tenth of
  // the pending runs, and when the statistics know of many it costs more than a plan for the real
  // limit, so PostgreSQL would plan the claim afresh each time. Batch sizes range up to an
  // instance's slots: a few statement texts, each prepared once and kept with its own plan.
  static final String PICK =
      "picked AS MATERIALIZED (SELECT id FROM {runs} WHERE status = 'PENDING' AND not_before <= ?"
          + " ORDER BY created_at, id LIMIT {max}%s)";

  /** A claim statement that picks at most {@code max} runs. */
  static String withLimit(String claim, int max) {
    return claim.replace("{max}", Integer.toString(max));
  }

  /**
   * Prepares the claim statement {@code claim} (which says {@link #PICK} then {@link #CLAIM}) to
   * pick at most {@code max} runs, with the parameters those two parts take bound; the parameters
   * after them are the caller's, from 5.
   */
  final PreparedStatement prepareClaim(
      Connection c, String claim, String owner, Instant now, Instant leaseUntil, int max)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(withLimit(claim, max));
    try {
      dialect.setInstant(ps, 1, now);
      ps.setString(2, owner);
      dialect.setInstant(ps, 3, leaseUntil);
      dialect.setInstant(ps, 4, now);
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  // The picked rows are locked (PostgreSQL) or the writer is alone (SQLite), so they are still
  // pending: the update finds them by id alone. A second "status = 'PENDING'" here lets PostgreSQL
  // read the whole runs_claimable index instead of the primary key whenever its statistics were
  // taken before a burst (a few pending runs by the statistics, thousands in fact).
  static final String CLAIM =
      "UPDATE {runs} SET status = 'RUNNING', owner = ?, lease_until = ?, started_at = ?,"
          + " fence = fence + 1, cancel_requested = FALSE"
          + " WHERE id IN (SELECT id FROM picked) RETURNING "
          + RunRows.COLUMNS;

  /**
   * Claims up to {@code max} due runs, oldest first, and marks their jobs running, each with its
   * job where this dialect reads it in the claim's own step and {@code jobs} is given (else null).
   */
  final List<Claimed> claim(String owner, Instant now, Instant leaseUntil, int max, JobRows jobs) {
    if (max < 1) {
      return List.of();
    }
    return inClaimStep(
        c -> {
          for (int attempt = 0; attempt < 3; attempt++) {
            List<Claimed> claimed = claimBatch(c, owner, now, leaseUntil, max, jobs);
            if (!claimed.isEmpty()) {
              claimed.sort(
                  Comparator.comparing((Claimed k) -> k.run().createdAt())
                      .thenComparing(k -> k.run().id().value()));
              return claimed;
            }
            // PostgreSQL may skip rows a competitor claimed meanwhile and return nothing even
            // though other runs are pending: look again while some are
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT 1 FROM {runs} WHERE status = 'PENDING' AND not_before <= ? LIMIT 1")) {
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

  /** Runs the claim's work as this dialect's unit of work for it. */
  abstract <T> T inClaimStep(Database.SqlWork<T> work);

  /** One claim attempt: the runs claimed (unordered), their jobs marked running. */
  abstract List<Claimed> claimBatch(
      Connection c, String owner, Instant now, Instant leaseUntil, int max, JobRows jobs)
      throws SQLException;

  /** A completion waiting for the group commit. */
  record Completion(
      RunId id,
      long fence,
      RunOutcome outcome,
      Instant completedAt,
      Run followUp,
      CompletableFuture<Boolean> done)
      implements GroupCommit.Item<Boolean> {}

  /**
   * Ends the group's runs whose fence still matches, records their jobs' status and queues the
   * follow-ups of those ended, all committed before it returns; true per run ended.
   */
  abstract boolean[] complete(List<Completion> group);

  /** Inserts the follow-ups of the runs {@code ended}, in the transaction that ended them. */
  final void queueFollowUps(Connection c, List<Completion> group, boolean[] ended)
      throws SQLException {
    List<Run> followUps = new ArrayList<>();
    for (int k = 0; k < group.size(); k++) {
      if (ended[k] && group.get(k).followUp() != null) {
        followUps.add(group.get(k).followUp());
      }
    }
    if (!followUps.isEmpty()) {
      insertAll(c, followUps);
      announceWork(c);
    }
  }

  /**
   * Inserts each run unless a unique index refuses it; returns the rows inserted per run (0 or 1),
   * in order.
   */
  abstract int[] insertAll(Connection c, List<Run> runs) throws SQLException;

  /** Tells the other instances, at commit, that a pending run was inserted. */
  abstract void announceWork(Connection c) throws SQLException;

  /** Tells the other instances, at commit, that a running run was asked to stop. */
  abstract void announceCancel(Connection c, RunId id) throws SQLException;
}
