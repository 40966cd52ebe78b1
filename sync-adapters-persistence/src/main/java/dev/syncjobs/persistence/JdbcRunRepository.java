package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Job;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
          + " cancel_requested, files_skipped";

  /**
   * Pending or running: the predicate of the index {@code runs_one_active_per_job}, which says
   * {@code job_id IS NOT NULL} (always true) so that only statements that say it too, or name a
   * job, can read that index (see migration V3).
   */
  private static final String ACTIVE = "status IN ('PENDING', 'RUNNING') AND job_id IS NOT NULL";

  private final Database db;
  private final Dialect dialect;
  private final JdbcJobRepository jobs;

  /** Runs whose claims return no jobs ({@link #claimWithJobs} finds every job null). */
  public JdbcRunRepository(Database db) {
    this(db, null);
  }

  /**
   * @param jobs the job repository on the same database: {@link #claimWithJobs} on PostgreSQL then
   *     reads the claimed runs' jobs in the claim's own statement; null when claims should return
   *     runs only
   */
  public JdbcRunRepository(Database db, JdbcJobRepository jobs) {
    if (jobs != null && jobs.database() != db) {
      throw new IllegalArgumentException("the job repository is on another database");
    }
    this.db = db;
    this.dialect = db.dialect();
    this.jobs = jobs;
  }

  @Override
  public InsertResult insert(Run run) {
    return db.transaction(
        c -> {
          for (int attempt = 0; attempt < 5; attempt++) {
            if (insertRow(dialect, c, run) == 1) {
              if (dialect == Dialect.POSTGRESQL) {
                PostgresWakeUps.announceWork(db, c);
              }
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
   * One statement claims the batch ({@code FOR UPDATE SKIP LOCKED} on PostgreSQL) and marks the
   * jobs running: on PostgreSQL a single auto-committed statement (one round trip), on SQLite two
   * statements in one write transaction.
   */
  @Override
  public List<Run> claim(String owner, Instant now, Instant leaseUntil, int max) {
    return claimRuns(owner, now, leaseUntil, max, false).stream().map(Claimed::run).toList();
  }

  /**
   * {@link #claim}, and on PostgreSQL, when this repository was given the job repository, each
   * run's job as the claim left it (running): the claim's statement returns the jobs it marks. A
   * job the model refuses comes back null, so only its own run fails (reading it again). On SQLite
   * every job is null.
   */
  @Override
  public List<Claimed> claimWithJobs(String owner, Instant now, Instant leaseUntil, int max) {
    return claimRuns(owner, now, leaseUntil, max, jobs != null);
  }

  private List<Claimed> claimRuns(
      String owner, Instant now, Instant leaseUntil, int max, boolean withJobs) {
    if (max < 1) {
      return List.of();
    }
    Database.SqlWork<List<Claimed>> work =
        c -> {
          for (int attempt = 0; attempt < 3; attempt++) {
            List<Claimed> claimed = claimBatch(c, owner, now, leaseUntil, max, withJobs);
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
        };
    return dialect == Dialect.POSTGRESQL ? db.statement(work) : db.transaction(work);
  }

  // The picked ids are materialised once: a LIMIT ... FOR UPDATE subquery under IN may otherwise
  // be evaluated again and claim more than the limit. The limit is written into the statement
  // ({@link #withLimit}), not bound: PostgreSQL's generic plan for a bound limit guesses a tenth of
  // the pending runs, and when the statistics know of many it costs more than a plan for the real
  // limit, so PostgreSQL planned the claim afresh each time (a third of the claim's server time in
  // a 5,000-run burst). Batch sizes range up to an instance's slots: a few statement texts, each
  // prepared once and kept with its own plan.
  private static final String PICK =
      "picked AS MATERIALIZED (SELECT id FROM runs WHERE status = 'PENDING' AND not_before <= ?"
          + " ORDER BY created_at, id LIMIT {max}%s)";

  /** A claim statement that picks at most {@code max} runs. */
  static String withLimit(String claim, int max) {
    return claim.replace("{max}", Integer.toString(max));
  }

  // The picked rows are locked (PostgreSQL) or the writer is alone (SQLite), so they are still
  // pending: the update finds them by id alone. A second "status = 'PENDING'" here let PostgreSQL
  // read the whole runs_claimable index instead of the primary key whenever its statistics were
  // taken before a burst (a few pending runs by the statistics, thousands in fact): 2-7 ms a claim.
  private static final String CLAIM =
      "UPDATE runs SET status = 'RUNNING', owner = ?, lease_until = ?, started_at = ?,"
          + " fence = fence + 1, cancel_requested = FALSE"
          + " WHERE id IN (SELECT id FROM picked) RETURNING "
          + COLUMNS;

  /** PostgreSQL: picks and claims the runs, and marks their jobs running (without an end). */
  private static final String CLAIM_AND_MARK_START_POSTGRES =
      "WITH "
          + String.format(PICK, Dialect.POSTGRESQL.skipLocked)
          + ", claimed AS ("
          + CLAIM
          + "), marked AS (UPDATE jobs SET status = 'RUNNING', last_run_at = ?,"
          + " last_error = NULL WHERE id IN (SELECT job_id FROM claimed)";

  /** PostgreSQL: claims the runs and marks their jobs running in one statement. */
  static final String CLAIM_AND_MARK_POSTGRES =
      CLAIM_AND_MARK_START_POSTGRES + ") SELECT " + COLUMNS + " FROM claimed";

  /**
   * PostgreSQL: {@link #CLAIM_AND_MARK_POSTGRES}, which also returns the jobs it marks, as rows of
   * their own after the runs' rows (a union, paired by job id in Java): a run's row has its columns
   * and null for the job's ({@code j_} prefix), a job's row the other way round.
   */
  static final String CLAIM_MARK_AND_READ_POSTGRES =
      CLAIM_AND_MARK_START_POSTGRES
          + " RETURNING "
          + JdbcJobRepository.columnsAs("j_", c -> c)
          + ") SELECT "
          + COLUMNS
          + ", "
          + JdbcJobRepository.columnsAs("j_", c -> "NULL")
          + " FROM claimed UNION ALL SELECT "
          + COLUMNS.replaceAll("[a-z_]+", "NULL")
          + ", marked.* FROM marked";

  /** SQLite (no data-modifying CTEs): claims the runs; {@link #markJobsRunning} follows. */
  private static final String CLAIM_SQLITE =
      "WITH " + String.format(PICK, Dialect.SQLITE.skipLocked) + " " + CLAIM;

  private List<Claimed> claimBatch(
      Connection c, String owner, Instant now, Instant leaseUntil, int max, boolean withJobs)
      throws SQLException {
    boolean postgres = dialect == Dialect.POSTGRESQL;
    String sql =
        !postgres
            ? CLAIM_SQLITE
            : withJobs ? CLAIM_MARK_AND_READ_POSTGRES : CLAIM_AND_MARK_POSTGRES;
    List<Run> runs = new ArrayList<>();
    Map<JobId, Job> found = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(withLimit(sql, max))) {
      dialect.setInstant(ps, 1, now);
      ps.setString(2, owner);
      dialect.setInstant(ps, 3, leaseUntil);
      dialect.setInstant(ps, 4, now);
      if (postgres) {
        dialect.setInstant(ps, 5, now);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (postgres && withJobs && dialect.getUuid(rs, "id") == null) {
            Job job = jobs.mapOrNull(rs, "j_");
            if (job != null) {
              found.put(job.id(), job);
            }
          } else {
            runs.add(map(rs));
          }
        }
      }
    }
    // SQLite: the jobs are not read here. This transaction runs on the one writer thread, which
    // bounds SQLite's throughput; the caller reads them on a reader connection instead.
    if (!postgres && !runs.isEmpty()) {
      markJobsRunning(c, runs.stream().map(Run::jobId).toList(), now);
    }
    List<Claimed> claimed = new ArrayList<>(runs.size());
    for (Run run : runs) {
      claimed.add(new Claimed(run, found.get(run.jobId())));
    }
    return claimed;
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
  private void markJobsRunning(Connection c, List<JobId> claimed, Instant now) throws SQLException {
    String marks = Database.placeholders(claimed.size());
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE jobs SET status = 'RUNNING', last_run_at = ?, last_error = NULL"
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

  /** A completion waiting for the group commit. */
  private record Completion(
      RunId id,
      long fence,
      RunOutcome outcome,
      Instant completedAt,
      Run followUp,
      CompletableFuture<Boolean> done)
      implements GroupCommit.Item<Boolean> {}

  /**
   * Ends the group's runs whose fence still matches and queues the follow-ups of those ended; true
   * per run ended. On PostgreSQL a group without follow-ups is one auto-committed statement.
   */
  private List<Boolean> write(List<Completion> group) {
    boolean followed = group.stream().anyMatch(x -> x.followUp() != null);
    boolean[] written =
        dialect == Dialect.POSTGRESQL && !followed
            ? db.statement(c -> completeAllPostgres(c, group))
            : db.transaction(
                c -> {
                  boolean[] ended =
                      dialect == Dialect.POSTGRESQL
                          ? completeAllPostgres(c, group)
                          : completeAll(c, group);
                  queueFollowUps(c, group, ended);
                  return ended;
                });
    List<Boolean> results = new ArrayList<>(written.length);
    for (boolean w : written) {
      results.add(w);
    }
    return results;
  }

  /**
   * PostgreSQL: ends a group of runs whose fence still matches and records their jobs' status.
   *
   * <p>The runs are found by primary key. "Still running" is compared with a column of the
   * materialised {@code v}, not with the constant {@code 'RUNNING'}: with the constant, the planner
   * may read the partial index {@code runs_leases} instead, which right after a burst holds
   * thousands of dead entries while the statistics say a few runs are running, and every completion
   * then read them all (0.6 ms instead of a few index lookups).
   */
  static final String COMPLETE_POSTGRES =
      "WITH v AS MATERIALIZED (SELECT u.*, 'RUNNING'::text AS running FROM unnest("
          + "?::uuid[], ?::bigint[], ?::text[], ?::text[],"
          + " ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[],"
          + " ?::text[], ?::text[], ?::timestamptz[], ?::bigint[]) AS u(id, fence, status,"
          + " job_status, files_done, files_total, bytes_done, bytes_total, current_file,"
          + " bytes_per_second, error, version, completed_at, files_skipped)),"
          + " ended AS (UPDATE runs SET status = v.status, files_done = v.files_done,"
          + " files_total = v.files_total, bytes_done = v.bytes_done,"
          + " bytes_total = v.bytes_total, current_file = v.current_file,"
          + " bytes_per_second = v.bytes_per_second, error = v.error,"
          + " version = v.version, completed_at = v.completed_at, lease_until = NULL,"
          + " files_skipped = v.files_skipped"
          + " FROM v WHERE runs.id = v.id AND runs.fence = v.fence"
          + " AND runs.status = v.running"
          + " RETURNING runs.id, runs.job_id, v.job_status, v.error, v.completed_at),"
          + " recorded AS (UPDATE jobs SET status = ended.job_status,"
          + " last_run_at = ended.completed_at, last_error = ended.error"
          + " FROM ended WHERE jobs.id = ended.job_id)"
          + " SELECT id FROM ended";

  /**
   * PostgreSQL: one auto-committed statement ends the runs whose fence still matches and records
   * their jobs' status (one round trip for the group; {@link #COMPLETE_POSTGRES}); true per run
   * ended.
   */
  private boolean[] completeAllPostgres(Connection c, List<Completion> batch) throws SQLException {
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
    try (PreparedStatement ps = c.prepareStatement(COMPLETE_POSTGRES)) {
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
      ended = Database.uuids(ps);
    }
    boolean[] written = new boolean[n];
    for (int k = 0; k < n; k++) {
      written[k] = ended.contains(batch.get(k).id().value());
    }
    return written;
  }

  /** Ends the runs whose fence still matches and records their jobs' status; true per run ended. */
  private boolean[] completeAll(Connection c, List<Completion> batch) throws SQLException {
    boolean[] written = new boolean[batch.size()];
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE runs SET status = ?, files_done = ?, files_total = ?, bytes_done = ?,"
                + " bytes_total = ?, current_file = ?, bytes_per_second = ?, error = ?,"
                + " version = ?, completed_at = ?, lease_until = NULL, files_skipped = ?"
                + " WHERE id = ? AND fence = ? AND status = 'RUNNING'")) {
      for (Completion x : batch) {
        ps.setString(1, x.outcome().status().name());
        int i = bindProgress(ps, 2, x.outcome().progress());
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
            "UPDATE jobs SET status = ?, last_run_at = ?, last_error = ?"
                + " WHERE id = (SELECT job_id FROM runs WHERE id = ?)")) {
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

  /** Inserts the follow-ups of the runs {@code ended}, in the transaction that ended them. */
  private void queueFollowUps(Connection c, List<Completion> group, boolean[] ended)
      throws SQLException {
    List<Run> followUps = new ArrayList<>();
    for (int k = 0; k < group.size(); k++) {
      if (ended[k] && group.get(k).followUp() != null) {
        followUps.add(group.get(k).followUp());
      }
    }
    if (!followUps.isEmpty()) {
      insertRows(dialect, c, followUps);
      if (dialect == Dialect.POSTGRESQL) {
        PostgresWakeUps.announceWork(db, c);
      }
    }
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

  private static final String INSERT =
      "INSERT INTO runs ("
          + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT DO NOTHING";

  /** Inserts {@code run} unless a unique index refuses it; returns the rows inserted (0 or 1). */
  static int insertRow(Dialect dialect, Connection c, Run run) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      bindRow(dialect, ps, run);
      return ps.executeUpdate();
    }
  }

  /**
   * Inserts each run unless a unique index refuses it, as one JDBC batch; returns the rows inserted
   * per run (0 or 1), in order.
   */
  static int[] insertRows(Dialect dialect, Connection c, List<Run> runs) throws SQLException {
    // one statement answers by run id, so it needs each id once
    if (dialect == Dialect.POSTGRESQL
        && runs.stream().map(r -> r.id().value()).distinct().count() == runs.size()) {
      return insertRowsPostgres(c, runs);
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (Run run : runs) {
        bindRow(dialect, ps, run);
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }

  /** PostgreSQL: {@link #insertRows} in one statement, the rows given as one array per column. */
  static final String INSERT_ALL_POSTGRES =
      "INSERT INTO runs ("
          + COLUMNS
          + ") SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::timestamptz[], ?::text[],"
          + " ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::bigint[],"
          + " ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[],"
          + " ?::text[], ?::timestamptz[], ?::bigint[], ?::integer[], ?::boolean[], ?::bigint[])"
          + " ON CONFLICT DO NOTHING RETURNING id";

  private static int[] insertRowsPostgres(Connection c, List<Run> runs) throws SQLException {
    int n = runs.size();
    // one array per column of COLUMNS, in its order; instants as text (see Dialect.timestampText)
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
    try (PreparedStatement ps = c.prepareStatement(INSERT_ALL_POSTGRES)) {
      for (int col = 0; col < types.length; col++) {
        ps.setArray(col + 1, c.createArrayOf(types[col], columns[col]));
      }
      inserted = Database.uuids(ps);
    }
    return runs.stream().mapToInt(r -> inserted.contains(r.id().value()) ? 1 : 0).toArray();
  }

  private static void bindRow(Dialect dialect, PreparedStatement ps, Run run) throws SQLException {
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
        rs.getBoolean("cancel_requested"),
        rs.getLong("files_skipped"));
  }
}
