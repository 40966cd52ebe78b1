package dev.syncjobs.persistence;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.JobRepository;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link JobRepository} on SQLite or PostgreSQL. Job names are unique ignoring case (a unique
 * index); source credentials are stored sealed with AES-GCM under the key given here, never in
 * plain text. {@link #fireDue} advances each job with a conditional update of {@code next_run_at}
 * against the value read, then inserts the runs (or skipped records) under the database's unique
 * indexes, in one transaction, so each occurrence fires once across instances. The statements in
 * which the dialects differ are {@link SqliteJobStatements} and {@link PostgresJobStatements}.
 */
public final class JdbcJobRepository implements JobRepository {

  private final Database db;
  private final Dialect dialect;
  private final JobRows rows;
  private final JobStatements statements;

  /**
   * @param secretKey AES key (16, 24 or 32 bytes) sealing source credentials; null when jobs never
   *     carry credentials (storing one then fails)
   */
  public JdbcJobRepository(Database db, byte[] secretKey) {
    this.db = db;
    this.dialect = db.dialect();
    this.rows = new JobRows(dialect, secretKey);
    this.statements = JobStatements.of(db, rows);
  }

  @Override
  public void create(Job job) {
    boolean inserted =
        db.transaction(
            "job.created",
            job.id().value().toString(),
            created -> created,
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO {jobs} ("
                          + JobRows.COLUMNS
                          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                          + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                int i = rows.bindConfig(ps, 1, job);
                ps.setString(i++, job.status().name());
                dialect.setInstant(ps, i++, job.lastRunAt());
                ps.setString(i++, job.lastError());
                dialect.setInstant(ps, i++, job.nextRunAt());
                dialect.setInstant(ps, i++, job.createdAt());
                dialect.setInstant(ps, i, job.updatedAt());
                boolean created = ps.executeUpdate() == 1;
                if (created) {
                  statements.announceScheduleChange(c);
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
              "job.updated",
              job.id().value().toString(),
              count -> count > 0,
              c -> {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "UPDATE {jobs} SET id = ?, name = ?, source_url = ?, auth_sealed = ?,"
                            + " ca_bundle = ?, backend_id = ?, destination_path = ?,"
                            + " include_pattern = ?, exclude_pattern = ?, filters = ?,"
                            + " schedule_kind = ?, schedule_time = ?, schedule_day = ?,"
                            + " cron_expression = ?, zone = ?, verify_checksums = ?,"
                            + " compare_checksums = ?, delete_removed = ?, max_delete_percent = ?,"
                            + " keep_versions = ?, bandwidth_limit = ?, max_retries = ?,"
                            + " enabled = ?, misfire_policy = ?, next_run_at = ?, updated_at = ?"
                            + " WHERE id = ?")) {
                  int i = rows.bindConfig(ps, 1, job);
                  dialect.setInstant(ps, i++, job.nextRunAt());
                  dialect.setInstant(ps, i++, job.updatedAt());
                  dialect.setUuid(ps, i, job.id().value());
                  int count = ps.executeUpdate();
                  if (count == 1) {
                    statements.announceScheduleChange(c);
                  }
                  return count;
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
        "job.deleted",
        id.value().toString(),
        deleted -> deleted,
        c -> {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM {jobs} WHERE id = ?")) {
            dialect.setUuid(ps, 1, id.value());
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<Job> find(JobId id) {
    return db.query(
        c -> Sql.first(rows.select(c, "WHERE id = ?", ps -> dialect.setUuid(ps, 1, id.value()))));
  }

  /** One query for all the ids. */
  @Override
  public Map<JobId, Job> findAll(Collection<JobId> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    List<JobId> distinct = List.copyOf(new LinkedHashSet<>(ids));
    return db.query(
        c -> {
          Map<JobId, Job> found = new HashMap<>();
          for (Job job : statements.findAll(c, distinct)) {
            found.put(job.id(), job);
          }
          return found;
        });
  }

  @Override
  public List<Job> list() {
    String order = statements.byName();
    return db.query(c -> rows.select(c, "ORDER BY " + order, ps -> {}));
  }

  @Override
  public Optional<Job> findByName(String name) {
    // the unique index on lower(name) answers this
    return db
        .query(c -> rows.select(c, "WHERE lower(name) = lower(?)", ps -> ps.setString(1, name)))
        .stream()
        .findFirst();
  }

  @Override
  public List<Job> unplanned() {
    return db.query(
        c ->
            rows.select(
                c,
                "WHERE enabled = ? AND next_run_at IS NULL AND schedule_kind <> 'manual'"
                    + " ORDER BY "
                    + statements.byName(),
                ps -> ps.setBoolean(1, true)));
  }

  @Override
  public List<Job> clashing(Job job) {
    String path = job.destination().path();
    return db.query(
        c ->
            rows.select(
                c,
                "WHERE id <> ? AND (lower(name) = lower(?) OR (backend_id = ? AND"
                    + " (destination_path = ?"
                    + " OR substr(destination_path, 1, length(?) + 1) = ? || '/'"
                    + " OR substr(?, 1, length(destination_path) + 1) = destination_path || '/')))"
                    + " ORDER BY "
                    + statements.byName(),
                ps -> {
                  dialect.setUuid(ps, 1, job.id().value());
                  ps.setString(2, job.name());
                  ps.setString(3, job.destination().backendId());
                  for (int i = 4; i <= 7; i++) {
                    ps.setString(i, path);
                  }
                }));
  }

  @Override
  public List<Job> due(Instant now, int limit) {
    return db.query(c -> statements.due(c, now, limit, ""));
  }

  @Override
  public Optional<Instant> nextDueAt() {
    return db.query(
        c -> {
          // the jobs_due index ((next_run_at) WHERE enabled) answers this from its first entry
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT min(next_run_at) AS next_run_at FROM {jobs} WHERE enabled = TRUE"
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
   * <p>When an occurrence already has a run (the job was rescheduled back onto a fired occurrence),
   * {@code nextRunAt} is still advanced and {@link FireResult#ADVANCED} is returned.
   */
  @Override
  public List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan) {
    return statements.fireDue(now, limit, plan);
  }

  private static ConflictException nameTaken(String name) {
    return new ConflictException("name", "a job named '" + name + "' already exists");
  }
}
