package dev.syncjobs.app.faults;

import dev.syncjobs.core.model.StorageBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL the cluster cases run on ({@code SYNCJOBS_TEST_PG_URL}, set up by {@code
 * .ci/setup-postgres.sh}): a schema of its own per test, and the environment that makes servers
 * instances of one cluster over one shared backend.
 */
final class Postgres {
  static final String URL =
      System.getenv()
          .getOrDefault("SYNCJOBS_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/syncjobs_test");
  static final String USER = System.getenv().getOrDefault("SYNCJOBS_TEST_PG_USER", "syncjobs");
  static final String PASSWORD =
      System.getenv().getOrDefault("SYNCJOBS_TEST_PG_PASSWORD", "syncjobs");

  final String schema = "t_faults_" + UUID.randomUUID().toString().substring(0, 8);

  private Postgres() {}

  /** A new schema; skips the test loudly without PostgreSQL, and fails it under CI. */
  static Postgres schema(String test) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
      c.isValid(5);
    } catch (SQLException e) {
      skipOrFail(test + " needs PostgreSQL at " + URL + " (.ci/setup-postgres.sh): " + e);
    }
    Postgres pg = new Postgres();
    pg.sql("CREATE SCHEMA " + pg.schema);
    return pg;
  }

  static void skipOrFail(String msg) {
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(msg);
    }
    System.err.println("SKIPPED: " + msg);
    Assumptions.abort(msg);
  }

  void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  void drop() throws SQLException {
    sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  /** The environment of a cluster instance: this schema, a shared backend and a shared key. */
  Map<String, String> clusterEnv(Path tmp) throws IOException {
    Path shared = tmp.resolve("shared");
    if (!Files.isDirectory(shared)) {
      Files.createDirectories(shared);
      Files.createFile(shared.resolve(StorageBackend.MARKER));
    }
    return Map.of(
        "SYNCJOBS_DB_URL",
        URL + "?currentSchema=" + schema + "&user=" + USER + "&password=" + PASSWORD,
        "SYNCJOBS_BACKENDS",
        "default=" + shared,
        "SYNCJOBS_SECRET_KEY_FILE",
        tmp.resolve("cluster-secret.key").toString(),
        "SYNCJOBS_LEASE_SECONDS",
        "10");
  }

  /**
   * The command that restarts the local PostgreSQL cluster serving {@link #URL} (Debian's {@code
   * pg_ctlcluster <version> <cluster> restart}, as root); skips loudly, or fails under CI, when
   * there is none or it may not be run. A restart breaks every other client of that PostgreSQL, so
   * outside CI it needs {@code -Dfaults.restartPostgres=true}: a developer's {@code mvn verify}
   * never restarts their database unasked.
   */
  static String[] restartCommand(String test) throws IOException, InterruptedException {
    if (!"true".equals(System.getenv("CI")) && !Boolean.getBoolean("faults.restartPostgres")) {
      skipOrFail(
          test
              + " restarts the PostgreSQL at "
              + URL
              + ", which breaks its other clients: it runs under CI=true or with"
              + " -Dfaults.restartPostgres=true");
    }
    Process p;
    try {
      p = new ProcessBuilder("pg_lsclusters", "-h").redirectErrorStream(true).start();
    } catch (IOException e) {
      skipOrFail(test + " restarts PostgreSQL with pg_ctlcluster, which is missing: " + e);
      return null;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    String port = URL.replaceAll(".*://[^:/]+:(\\d+)/.*", "$1");
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[2].equals(port) && f[3].equals("online")) {
        if (!"root".equals(System.getProperty("user.name"))) {
          skipOrFail(test + " restarts PostgreSQL with pg_ctlcluster, which needs root");
        }
        return new String[] {"pg_ctlcluster", f[0], f[1], "restart"};
      }
    }
    skipOrFail(test + ": no online local PostgreSQL cluster on port " + port + ":\n" + out);
    return null;
  }

  /** Runs {@code command} (a restart) and fails unless it succeeds within a minute. */
  static void run(String[] command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: " + out);
    }
  }
}
