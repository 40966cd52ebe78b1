package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.ScheduleFields;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.ValidationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The {@code jobs} table's columns and how a job is bound to them and read from them, credentials
 * sealed and opened with the key given here: what the job repository and a claim that reads the
 * claimed runs' jobs share.
 */
final class JobRows {

  static final String COLUMNS =
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

  private final Dialect dialect;
  private final SecretBox secrets;

  /**
   * @param secretKey AES key (16, 24 or 32 bytes) sealing source credentials; null when jobs never
   *     carry credentials (storing one then fails)
   */
  JobRows(Dialect dialect, byte[] secretKey) {
    this.dialect = dialect;
    this.secrets = new SecretBox(secretKey);
  }

  /**
   * The job in the current row, its columns named with {@code prefix} ({@link #columnsAs}); null
   * when the row holds none (its job columns are null) or one the model refuses (a sealed
   * credential this key cannot open, say): whoever needs that job then reads it from the job
   * repository and meets the error there, for that job alone.
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

  /** Binds the configuration columns (the first 25 of {@link #COLUMNS}); returns the next index. */
  int bindConfig(PreparedStatement ps, int i, Job job) throws SQLException {
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
    ScheduleFields schedule = ScheduleFields.of(job.schedule());
    ps.setString(i++, schedule.kind());
    ps.setString(i++, schedule.time() == null ? null : schedule.time().toString());
    if (schedule.day() == null) {
      ps.setNull(i++, Types.INTEGER);
    } else {
      ps.setInt(i++, schedule.day());
    }
    ps.setString(i++, schedule.cron());
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

  /**
   * The jobs {@code SELECT} {@link #COLUMNS} {@code FROM {jobs}} followed by {@code rest} reads.
   */
  List<Job> select(Connection c, String rest, Sql.Params params) throws SQLException {
    return Sql.list(c, "SELECT " + COLUMNS + " FROM {jobs} " + rest, params, rs -> map(rs, ""));
  }

  /**
   * The job in the current row, whose {@link #COLUMNS} stand in their order from the one named
   * {@code prefix + "id"}: read by position, as a wide row's columns are cheaper to reach so.
   */
  Job map(ResultSet rs, String prefix) throws SQLException {
    int c = rs.findColumn(prefix + "id");
    JobId id = new JobId(dialect.getUuid(rs, c));
    String filterText = dialect.getText(rs, c + 9);
    List<FilterRule> filters =
        filterText == null || filterText.isEmpty()
            ? List.of()
            : Arrays.stream(filterText.split("\n")).map(FilterRule::parse).toList();
    String kind = dialect.getText(rs, c + 10);
    String timeText = dialect.getText(rs, c + 11);
    int dayValue = rs.getInt(c + 12);
    Integer day = rs.wasNull() ? null : dayValue;
    Schedule schedule;
    try {
      schedule =
          new ScheduleFields(
                  kind,
                  day,
                  timeText == null ? null : LocalTime.parse(timeText),
                  dialect.getText(rs, c + 13))
              .toSchedule();
    } catch (ValidationException e) {
      throw new SyncException(
          "job " + id + " has an unusable schedule (" + kind + "): " + e.getMessage());
    }
    long bandwidth = rs.getLong(c + 20);
    Long bandwidthLimit = rs.wasNull() ? null : bandwidth;
    JobOptions options =
        new JobOptions(
            rs.getBoolean(c + 15),
            rs.getBoolean(c + 16),
            rs.getBoolean(c + 17),
            rs.getInt(c + 18),
            rs.getInt(c + 19),
            bandwidthLimit,
            rs.getInt(c + 21));
    return new Job(
        id,
        dialect.getText(rs, c + 1),
        Source.parse(dialect.getText(rs, c + 2)),
        secrets.open(id.value(), rs.getBytes(c + 3)),
        dialect.getText(rs, c + 4),
        new Destination(dialect.getText(rs, c + 5), dialect.getText(rs, c + 6)),
        dialect.getText(rs, c + 7),
        dialect.getText(rs, c + 8),
        filters,
        schedule,
        ZoneId.of(dialect.getText(rs, c + 14)),
        options,
        rs.getBoolean(c + 22),
        MisfirePolicy.valueOf(dialect.getText(rs, c + 23)),
        JobStatus.valueOf(dialect.getText(rs, c + 24)),
        dialect.getInstant(rs, c + 25),
        dialect.getText(rs, c + 26),
        dialect.getInstant(rs, c + 27),
        dialect.getInstant(rs, c + 28),
        dialect.getInstant(rs, c + 29));
  }
}
