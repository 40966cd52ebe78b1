package dev.syncjobs.app.testing;

import dev.syncjobs.core.model.StorageBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A schema of its own on the real PostgreSQL the cluster tests run on ({@code
 * SYNCJOBS_TEST_PG_URL}, set up by {@code .ci/setup-postgres.sh}), and the environment that makes
 * servers instances of one cluster over one shared backend. Closing it drops the schema.
 */
public final class PostgresSchema implements AutoCloseable {
  public static final String URL =
      System.getenv()
          .getOrDefault("SYNCJOBS_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/syncjobs_test");
  public static final String USER =
      System.getenv().getOrDefault("SYNCJOBS_TEST_PG_USER", "syncjobs");
  public static final String PASSWORD =
      System.getenv().getOrDefault("SYNCJOBS_TEST_PG_PASSWORD", "syncjobs");

  private final String name;

  private PostgresSchema(String name) {
    this.name = name;
  }

  /**
   * A new schema named {@code prefix} and a random suffix; skips {@code test} loudly without
   * PostgreSQL, and fails it under CI.
   */
  public static PostgresSchema create(String test, String prefix) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
      c.isValid(5);
    } catch (SQLException e) {
      skipOrFail(test + " needs PostgreSQL at " + URL + " (.ci/setup-postgres.sh): " + e);
    }
    PostgresSchema schema =
        new PostgresSchema(prefix + "_" + UUID.randomUUID().toString().substring(0, 8));
    sql("CREATE SCHEMA " + schema.name);
    return schema;
  }

  /** Skips the running test with {@code msg} on stderr, or fails it under {@code CI=true}. */
  public static void skipOrFail(String msg) {
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(msg);
    }
    System.err.println("SKIPPED: " + msg);
    Assumptions.abort(msg);
  }

  public static void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  public String name() {
    return name;
  }

  /** The JDBC URL of this schema, credentials included, as {@code SYNCJOBS_DB_URL} takes it. */
  public String dbUrl() {
    return URL + "?currentSchema=" + name + "&user=" + USER + "&password=" + PASSWORD;
  }

  /**
   * The environment every instance of the cluster shares: this schema, the backend {@code default}
   * at {@code tmp/shared} (made on first use), one secret key, and {@code tmp} as the root of local
   * sources. A mutable copy, for the test to add to.
   */
  public Map<String, String> clusterEnv(Path tmp) throws IOException {
    Path shared = tmp.resolve("shared");
    if (!Files.isDirectory(shared)) {
      Files.createDirectories(shared);
      Files.createFile(shared.resolve(StorageBackend.MARKER));
    }
    Map<String, String> env = new HashMap<>();
    env.put("SYNCJOBS_DB_URL", dbUrl());
    env.put("SYNCJOBS_BACKENDS", "default=" + shared);
    env.put("SYNCJOBS_SECRET_KEY_FILE", tmp.resolve("cluster-secret.key").toString());
    env.put("SYNCJOBS_LOCAL_SOURCE_ROOTS", tmp.toString());
    return env;
  }

  @Override
  public void close() throws SQLException {
    sql("DROP SCHEMA IF EXISTS " + name + " CASCADE");
  }
}
