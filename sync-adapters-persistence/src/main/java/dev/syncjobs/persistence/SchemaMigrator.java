package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Brings a database's schema to the current version: Flyway applies the SQL files under {@code
 * db/migration/<dialect>/} (with {@code ${prefix}} before each name, see {@link Migrations}) and
 * records them in the history table the prefix names.
 *
 * <p>A schema whose history already records every migration of this build, each successful, is left
 * as it is without starting Flyway: that is every start but the first after an upgrade, and
 * Flyway's scan, validation and locking are most of a start's database work on a cold JVM. The
 * checksums of applied migrations are then not compared with the files; {@code
 * MigrationChecksumsTest} keeps the files as the databases ran them. Anything else (no history, a
 * missing, failed or newer migration) goes to Flyway, which migrates or refuses with its reason.
 */
final class SchemaMigrator {

  /**
   * The version of the newest migration file, {@code V<n>__*.sql}, in each dialect's folder
   * (migrations are numbered 1..n in both, which a test checks).
   */
  static final int LATEST_VERSION = 7;

  private final Database db;

  SchemaMigrator(Database db) {
    this.db = db;
  }

  /** Migrates the schema unless it is current. */
  void migrate() {
    if (isCurrent()) {
      return;
    }
    if (db.dialect() != Dialect.POSTGRESQL) {
      runFlyway();
      return;
    }
    migrateLocked();
  }

  /**
   * True when the history table exists and records versions 1..{@link #LATEST_VERSION}, all
   * successful, and nothing else but Flyway's baseline.
   */
  boolean isCurrent() {
    String history = db.tables().historyTable();
    return db.query(
        c -> {
          if (!historyExists(c, history)) {
            return false;
          }
          Set<Integer> applied = new HashSet<>();
          try (PreparedStatement s =
                  c.prepareStatement("SELECT version, success, type FROM \"" + history + "\"");
              ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              String version = rs.getString(1);
              if (!rs.getBoolean(2)) {
                return false;
              }
              String type = rs.getString(3);
              if ("BASELINE".equals(type) || "SCHEMA".equals(type)) {
                continue; // Flyway's own markers, below version 1
              }
              if (version == null || !version.matches("\\d{1,9}")) {
                return false; // a repeatable or foreign migration: Flyway's to judge
              }
              applied.add(Integer.parseInt(version));
            }
          }
          for (int v = 1; v <= LATEST_VERSION; v++) {
            if (!applied.remove(v)) {
              return false;
            }
          }
          return applied.isEmpty();
        });
  }

  private boolean historyExists(Connection c, String history) throws SQLException {
    boolean postgres = db.dialect() == Dialect.POSTGRESQL;
    String sql =
        postgres
            ? "SELECT to_regclass(?) IS NOT NULL" // the quoted name, as Flyway creates it
            : "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, postgres ? "\"" + history + "\"" : history);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /**
   * Instances that start at once on an empty PostgreSQL schema would race Flyway's baseline of the
   * history table (one creates it, another finds it existing and empty and refuses to start). A
   * session advisory lock named after the schema and the history table lets one instance migrate at
   * a time; the next finds the schema current. A crashed instance's session ends, and its lock with
   * it.
   */
  private void migrateLocked() {
    long key =
        UUID.nameUUIDFromBytes(
                ("syncjobs migrations " + db.schema() + "." + db.tables().historyTable())
                    .getBytes(StandardCharsets.UTF_8))
            .getMostSignificantBits();
    // outside the pool when the database made it: Flyway takes two of the pool's connections
    try (Connection c = db.listenConnection("syncjobs-migrations")) {
      advisory(c, "SELECT pg_advisory_lock(?)", key);
      try {
        runFlyway();
      } finally {
        advisory(c, "SELECT pg_advisory_unlock(?)", key);
      }
    } catch (SQLException e) {
      throw new SyncException("database migration failed: " + Database.rootMessage(e), e);
    }
  }

  private static void advisory(Connection c, String sql, long key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setLong(1, key);
      s.execute();
    }
  }

  private void runFlyway() {
    try {
      Location location = new Location("classpath:db/migration/" + db.dialect().migrations);
      FluentConfiguration config =
          Flyway.configure(Database.class.getClassLoader())
              .dataSource(db.dataSource())
              .locations(location)
              .table(db.tables().historyTable())
              // syncjobs' tables may share a schema with an application's own: Flyway then
              // records a baseline below the first migration instead of refusing the schema
              .baselineOnMigrate(true)
              .baselineVersion("0")
              .loggers("slf4j");
      config
          .resourceProvider(new Migrations(config, location, db.tables().prefix()))
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new SyncException("database migration failed: " + Database.rootMessage(e), e);
    }
  }
}
