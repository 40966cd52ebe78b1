package dev.syncjobs.persistence;

import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.persistence.RunStatements.Completion;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link RunRepository} on SQLite or PostgreSQL. The database enforces the invariants: a partial
 * unique index allows one pending-or-running run per job, a unique {@code (job_id, scheduled_for)}
 * one run per occurrence. Runs are claimed with {@code FOR UPDATE SKIP LOCKED} (PostgreSQL) or
 * under the single writer (SQLite); every claim raises the run's fence, and lease renewals,
 * progress and results are written only while the fence still matches. With PostgreSQL a cancel
 * request on a running run is also sent as a NOTIFY (see {@link PostgresProgressPublisher}). The
 * statements in which the dialects differ are {@link SqliteRunStatements} and {@link
 * PostgresRunStatements}.
 */
public final class JdbcRunRepository implements RunRepository {

  private final Database db;
  private final Dialect dialect;
  private final RunRows rows;
  private final RunStatements statements;
  private final JobRows jobs;

  /** Runs whose claims return no jobs (every {@link Claimed#job()} is null). */
  public JdbcRunRepository(Database db) {
    this.db = db;
    this.dialect = db.dialect();
    this.rows = new RunRows(dialect);
    this.statements = RunStatements.of(db);
    this.jobs = null;
  }

  /**
   * Runs whose claims on PostgreSQL also read the claimed runs' jobs, in the claim's own statement.
   *
   * @param jobSecretKey the key the {@link JdbcJobRepository} on this database seals credentials
   *     with (null when jobs carry none), to open those of the jobs a claim reads
   */
  public JdbcRunRepository(Database db, byte[] jobSecretKey) {
    this.db = db;
    this.dialect = db.dialect();
    this.rows = new RunRows(dialect);
    this.statements = RunStatements.of(db);
    this.jobs = new JobRows(dialect, jobSecretKey);
  }

  @Override
  public InsertResult insert(Run run) {
    return db.transaction(
        "run.triggered",
        run.id().value().toString(),
        result -> result == InsertResult.INSERTED,
        c -> {
          for (int attempt = 0; attempt < 5; attempt++) {
            if (rows.insert(c, run) == 1) {
              statements.announceWork(c);
              return InsertResult.INSERTED;
            }
            if (rows.hasActive(c, run.jobId())) {
              return InsertResult.ACTIVE_RUN_EXISTS;
            }
            if (run.scheduledFor() != null && rows.occurrenceExists(c, run)) {
              return InsertResult.DUPLICATE_OCCURRENCE;
            }
            if (rows.find(c, run.id().value()).isPresent()) {
              throw new IllegalArgumentException("a run with id " + run.id() + " already exists");
            }
            // the conflicting active run ended between the insert and the checks: try again
          }
          return InsertResult.ACTIVE_RUN_EXISTS;
        });
  }

  @Override
  public Optional<Run> find(RunId id) {
    return db.query(c -> rows.find(c, id.value()));
  }

  @Override
  public Optional<Run> findActive(JobId jobId) {
    return db.query(
        c ->
            Sql.first(
                rows.select(
                    c,
                    "WHERE job_id = ? AND " + RunRows.ACTIVE,
                    ps -> dialect.setUuid(ps, 1, jobId.value()))));
  }

