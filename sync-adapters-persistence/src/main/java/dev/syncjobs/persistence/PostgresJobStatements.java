package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.port.JobRepository.Fired;
import dev.syncjobs.core.port.JobRepository.Firing;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * PostgreSQL's job statements. A batch of due occurrences is read, locked and fired in one
 * transaction of three statements (a {@code SELECT ... FOR UPDATE SKIP LOCKED}, then one {@code
 * UPDATE} and one {@code INSERT} over {@code unnest} arrays), so instances firing a burst together
 * take different jobs.
 */
final class PostgresJobStatements extends JobStatements {

  PostgresJobStatements(Database db, JobRows jobs) {
    super(db, jobs);
  }

  /**
   * One statement text for any number of ids (an IN list of n placeholders is a statement of its
   * own for each n, parsed and planned anew instead of prepared once).
   */
  @Override
  List<Job> findAll(Connection c, List<JobId> ids) throws SQLException {
    return jobs.select(
        c,
        "WHERE id = ANY (?)",
        ps -> ps.setArray(1, Sql.uuidArray(c, ids.stream().map(JobId::value))));
  }

  @Override
  String byName() {
    return "lower(name) COLLATE \"C\"";
  }

  @Override
  void announceScheduleChange(Connection c) throws SQLException {
    PostgresWakeUps.announceScheduleChange(db, c);
  }

  /**
   * The due jobs are read {@code FOR UPDATE SKIP LOCKED} in the transaction that fires them: a job
   * another instance is firing right now is left out of this batch, and the instances firing a
   * burst each take their own jobs (the reading order is the same for all, so without the lock each
   * one read, planned and raced for the same ones).
   */
  @Override
  List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan) {
    return db.transaction(
        c -> {
          List<Job> due = due(c, now, limit, " FOR UPDATE SKIP LOCKED");
          if (due.isEmpty()) {
            return List.of();
          }
          List<Firing> firings = new ArrayList<>(due.size());
          for (Job job : due) {
            firings.add(plan.apply(job));
          }
          return fire(c, due, firings);
        });
  }

  /** Moves the batch's (distinct) jobs in one statement. */
  static final String ADVANCE =
      "UPDATE {jobs} SET next_run_at = f.next FROM unnest(?::uuid[], ?::timestamptz[],"
          + " ?::timestamptz[]) AS f(id, expected, next)"
          + " WHERE {jobs}.id = f.id AND {jobs}.next_run_at = f.expected RETURNING {jobs}.id";

  @Override
  int[] advance(Connection c, List<Job> due, List<Firing> firings) throws SQLException {
    Set<UUID> moved;
    try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
      ps.setArray(1, Sql.uuidArray(c, due.stream().map(j -> j.id().value())));
      ps.setArray(
          2,
          c.createArrayOf(
              "text", due.stream().map(j -> Dialect.timestampText(j.nextRunAt())).toArray()));
      ps.setArray(
          3,
          c.createArrayOf(
              "text", firings.stream().map(f -> Dialect.timestampText(f.nextRunAt())).toArray()));
      moved = Sql.uuids(ps);
    }
    return due.stream().mapToInt(j -> moved.contains(j.id().value()) ? 1 : 0).toArray();
  }
}
