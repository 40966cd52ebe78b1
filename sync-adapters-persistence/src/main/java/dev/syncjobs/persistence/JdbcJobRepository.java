package dev.syncjobs.persistence;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.JobRepository;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * {@link JobRepository} on SQLite or PostgreSQL. Job names are unique ignoring case (a unique
 * index); source credentials are stored sealed with AES-GCM under the key given here, never in
 * plain text. {@link #fire} is one transaction: a conditional update of {@code next_run_at} against
 * the value the caller read, then the run (or a skipped record) under the database's unique
 * indexes, so each occurrence fires once across instances.
 */
public final class JdbcJobRepository implements JobRepository {

  private static final String COLUMNS =
      "id, name, source_url, auth_sealed, ca_bundle, backend_id, destination_path,"
          + " include_pattern, exclude_pattern, filters, schedule_kind, schedule_time,"
          + " schedule_day, cron_expression, zone, verify_checksums, compare_checksums,"
          + " delete_removed, max_delete_percent, keep_versions, bandwidth_limit, max_retries,"
          + " enabled, misfire_policy, status, last_run_at, last_error, next_run_at, created_at,"
          + " updated_at";

  /**
   * A select list of {@link #COLUMNS}, each named with a prefix (to read a job in a row of another
   * table's columns): {@code expression} gives each column's value from its plain name.
   */
  static String columnsAs(String prefix, UnaryOperator<String> expression) {
    return Arrays.stream(COLUMNS.split(", "))
        .map(c -> expression.apply(c) + " AS " + prefix + c)
        .collect(Collectors.joining(", "));
  }

  private final Database db;
  private final Dialect dialect;
  private final SecretBox secrets;

  /**
   * @param secretKey AES key (16, 24 or 32 bytes) sealing source credentials; null when jobs never
   *     carry credentials (storing one then fails)
   */
  public JdbcJobRepository(Database db, byte[] secretKey) {
    this.db = db;
    this.dialect = db.dialect();
    this.secrets = new SecretBox(secretKey);
  }

  Database database() {
    return db;
  }

  /**
   * The job in the current row, its columns named with {@code prefix} ({@link #columnsAs}); null
   * when the row holds none (its job columns are null) or one the model refuses (a sealed
   * credential this key cannot open, say): whoever needs that job then reads it with {@link #find}
   * and meets the error there, for that job alone.
   */
  Job mapOrNull(ResultSet rs, String prefix) throws SQLException {
    if (dialect.getUuid(rs, prefix + "id") == null) {
      return null;
    }
    try {
      return map(rs, prefix);
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public void create(Job job) {
    boolean inserted =
        db.transaction(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO jobs ("
                          + COLUMNS
                          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                          + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                int i = bindConfig(ps, 1, job);
                ps.setString(i++, job.status().name());
                dialect.setInstant(ps, i++, job.lastRunAt());
                ps.setString(i++, job.lastError());
                dialect.setInstant(ps, i++, job.nextRunAt());
                dialect.setInstant(ps, i++, job.createdAt());
                dialect.setInstant(ps, i, job.updatedAt());
                boolean created = ps.executeUpdate() == 1;
                if (created && dialect == Dialect.POSTGRESQL) {
                  PostgresWakeUps.announceScheduleChange(db, c);
                }
                return created;
              }
            });
    if (!inserted) {
      if (find(job.id()).isPresent()) {
        throw new ConflictException("id", "a job with id " + job.id() + " already exists");
      }
      throw nameTaken(job.name());
    }
  }

  @Override
  public void update(Job job) {
    int updated;
    try {
      updated =
          db.transaction(
              c -> {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "UPDATE jobs SET id = ?, name = ?, source_url = ?, auth_sealed = ?,"
                            + " ca_bundle = ?, backend_id = ?, destination_path = ?,"
                            + " include_pattern = ?, exclude_pattern = ?, filters = ?,"
                            + " schedule_kind = ?, schedule_time = ?, schedule_day = ?,"
                            + " cron_expression = ?, zone = ?, verify_checksums = ?,"
                            + " compare_checksums = ?, delete_removed = ?, max_delete_percent = ?,"
                            + " keep_versions = ?, bandwidth_limit = ?, max_retries = ?,"
                            + " enabled = ?, misfire_policy = ?, next_run_at = ?, updated_at = ?"
                            + " WHERE id = ?")) {
                  int i = bindConfig(ps, 1, job);
                  dialect.setInstant(ps, i++, job.nextRunAt());
                  dialect.setInstant(ps, i++, job.updatedAt());
                  dialect.setUuid(ps, i, job.id().value());
                  int rows = ps.executeUpdate();
                  if (rows == 1 && dialect == Dialect.POSTGRESQL) {
                    PostgresWakeUps.announceScheduleChange(db, c);
                  }
                  return rows;
                }
              });
    } catch (SyncException e) {
      if (e.getCause() instanceof SQLException sql && dialect.isUniqueViolation(sql)) {
        throw nameTaken(job.name());
      }
      throw e;
    }
    if (updated == 0) {
      throw new NotFoundException("job " + job.id() + " does not exist");
    }
  }

  @Override
  public boolean delete(JobId id) {
    return db.transaction(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM jobs WHERE id = ?")) {
            dialect.setUuid(ps, 1, id.value());
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<Job> find(JobId id) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE id = ?")) {
            dialect.setUuid(ps, 1, id.value());
            List<Job> jobs = read(ps);
            return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
          }
        });
  }

  /** One query for all the ids. */
  @Override
  public Map<JobId, Job> findAll(Collection<JobId> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    List<JobId> distinct = List.copyOf(new LinkedHashSet<>(ids));
    boolean postgres = dialect == Dialect.POSTGRESQL;
    return db.query(
        c -> {
          // PostgreSQL: one statement text for any number of ids (an IN list of n placeholders is
          // a statement of its own for each n, parsed and planned anew instead of prepared once)
          String where =
              postgres ? "id = ANY (?)" : "id IN (" + Database.placeholders(distinct.size()) + ")";
          try (PreparedStatement ps =
              c.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE " + where)) {
            if (postgres) {
              ps.setArray(1, Database.uuidArray(c, distinct.stream().map(JobId::value)));
            } else {
              int i = 1;
              for (JobId id : distinct) {
                dialect.setUuid(ps, i++, id.value());
              }
            }
            Map<JobId, Job> found = new HashMap<>();
            for (Job job : read(ps)) {
              found.put(job.id(), job);
            }
            return found;
          }
        });
  }

  @Override
  public List<Job> list() {
    String order = dialect == Dialect.POSTGRESQL ? "lower(name) COLLATE \"C\"" : "lower(name)";
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT " + COLUMNS + " FROM jobs ORDER BY " + order)) {
            return read(ps);
          }
        });
  }

  private static final String DUE =
      "SELECT "
          + COLUMNS
          + " FROM jobs WHERE enabled = TRUE AND next_run_at IS NOT NULL"
          + " AND next_run_at <= ? ORDER BY next_run_at, id LIMIT ?";

  @Override
  public List<Job> due(Instant now, int limit) {
    return db.query(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(DUE)) {
            dialect.setInstant(ps, 1, now);
            ps.setInt(2, limit);
            return read(ps);
          }
        });
  }

  @Override
  public Optional<Instant> nextDueAt() {
    return db.query(
        c -> {
          // the jobs_due index ((next_run_at) WHERE enabled) answers this from its first entry
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT min(next_run_at) AS next_run_at FROM jobs WHERE enabled = TRUE"
                          + " AND next_run_at IS NOT NULL");
              ResultSet rs = ps.executeQuery()) {
            return rs.next()
                ? Optional.ofNullable(dialect.getInstant(rs, "next_run_at"))
                : Optional.empty();
          }
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>When the occurrence already has a run (the job was rescheduled back onto a fired
   * occurrence), {@code nextRunAt} is still advanced and {@link FireResult#ADVANCED} is returned.
   */
  @Override
  public FireResult fire(JobId id, Instant expectedNextRunAt, Instant newNextRunAt, Run run) {
    return fireAll(List.of(new Firing(id, expectedNextRunAt, newNextRunAt, run))).get(0);
  }

  /**
   * Every firing in one transaction: one commit for the whole batch, and the advances and the
   * inserts each sent as one JDBC batch. A run the database refuses (its job has an active run, or
   * the occurrence exists) is then handled on its own, as {@link #fire} does.
   */
  @Override
  public List<FireResult> fireAll(List<Firing> firings) {
    for (Firing f : firings) {
      if (f.run() != null && !f.run().jobId().equals(f.jobId())) {
        throw new IllegalArgumentException(
            "the run belongs to job " + f.run().jobId() + ", not " + f.jobId());
      }
    }
    if (firings.isEmpty()) {
      return List.of();
    }
    return db.transaction(c -> fireAll(c, firings, false));
  }

  /**
   * {@inheritDoc}
   *
   * <p>On PostgreSQL the due jobs are read {@code FOR UPDATE SKIP LOCKED} in the transaction that
   * fires them: a job another instance is firing right now is left out of this batch, and the
   * instances firing a burst each take their own jobs (the reading order is the same for all, so
   * without the lock each one read, planned and raced for the same ones).
   */
  @Override
  public List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan) {
    if (dialect != Dialect.POSTGRESQL) {
      return JobRepository.super.fireDue(now, limit, plan);
    }
    return db.transaction(
        c -> {
          List<Job> due;
          try (PreparedStatement ps = c.prepareStatement(DUE + " FOR UPDATE SKIP LOCKED")) {
            dialect.setInstant(ps, 1, now);
            ps.setInt(2, limit);
            due = read(ps);
          }
          List<Firing> firings = new ArrayList<>(due.size());
          for (Job job : due) {
            Firing f = plan.apply(job);
            if (!f.jobId().equals(job.id()) || !job.nextRunAt().equals(f.expectedNextRunAt())) {
              throw new IllegalArgumentException(
                  "a firing of job " + job.id() + " must expect " + job.nextRunAt());
            }
            firings.add(f);
          }
          return Fired.all(due, fireAll(c, firings, true));
        });
  }

  /**
   * {@link #fireAll} in the caller's transaction; {@code locked}: the caller holds the jobs' rows
   * already (on PostgreSQL, otherwise the jobs another transaction holds are counted lost first).
   */
  private List<FireResult> fireAll(Connection c, List<Firing> firings, boolean locked)
      throws SQLException {
    if (firings.isEmpty()) {
      return List.of();
    }
    int n = firings.size();
    FireResult[] results = new FireResult[n];
    Set<UUID> free = dialect == Dialect.POSTGRESQL && !locked ? lockFree(c, firings) : null;
    List<Integer> advancing = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      if (free == null || free.contains(firings.get(k).jobId().value())) {
        advancing.add(k);
      }
    }
    int[] advanced = new int[n];
    List<Firing> toAdvance = advancing.stream().map(firings::get).toList();
    int[] counts = advance(c, toAdvance);
    for (int i = 0; i < counts.length; i++) {
      advanced[advancing.get(i)] = counts[i];
    }
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
          JdbcRunRepository.insertRows(
              dialect, c, inserting.stream().map(k -> firings.get(k).run()).toList());
      for (int i = 0; i < inserted.length; i++) {
        int k = inserting.get(i);
        results[k] = inserted[i] == 1 ? FireResult.FIRED : insertRefused(c, firings.get(k));
      }
    }
    return List.of(results);
  }

  /**
   * Moves each firing's job to its next occurrence if it is still at the occurrence read; 1 per job
   * moved, 0 per lost race. On PostgreSQL one statement moves the whole batch (when its jobs are
   * distinct, as the scheduler's are); otherwise a JDBC batch of one update per job.
   */
  private int[] advance(Connection c, List<Firing> firings) throws SQLException {
    if (firings.isEmpty()) {
      return new int[0];
    }
    if (dialect == Dialect.POSTGRESQL
        && firings.stream().map(f -> f.jobId().value()).distinct().count() == firings.size()) {
      return advanceAllPostgres(c, firings);
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE jobs SET next_run_at = ? WHERE id = ? AND next_run_at = ?")) {
      for (Firing f : firings) {
        dialect.setInstant(ps, 1, f.newNextRunAt());
        dialect.setUuid(ps, 2, f.jobId().value());
        dialect.setInstant(ps, 3, f.expectedNextRunAt());
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }

  /** PostgreSQL: {@link #advance} for distinct jobs, in one statement. */
  static final String ADVANCE_POSTGRES =
      "UPDATE jobs SET next_run_at = f.next FROM unnest(?::uuid[], ?::timestamptz[],"
          + " ?::timestamptz[]) AS f(id, expected, next)"
          + " WHERE jobs.id = f.id AND jobs.next_run_at = f.expected RETURNING jobs.id";

  private static int[] advanceAllPostgres(Connection c, List<Firing> firings) throws SQLException {
    Set<UUID> moved;
    try (PreparedStatement ps = c.prepareStatement(ADVANCE_POSTGRES)) {
      ps.setArray(1, Database.uuidArray(c, firings.stream().map(f -> f.jobId().value())));
      ps.setArray(
          2,
          c.createArrayOf(
              "text",
              firings.stream().map(f -> Dialect.timestampText(f.expectedNextRunAt())).toArray()));
      ps.setArray(
          3,
          c.createArrayOf(
              "text",
              firings.stream().map(f -> Dialect.timestampText(f.newNextRunAt())).toArray()));
      moved = Database.uuids(ps);
    }
    return firings.stream().mapToInt(f -> moved.contains(f.jobId().value()) ? 1 : 0).toArray();
  }

  /**
   * PostgreSQL: locks the batch's jobs that no other transaction holds and returns their ids. The
   * others are being fired by another instance right now: they count as lost races at once instead
   * of each advance waiting for that instance's commit only to find {@code next_run_at} moved (if
   * that instance rolls back, the occurrence is still due and fires in a later round).
   */
  private static Set<UUID> lockFree(Connection c, List<Firing> firings) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id FROM jobs WHERE id = ANY (?) FOR UPDATE SKIP LOCKED")) {
      ps.setArray(1, Database.uuidArray(c, firings.stream().map(f -> f.jobId().value())));
      return Database.uuids(ps);
    }
  }

  /** The occurrence's run was refused: record it as skipped when its job has an active run. */
  private FireResult insertRefused(Connection c, Firing f) throws SQLException {
    Run run = f.run();
    if (JdbcRunRepository.hasActive(dialect, c, f.jobId())) {
      Run skipped = Run.skipped(run.id(), f.jobId(), run.scheduledFor(), run.createdAt());
      if (JdbcRunRepository.insertRow(dialect, c, skipped) == 1) {
        return FireResult.SKIPPED;
      }
    }
    return FireResult.ADVANCED;
  }

  @Override
  public void recordStatus(JobId id, JobStatus status, Instant lastRunAt, String lastError) {
    int updated =
        db.transaction(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE jobs SET status = ?, last_run_at = ?, last_error = ? WHERE id = ?")) {
                ps.setString(1, status.name());
                dialect.setInstant(ps, 2, lastRunAt);
                ps.setString(3, lastError);
                dialect.setUuid(ps, 4, id.value());
                return ps.executeUpdate();
              }
            });
    if (updated == 0) {
      throw new NotFoundException("job " + id + " does not exist");
    }
  }

  private static ConflictException nameTaken(String name) {
    return new ConflictException("name", "a job named '" + name + "' already exists");
  }

  /** Binds the configuration columns (the first 25 of {@link #COLUMNS}); returns the next index. */
  private int bindConfig(PreparedStatement ps, int i, Job job) throws SQLException {
    dialect.setUuid(ps, i++, job.id().value());
    ps.setString(i++, job.name());
    ps.setString(i++, job.source().uri().toString());
    ps.setBytes(i++, secrets.seal(job.id().value(), job.auth()));
    ps.setString(i++, job.caBundle());
    ps.setString(i++, job.destination().backendId());
    ps.setString(i++, job.destination().path());
    ps.setString(i++, job.includePattern());
    ps.setString(i++, job.excludePattern());
    ps.setString(i++, String.join("\n", job.filters().stream().map(FilterRule::toString).toList()));
    Schedule schedule = job.schedule();
    ps.setString(i++, schedule.kind());
    LocalTime time = null;
    Integer day = null;
    String cron = null;
    if (schedule instanceof Schedule.Daily d) {
      time = d.time();
    } else if (schedule instanceof Schedule.Weekly w) {
      time = w.time();
      day = w.day();
    } else if (schedule instanceof Schedule.Monthly m) {
      time = m.time();
      day = m.day();
    } else if (schedule instanceof Schedule.Cron x) {
      cron = x.expression();
    }
    ps.setString(i++, time == null ? null : time.toString());
    if (day == null) {
      ps.setNull(i++, Types.INTEGER);
    } else {
      ps.setInt(i++, day);
    }
    ps.setString(i++, cron);
    ps.setString(i++, job.zone().getId());
    JobOptions o = job.options();
    ps.setBoolean(i++, o.verifyChecksums());
    ps.setBoolean(i++, o.compareChecksums());
    ps.setBoolean(i++, o.deleteRemoved());
    ps.setInt(i++, o.maxDeletePercent());
    ps.setInt(i++, o.keepVersions());
    if (o.bandwidthLimit() == null) {
      ps.setNull(i++, Types.BIGINT);
    } else {
      ps.setLong(i++, o.bandwidthLimit());
    }
    ps.setInt(i++, o.maxRetries());
    ps.setBoolean(i++, job.enabled());
    ps.setString(i++, job.misfirePolicy().name());
    return i;
  }

  private List<Job> read(PreparedStatement ps) throws SQLException {
    List<Job> jobs = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        jobs.add(map(rs, ""));
      }
    }
    return jobs;
  }

  private Job map(ResultSet rs, String prefix) throws SQLException {
    JobId id = new JobId(dialect.getUuid(rs, prefix + "id"));
    String filterText = rs.getString(prefix + "filters");
    List<FilterRule> filters =
        filterText == null || filterText.isEmpty()
            ? List.of()
            : Arrays.stream(filterText.split("\n")).map(FilterRule::parse).toList();
    String timeText = rs.getString(prefix + "schedule_time");
    LocalTime time = timeText == null ? null : LocalTime.parse(timeText);
    int day = rs.getInt(prefix + "schedule_day");
    Schedule schedule =
        switch (rs.getString(prefix + "schedule_kind")) {
          case "manual" -> new Schedule.Manual();
          case "hourly" -> new Schedule.Hourly();
          case "daily" -> new Schedule.Daily(time);
          case "weekly" -> new Schedule.Weekly(day, time);
          case "monthly" -> new Schedule.Monthly(day, time);
          case "cron" -> new Schedule.Cron(rs.getString(prefix + "cron_expression"));
          default ->
              throw new SyncException(
                  "job "
                      + id
                      + " has an unknown schedule kind: "
                      + rs.getString(prefix + "schedule_kind"));
        };
    long bandwidth = rs.getLong(prefix + "bandwidth_limit");
    Long bandwidthLimit = rs.wasNull() ? null : bandwidth;
    JobOptions options =
        new JobOptions(
            rs.getBoolean(prefix + "verify_checksums"),
            rs.getBoolean(prefix + "compare_checksums"),
            rs.getBoolean(prefix + "delete_removed"),
            rs.getInt(prefix + "max_delete_percent"),
            rs.getInt(prefix + "keep_versions"),
            bandwidthLimit,
            rs.getInt(prefix + "max_retries"));
    return new Job(
        id,
        rs.getString(prefix + "name"),
        Source.parse(rs.getString(prefix + "source_url")),
        secrets.open(id.value(), rs.getBytes(prefix + "auth_sealed")),
        rs.getString(prefix + "ca_bundle"),
        new Destination(
            rs.getString(prefix + "backend_id"), rs.getString(prefix + "destination_path")),
        rs.getString(prefix + "include_pattern"),
        rs.getString(prefix + "exclude_pattern"),
        filters,
        schedule,
        ZoneId.of(rs.getString(prefix + "zone")),
        options,
        rs.getBoolean(prefix + "enabled"),
        MisfirePolicy.valueOf(rs.getString(prefix + "misfire_policy")),
        JobStatus.valueOf(rs.getString(prefix + "status")),
        dialect.getInstant(rs, prefix + "last_run_at"),
        rs.getString(prefix + "last_error"),
        dialect.getInstant(rs, prefix + "next_run_at"),
        dialect.getInstant(rs, prefix + "created_at"),
        dialect.getInstant(rs, prefix + "updated_at"));
  }
}
