package dev.syncjobs.app.faults;

import dev.syncjobs.app.testing.PostgresSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real PostgreSQL the fault cases run on: a schema of their own with short leases, and the
 * command that restarts the server under them.
 */
final class Postgres {
  private Postgres() {}

  /** A new schema; skips the test loudly without PostgreSQL, and fails it under CI. */
  static PostgresSchema schema(String test) throws SQLException {
    return PostgresSchema.create(test, "t_faults");
  }

  /** The environment of a cluster instance, with leases short enough for a test to outlive. */
  static Map<String, String> clusterEnv(PostgresSchema schema, Path tmp) throws IOException {
    Map<String, String> env = schema.clusterEnv(tmp);
    env.put("SYNCJOBS_LEASE_SECONDS", "10");
    return env;
  }

  /**
   * The command that restarts the local PostgreSQL cluster serving {@link PostgresSchema#URL}
   * (Debian's {@code pg_ctlcluster <version> <cluster> restart}, as root); skips loudly, or fails
   * under CI, when there is none or it may not be run. A restart breaks every other client of that
   * PostgreSQL, so outside CI it needs {@code -Dfaults.restartPostgres=true}: a developer's {@code
   * mvn verify} never restarts their database unasked.
   */
  static String[] restartCommand(String test) throws IOException, InterruptedException {
    if (!"true".equals(System.getenv("CI")) && !Boolean.getBoolean("faults.restartPostgres")) {
      PostgresSchema.skipOrFail(
          test
              + " restarts the PostgreSQL at "
              + PostgresSchema.URL
              + ", which breaks its other clients: it runs under CI=true or with"
              + " -Dfaults.restartPostgres=true");
    }
    Process p;
    try {
      p = new ProcessBuilder("pg_lsclusters", "-h").redirectErrorStream(true).start();
    } catch (IOException e) {
      PostgresSchema.skipOrFail(
          test + " restarts PostgreSQL with pg_ctlcluster, which is missing: " + e);
      return null;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    String port = PostgresSchema.URL.replaceAll(".*://[^:/]+:(\\d+)/.*", "$1");
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[2].equals(port) && f[3].equals("online")) {
        if (!"root".equals(System.getProperty("user.name"))) {
          PostgresSchema.skipOrFail(
              test + " restarts PostgreSQL with pg_ctlcluster, which needs root");
        }
        return new String[] {"pg_ctlcluster", f[0], f[1], "restart"};
      }
    }
    PostgresSchema.skipOrFail(
        test + ": no online local PostgreSQL cluster on port " + port + ":\n" + out);
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