  @Override
  public List<Run> history(JobId jobId, int limit, int offset) {
    return db.query(
        c ->
            rows.select(
                c,
                "WHERE job_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                ps -> {
                  dialect.setUuid(ps, 1, jobId.value());
                  ps.setInt(2, limit);
                  ps.setInt(3, offset);
                }));
  }

  @Override
  public Map<JobId, Duration> averageSuccessDuration(int lastRuns) {
    String sql =
        "SELECT job_id, AVG("
            + dialect.microsBetween("started_at", "completed_at")
            + ") AS micros FROM (SELECT job_id, status, started_at, completed_at, ROW_NUMBER()"
            + " OVER (PARTITION BY job_id ORDER BY created_at DESC, id DESC) AS newest"
            + " FROM {runs} WHERE job_id IS NOT NULL) recent WHERE newest <= ?"
            + " AND status = 'SUCCESS' AND started_at IS NOT NULL AND completed_at IS NOT NULL"
            + " GROUP BY job_id";
    List<Map.Entry<JobId, Duration>> rows =
        db.query(
            c ->
                Sql.list(
                    c,
                    sql,
                    ps -> ps.setInt(1, lastRuns),
                    rs ->
                        Map.entry(
                            new JobId(dialect.getUuid(rs, "job_id")),
                            Duration.of(Math.round(rs.getDouble("micros")), ChronoUnit.MICROS))));
    return Map.ofEntries(rows.toArray(Map.Entry[]::new));
  }

  @Override
  public long count(JobId jobId) {
    return db.query(
        c ->
            Sql.count(
                c,
                "SELECT count(*) FROM {runs} WHERE job_id = ?",
                ps -> dialect.setUuid(ps, 1, jobId.value())));
  }

  /**
   * {@inheritDoc}
   *
   * <p>On PostgreSQL one auto-committed statement claims the batch ({@code FOR UPDATE SKIP
   * LOCKED}), marks the jobs running and, when this repository was given the jobs' key, returns
   * each run's job as the claim left it (running); on SQLite two statements in one write
   * transaction, and every job is null.
   */
  @Override
  public List<Claimed> claim(String owner, Instant now, Instant leaseUntil, int max) {
    return statements.claim(owner, now, leaseUntil, max, jobs);
  }

  @Override
  public LeaseState renewLease(RunId id, long fence, Instant leaseUntil) {
    return db.transaction(
        c -> {
          List<Boolean> cancelRequested =
              Sql.list(
                  c,
                  "UPDATE {runs} SET lease_until = ? WHERE id = ? AND fence = ?"
                      + " AND status = 'RUNNING' RETURNING cancel_requested",
                  ps -> {
                    dialect.setInstant(ps, 1, leaseUntil);
                    dialect.setUuid(ps, 2, id.value());
                    ps.setLong(3, fence);
                  },
                  rs -> rs.getBoolean(1));
          if (cancelRequested.isEmpty()) {
            return LeaseState.LOST;
          }
          return cancelRequested.get(0) ? LeaseState.CANCEL_REQUESTED : LeaseState.RENEWED;
        });
  }

  @Override
  public boolean updateProgress(RunId id, long fence, Progress progress) {
    return db.transaction(
        c ->
            Sql.update(
                    c,
                    "UPDATE {runs} SET files_done = ?, files_total = ?, bytes_done = ?,"
                        + " bytes_total = ?, current_file = ?, bytes_per_second = ?"
                        + " WHERE id = ? AND fence = ? AND status = 'RUNNING'",
                    ps -> {
                      int i = RunRows.bindProgress(ps, 1, progress);
                      dialect.setUuid(ps, i++, id.value());
                      ps.setLong(i, fence);
                    })
                == 1);
  }

  /**
   * Group commit: completions arriving together are written together by one completer thread (on
   * PostgreSQL one statement for the group, on SQLite one transaction with JDBC batches) while the
   * callers wait. Each caller returns only once its own row is committed, and the fence is checked
   * per row, so a late owner in a group is refused alone.
   */
  @Override
  public boolean complete(
      RunId id, long fence, RunOutcome outcome, Instant completedAt, Run followUp) {
    Completion mine =
        new Completion(id, fence, outcome, completedAt, followUp, new CompletableFuture<>());
    completions.submit(List.of(mine));
    try {
      // not interruptible: the caller must learn whether its result was recorded
      return mine.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private final GroupCommit<Completion, Boolean> completions =
      new GroupCommit<>("syncjobs-run-completer", JdbcRunRepository::nextGroup, this::write);

  /**
   * The queued completions, at most one per run (a second one waits for the next group), in one
   * lock order (run id) for every group, so two groups never wait on each other.
   */
  private static List<Completion> nextGroup(List<Completion> queue) {
    List<Completion> group = new ArrayList<>();
    Set<RunId> seen = new HashSet<>();
    for (var it = queue.iterator(); it.hasNext(); ) {
      Completion x = it.next();
      if (seen.add(x.id())) {
        group.add(x);
        it.remove();
      }
    }
    group.sort(Comparator.comparing(x -> x.id().value()));
    return group;
  }

  private List<Boolean> write(List<Completion> group) {
    boolean[] written = statements.complete(group);
    List<Boolean> results = new ArrayList<>(written.length);
    for (boolean w : written) {
      results.add(w);
    }
    return results;
  }

  @Override
  public boolean requestCancel(RunId id, Instant now) {
    return db.transaction(
        "run.cancelled",
        id.value().toString(),
        requested -> requested,
        c -> {
          int cancelled =
              Sql.update(
                  c,
                  "UPDATE {runs} SET status = 'CANCELLED', completed_at = ?, error = ?"
                      + " WHERE id = ? AND status = 'PENDING'",
                  ps -> {
                    dialect.setInstant(ps, 1, now);
                    ps.setString(2, "cancelled before it started");
                    dialect.setUuid(ps, 3, id.value());
                  });
          if (cancelled == 1) {
            return true;
          }
          int flagged =
              Sql.update(
                  c,
                  "UPDATE {runs} SET cancel_requested = TRUE WHERE id = ? AND status = 'RUNNING'"
                      + " AND cancel_requested = FALSE",
                  ps -> dialect.setUuid(ps, 1, id.value()));
          if (flagged == 0) {
            // already flagged (and announced): still a valid request; or not running at all
            Optional<Run> run = rows.find(c, id.value());
            return run.isPresent() && run.get().status() == RunStatus.RUNNING;
          }
          statements.announceCancel(c, id);
          return true;
        });
  }

  @Override
  public List<Run> active() {
    return db.query(
        c -> rows.select(c, "WHERE " + RunRows.ACTIVE + " ORDER BY created_at, id", ps -> {}));
  }

  @Override
  public List<Run> expired(Instant now) {
    return db.query(
        c ->
            rows.select(
                c,
                "WHERE status = 'RUNNING' AND lease_until < ? ORDER BY lease_until, id",
                ps -> dialect.setInstant(ps, 1, now)));
  }

  @Override
  public int deleteFinishedBefore(Instant cutoff, int batch) {
    if (batch <= 0) {
      return 0;
    }
    return db.transaction(
        c ->
            Sql.update(
                c,
                "DELETE FROM {runs} WHERE id IN (SELECT id FROM {runs} WHERE status NOT IN"
                    + " ('PENDING', 'RUNNING') AND completed_at < ?"
                    + " ORDER BY completed_at LIMIT ?)",
                ps -> {
                  dialect.setInstant(ps, 1, cutoff);
                  ps.setInt(2, batch);
                }));
  }
}
