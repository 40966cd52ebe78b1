package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.port.JobRepository.FireResult;
import dev.syncjobs.core.port.JobRepository.Fired;
import dev.syncjobs.core.port.JobRepository.Firing;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The statements on jobs in which SQLite and PostgreSQL differ (reading several by id, the name
 * order, firing due occurrences, the announcement of a schedule change), one subclass per dialect,
 * and the firing steps the two share.
 */
abstract sealed class JobStatements permits SqliteJobStatements, PostgresJobStatements {

  final Database db;
  final Dialect dialect;
  final JobRows jobs;
  private final RunRows runRows;
  private final RunStatements runs;

  JobStatements(Database db, JobRows jobs) {
    this.db = db;
    this.dialect = db.dialect();
    this.jobs = jobs;
    this.runRows = new RunRows(dialect);
    this.runs = RunStatements.of(db);
  }

  static JobStatements of(Database db, JobRows jobs) {
    return db.dialect() == Dialect.POSTGRESQL
        ? new PostgresJobStatements(db, jobs)
        : new SqliteJobStatements(db, jobs);
  }

  /**
   * The enabled jobs due at {@code now}, oldest first, at most {@code limit}; {@code lock} ends the
   * query (a locking clause, or nothing).
   */
  final List<Job> due(Connection c, Instant now, int limit, String lock) throws SQLException {
    return jobs.select(
        c,
        "WHERE enabled = TRUE AND next_run_at IS NOT NULL AND next_run_at <= ?"
            + " ORDER BY next_run_at, id LIMIT ?"
            + lock,
        ps -> {
          dialect.setInstant(ps, 1, now);
          ps.setInt(2, limit);
        });
  }

  /** The jobs with these (distinct) ids that exist, in one statement. */
  abstract List<Job> findAll(Connection c, List<JobId> ids) throws SQLException;

  /** The {@code ORDER BY} expression of the job list: by name, ignoring case. */
  abstract String byName();

  /** Tells the other instances, at commit, that a job was created or its schedule changed. */
  abstract void announceScheduleChange(Connection c) throws SQLException;

  /** {@link dev.syncjobs.core.port.JobRepository#fireDue}. */
  abstract List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan);

  /**
   * Moves each job to its firing's next occurrence if it is still at the occurrence read; 1 per job
   * moved, 0 per lost race.
   */
  abstract int[] advance(Connection c, List<Job> due, List<Firing> firings) throws SQLException;

  /**
   * Fires each job read as planned, in the caller's transaction: the advances and the inserts each
   * sent in one step. A run the database refuses (its job has an active run, or the occurrence
   * exists) is then handled on its own.
   */
  final List<Fired> fire(Connection c, List<Job> due, List<Firing> firings) throws SQLException {
    int n = due.size();
    for (int k = 0; k < n; k++) {
      Run run = firings.get(k).run();
      if (run != null && !run.jobId().equals(due.get(k).id())) {
        throw new IllegalArgumentException(
            "the run belongs to job " + run.jobId() + ", not " + due.get(k).id());
      }
    }
    FireResult[] results = new FireResult[n];
    int[] advanced = advance(c, due, firings);
    List<Integer> inserting = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      if (advanced[k] == 0) {
        results[k] = FireResult.LOST;
      } else if (firings.get(k).run() == null) {
        results[k] = FireResult.ADVANCED;
      } else {
        inserting.add(k);
      }
    }
    if (!inserting.isEmpty()) {
      int[] inserted =
          runs.insertAll(c, inserting.stream().map(k -> firings.get(k).run()).toList());
      for (int i = 0; i < inserted.length; i++) {
        int k = inserting.get(i);
        results[k] = inserted[i] == 1 ? FireResult.FIRED : insertRefused(c, firings.get(k).run());
      }
    }
    List<Fired> fired = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      fired.add(new Fired(due.get(k), results[k]));
    }
    return fired;
  }

  /** The occurrence's run was refused: record it as skipped when its job has an active run. */
  private FireResult insertRefused(Connection c, Run run) throws SQLException {
    if (runRows.hasActive(c, run.jobId())) {
      Run skipped = Run.skipped(run.id(), run.jobId(), run.scheduledFor(), run.createdAt());
      if (runRows.insert(c, skipped) == 1) {
        return FireResult.SKIPPED;
      }
    }
    return FireResult.ADVANCED;
  }
}
