package dev.syncjobs.persistence;

import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.SettingsRepository;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link SettingsRepository} on SQLite or PostgreSQL. Settings are rows of {@code settings} (one
 * per bandwidth field, the notification settings as one JSON text); a manual run is granted by one
 * conditional upsert on {@code manual_run_grants}, so the database decides between instances
 * granting at once. On PostgreSQL a change is announced on the schema's settings channel in the
 * transaction that writes it ({@link PostgresWakeUps}), so the other instances read it again at
 * once.
 */
public final class JdbcSettingsRepository implements SettingsRepository {
  private static final String UPLOAD = "bandwidth.upload_speed_limit";
  private static final String DOWNLOAD = "bandwidth.download_speed_limit";
  private static final String ENABLED = "bandwidth.throttle_enabled";
  private static final String START = "bandwidth.throttle_start_hour";
  private static final String END = "bandwidth.throttle_end_hour";
  private static final String NOTIFICATIONS = "notifications";

  private static final String UPSERT =
      "INSERT INTO {settings} (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO"
          + " UPDATE SET value = excluded.value, updated_at = excluded.updated_at";

  private final Database db;
  private final Dialect dialect;
  private final Clock clock;

  public JdbcSettingsRepository(Database db) {
    this(db, Clock.systemUTC());
  }

  /**
   * @param clock stamps {@code updated_at} of changed settings
   */
  public JdbcSettingsRepository(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.dialect = db.dialect();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public BandwidthSettings bandwidth() {
    Map<String, String> rows =
        db.query(
            c -> {
              Map<String, String> found = new HashMap<>();
              try (PreparedStatement ps =
                  c.prepareStatement("SELECT name, value FROM {settings} WHERE name LIKE ?")) {
                ps.setString(1, "bandwidth.%");
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    found.put(rs.getString(1), rs.getString(2));
                  }
                }
              }
              return found;
            });
    if (!rows.containsKey(DOWNLOAD)) {
      return BandwidthSettings.NONE;
    }
    try {
      return new BandwidthSettings(
          longOrNull(rows.get(UPLOAD)),
          longOrNull(rows.get(DOWNLOAD)),
          Boolean.parseBoolean(rows.get(ENABLED)),
          intOr0(rows.get(START)),
          intOr0(rows.get(END)));
    } catch (RuntimeException e) {
      throw new SyncException("the stored bandwidth settings are not valid: " + e.getMessage(), e);
    }
  }

  @Override
  public void saveBandwidth(BandwidthSettings value) {
    Map<String, String> rows = rows(value);
    db.transaction(
        "settings.updated",
        "bandwidth",
        saved -> true,
        c -> {
          Instant now = clock.instant();
          try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Map.Entry<String, String> row : rows.entrySet()) {
              bind(ps, row.getKey(), row.getValue(), now);
              ps.addBatch();
            }
            ps.executeBatch();
          }
          announce(c);
          return null;
        });
  }

  @Override
  public boolean saveBandwidthIfAbsent(BandwidthSettings value) {
    Map<String, String> rows = rows(value);
    return db.transaction(
        c -> {
          Instant now = clock.instant();
          // the download row is written with every save: claiming it decides who imports
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO {settings} (name, value, updated_at) VALUES (?, ?, ?)"
                      + " ON CONFLICT (name) DO NOTHING")) {
            bind(ps, DOWNLOAD, rows.get(DOWNLOAD), now);
            if (ps.executeUpdate() == 0) {
              return false;
            }
          }
          try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Map.Entry<String, String> row : rows.entrySet()) {
              if (!row.getKey().equals(DOWNLOAD)) {
                bind(ps, row.getKey(), row.getValue(), now);
                ps.addBatch();
              }
            }
            ps.executeBatch();
          }
          announce(c);
          return true;
        });
  }

  @Override
  public Optional<String> notifications() {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT value FROM {settings} WHERE name = ?")) {
            ps.setString(1, NOTIFICATIONS);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public void saveNotifications(String json) {
    Objects.requireNonNull(json, "json");
    db.transaction(
        "settings.updated",
        "notifications",
        saved -> true,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            bind(ps, NOTIFICATIONS, json, clock.instant());
            ps.executeUpdate();
          }
          announce(c);
          return null;
        });
  }

  @Override
  public Grant grantManualRun(JobId job, Instant now, Duration interval) {
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    return db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO {manual_run_grants} (job_id, granted_at) VALUES (?, ?)"
                      + " ON CONFLICT (job_id) DO UPDATE SET granted_at = excluded.granted_at"
                      + " WHERE {manual_run_grants}.granted_at <= ?")) {
            dialect.setUuid(ps, 1, job.value());
            dialect.setInstant(ps, 2, at);
            dialect.setInstant(ps, 3, at.minus(interval));
            if (ps.executeUpdate() == 1) {
              return new Grant(true, at, Duration.ZERO);
            }
          }
          Instant last = lastGrant(c, job);
          Duration wait = last == null ? Duration.ZERO : Duration.between(at, last.plus(interval));
          return new Grant(false, null, wait.isNegative() ? Duration.ZERO : wait);
        });
  }

  @Override
  public void revokeManualRun(JobId job, Instant grantedAt) {
    db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM {manual_run_grants} WHERE job_id = ? AND granted_at = ?")) {
            dialect.setUuid(ps, 1, job.value());
            dialect.setInstant(ps, 2, grantedAt);
            return ps.executeUpdate();
          }
        });
  }

  private Instant lastGrant(Connection c, JobId job) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT granted_at FROM {manual_run_grants} WHERE job_id = ?")) {
      dialect.setUuid(ps, 1, job.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? dialect.getInstant(rs, "granted_at") : null;
      }
    }
  }

  private void announce(Connection c) throws SQLException {
    if (db.isPostgres()) {
      PostgresWakeUps.announceSettingsChange(db, c);
    }
  }

  private void bind(PreparedStatement ps, String name, String value, Instant now)
      throws SQLException {
    ps.setString(1, name);
    ps.setString(2, value);
    dialect.setInstant(ps, 3, now);
  }

  private static Map<String, String> rows(BandwidthSettings v) {
    Map<String, String> rows = new LinkedHashMap<>();
    rows.put(UPLOAD, v.uploadLimit() == null ? null : v.uploadLimit().toString());
    rows.put(DOWNLOAD, v.downloadLimit() == null ? null : v.downloadLimit().toString());
    rows.put(ENABLED, Boolean.toString(v.throttleEnabled()));
    rows.put(START, Integer.toString(v.throttleStartHour()));
    rows.put(END, Integer.toString(v.throttleEndHour()));
    return rows;
  }

  private static Long longOrNull(String text) {
    return text == null ? null : Long.valueOf(text);
  }

  private static int intOr0(String text) {
    return text == null ? 0 : Integer.parseInt(text);
  }
}
