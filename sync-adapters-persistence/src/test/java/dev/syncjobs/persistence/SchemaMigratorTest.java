package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.SyncException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start on a current schema leaves Flyway out; every other schema still gets Flyway's migration
 * or its refusal.
 */
class SchemaMigratorTest {
  @TempDir Path tmp;

  @Test
  void the_latest_version_is_the_newest_file_of_each_dialect() throws Exception {
    assertThat(SqliteDatabaseTest.migrations("sqlite")).isEqualTo(SchemaMigrator.LATEST_VERSION);
    assertThat(SqliteDatabaseTest.migrations("postgresql"))
        .isEqualTo(SchemaMigrator.LATEST_VERSION);
    for (String dialect : new String[] {"sqlite", "postgresql"}) {
      String newest = "/db/migration/" + dialect + "/V" + SchemaMigrator.LATEST_VERSION + "__";
      try (var files =
          java.nio.file.Files.list(
              Path.of(getClass().getResource("/db/migration/" + dialect).toURI()))) {
        assertThat(files.map(f -> "/db/migration/" + dialect + "/" + f.getFileName()))
            .anyMatch(name -> name.startsWith(newest));
      }
    }
  }

  @Test
  void sqlite_a_fresh_database_is_current_once_opened() {
    try (Database db = Database.open(url())) {
      assertThat(new SchemaMigrator(db).isCurrent()).isTrue();
    }
  }

  @Test
  void sqlite_a_database_without_the_newest_migration_gets_it_at_the_next_start()
      throws SQLException {
    try (Database db = Database.open(url())) {
      execute(db, "DROP TABLE audit_log");
      execute(db, "DELETE FROM flyway_schema_history WHERE version = '7'");
      assertThat(new SchemaMigrator(db).isCurrent()).isFalse();
    }
    try (Database db = Database.open(url())) {
      assertThat(new SchemaMigrator(db).isCurrent()).isTrue();
      assertThat(count(db, "SELECT count(*) FROM audit_log")).isZero();
      assertThat(count(db, "SELECT count(*) FROM flyway_schema_history WHERE success = 1"))
          .isEqualTo(SchemaMigrator.LATEST_VERSION);
    }
  }

  @Test
  void sqlite_a_failed_migration_in_the_history_still_stops_the_start() throws SQLException {
    try (Database db = Database.open(url())) {
      execute(db, "UPDATE flyway_schema_history SET success = 0 WHERE version = '7'");
      assertThat(new SchemaMigrator(db).isCurrent()).isFalse();
    }
    assertThatThrownBy(() -> Database.open(url()))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("migration");
  }

  @Test
  void sqlite_a_history_from_a_newer_build_is_not_taken_as_current() throws SQLException {
    try (Database db = Database.open(url())) {
      execute(
          db,
          "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
              + " checksum, installed_by, execution_time, success) VALUES (99, '"
              + (SchemaMigrator.LATEST_VERSION + 1)
              + "', 'future', 'SQL', 'V99__future.sql', 1, 'test', 1, 1)");
      assertThat(new SchemaMigrator(db).isCurrent()).isFalse();
    }
  }

  @Test
  void postgresql_a_schema_without_the_newest_migration_gets_it_at_the_next_start()
      throws SQLException {
    String schema = PostgresTestSupport.createSchema("migrator");
    try {
      try (Database db = PostgresTestSupport.open(schema, 2)) {
        assertThat(new SchemaMigrator(db).isCurrent()).isTrue();
        execute(db, "DROP TABLE audit_log");
        execute(db, "DELETE FROM flyway_schema_history WHERE version = '7'");
        assertThat(new SchemaMigrator(db).isCurrent()).isFalse();
      }
      try (Database db = PostgresTestSupport.open(schema, 2)) {
        assertThat(new SchemaMigrator(db).isCurrent()).isTrue();
        assertThat(count(db, "SELECT count(*) FROM audit_log")).isZero();
      }
    } finally {
      PostgresTestSupport.dropSchema(schema);
    }
  }

  private String url() {
    return "jdbc:sqlite:" + tmp.resolve("syncjobs.db");
  }

  private static void execute(Database db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static int count(Database db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
