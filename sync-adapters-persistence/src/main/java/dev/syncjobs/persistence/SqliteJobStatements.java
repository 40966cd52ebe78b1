package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.port.JobRepository.Fired;
import dev.syncjobs.core.port.JobRepository.Firing;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * SQLite's job statements. Firing reads the due jobs on a reader connection and writes on the one
 * writer thread: a job another writer moved meanwhile is a lost race, found by the conditional
 * advance.
 */
final class SqliteJobStatements extends JobStatements {

  SqliteJobStatements(Database db, JobRows jobs) {
    super(db, jobs);
  }

  @Override
  List<Job> findAll(Connection c, List<JobId> ids) throws SQLException {
    return jobs.select(
        c,
        "WHERE id IN (" + Sql.placeholders(ids.size()) + ")",
        ps -> {
          int i = 1;
          for (JobId id : ids) {
            dialect.setUuid(ps, i++, id.value());
          }
        });
  }

  @Override
  String byName() {
    return "lower(name)";
  }

  /** One process owns a SQLite database: nobody else to tell. */
  @Override
  void announceScheduleChange(Connection c) {}

  @Override
  List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan) {
    List<Job> due = db.query(c -> due(c, now, limit, ""));
    if (due.isEmpty()) {
      return List.of();
    }
    List<Firing> firings = due.stream().map(plan).toList();
    return db.transaction(c -> fire(c, due, firings));
  }

  /** A JDBC batch of one conditional update per job. */
  @Override
  int[] advance(Connection c, List<Job> due, List<Firing> firings) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE {jobs} SET next_run_at = ? WHERE id = ? AND next_run_at = ?")) {
      for (int k = 0; k < due.size(); k++) {
        dialect.setInstant(ps, 1, firings.get(k).nextRunAt());
        dialect.setUuid(ps, 2, due.get(k).id().value());
        dialect.setInstant(ps, 3, due.get(k).nextRunAt());
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }
}
