package dev.syncjobs.persistence;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The PostgreSQL server the tests use: {@code SYNCJOBS_TEST_PG_URL} (default {@code
 * jdbc:postgresql://127.0.0.1:5432/syncjobs_test}) as {@code SYNCJOBS_TEST_PG_USER}/{@code
 * SYNCJOBS_TEST_PG_PASSWORD} (default {@code syncjobs}/{@code syncjobs}); {@code
 * .ci/setup-postgres.sh} provides it. Each test class works in a schema of its own, dropped
 * afterwards. Without a server the tests are skipped with one loud line, except under {@code
 * CI=true}, where that is a failure.
 */
final class PostgresTestSupport {
  static final String URL =
      env("SYNCJOBS_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/syncjobs_test");
  static final String USER = env("SYNCJOBS_TEST_PG_USER", "syncjobs");
  static final String PASSWORD = env("SYNCJOBS_TEST_PG_PASSWORD", "syncjobs");

  private static final AtomicBoolean warned = new AtomicBoolean();

  private PostgresTestSupport() {}

  /** Creates a fresh schema and returns its name; skips or fails when no server answers. */
  static String createSchema(String purpose) {
    requireServer();
    String schema =
        ("t_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8))
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9_]", "_");
    execute("CREATE SCHEMA " + schema);
    return schema;
  }

  static void dropSchema(String schema) {
    if (schema != null) {
      execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /** The JDBC URL that works in {@code schema}. */
  static String url(String schema) {
    return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  static Database open(String schema, int poolSize) {
    return Database.open(new Database.Settings(url(schema), USER, PASSWORD, poolSize));
  }

  /** Empties every table of {@code schema} (cheaper than a new schema per test). */
  static void truncate(String schema) {
    execute(
        "TRUNCATE "
            + schema
            + ".manual_run_grants, "
            + schema
            + ".settings, "
            + schema
            + ".upload_chunks, "
            + schema
            + ".uploads, "
            + schema
            + ".run_log_lines, "
            + schema
            + ".run_logs, "
            + schema
            + ".runs, "
            + schema
            + ".jobs");
    execute("UPDATE " + schema + ".upload_cleanup SET last_day = ''");
  }

  static void requireServer() {
    String problem = null;
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
      c.isValid(5);
    } catch (SQLException e) {
      problem = e.getMessage();
    }
    if (problem == null) {
      return;
    }
    String message =
        "PostgreSQL tests need a server at "
            + URL
            + " (user "
            + USER
            + "): "
            + problem
            + ". Run .ci/setup-postgres.sh as root, or set SYNCJOBS_TEST_PG_URL.";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(message);
    }
    if (!warned.getAndSet(true)) {
      System.err.println("SKIPPED (no PostgreSQL): " + message);
    }
    assumeTrue(false, message);
  }

  static void execute(String sql) {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
