package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a prefix the migrations are the statements databases already ran, byte for byte: Flyway
 * records the checksums that databases made before the table prefix hold, so they validate and
 * upgrade unchanged. Flyway compares every applied migration's checksum only when it runs (a start
 * on a current schema leaves it out, see {@link SchemaMigrator}), so this test is what keeps an
 * applied migration from being edited.
 */
class MigrationChecksumsTest {
  @TempDir Path tmp;

  /**
   * The checksums of V1..V6 as databases made before migrations carried ${prefix} hold them, and of
   * every later migration as released.
   */
  static final Map<Integer, Integer> SQLITE =
      Map.of(
          1,
          -49929820,
          2,
          -1161816241,
          3,
          652768136,
          4,
          -1727599607,
          5,
          -873488439,
          6,
          1377300023,
          7,
          1330322140);

  static final Map<Integer, Integer> POSTGRESQL =
      Map.of(
          1,
          244297872,
          2,
          -1161816241,
          3,
          652768136,
          4,
          -1727599607,
          5,
          -1124430591,
          6,
          1200286893,
          7,
          -566810663);

  @Test
  void sqlite_migrations_without_prefix_keep_their_checksums() throws SQLException {
    try (Database db = Database.open("jdbc:sqlite:" + tmp.resolve("syncjobs.db"))) {
      assertThat(checksums(db, "flyway_schema_history")).containsExactlyInAnyOrderEntriesOf(SQLITE);
    }
  }

  @Test
  void postgresql_migrations_without_prefix_keep_their_checksums() throws SQLException {
    String schema = PostgresTestSupport.createSchema("checksums");
    try (Database db = PostgresTestSupport.open(schema, 2)) {
      assertThat(checksums(db, schema + ".flyway_schema_history"))
          .containsExactlyInAnyOrderEntriesOf(POSTGRESQL);
    } finally {
      PostgresTestSupport.dropSchema(schema);
    }
  }

  private static Map<Integer, Integer> checksums(Database db, String table) throws SQLException {
    Map<Integer, Integer> found = new LinkedHashMap<>();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version, checksum FROM " + table + " WHERE version IS NOT NULL")) {
      while (rs.next()) {
        found.put(Integer.parseInt(rs.getString(1)), rs.getInt(2));
      }
    }
    return found;
  }
}
