package dev.syncjobs.persistence;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.SyncException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {
  @TempDir Path dir;

  private String url() {
    return "jdbc:sqlite:" + dir.resolve("data/syncjobs.db");
  }

  @Test
  void opens_sqlite_in_wal_mode_with_foreign_keys_and_a_busy_timeout() throws Exception {
    try (Database db = Database.open(url());
        Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(pragma(s, "journal_mode")).isEqualTo("wal");
      assertThat(pragma(s, "foreign_keys")).isEqualTo("1");
      assertThat(pragma(s, "busy_timeout")).isEqualTo("10000");
      assertThat(pragma(s, "synchronous")).isEqualTo("2");
      assertThat(db.isPostgres()).isFalse();
    }
  }

  @Test
  void reopening_keeps_the_data_and_applies_each_migration_once() throws Exception {
    Job job = job("survivor", T0);
    try (Database db = Database.open(url())) {
      new JdbcJobRepository(db, null).create(job);
    }

    try (Database db = Database.open(url());
        Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success = 1")) {
      assertThat(new JdbcJobRepository(db, null).find(job.id())).contains(job);
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(migrations("sqlite"));
    }
  }

  @Test
  void source_credentials_are_stored_encrypted_and_need_the_key() throws Exception {
    byte[] key = Database.newSecretKey();
    String password = "correct horse battery staple";
    Job job =
        dev.syncjobs.core.model.Job.builder(
                job("secretive", null).id(),
                "secretive",
                dev.syncjobs.core.model.Source.parse("https://h.example/files/"),
                new dev.syncjobs.core.model.Destination("default", "secret"))
            .auth(new SourceAuth(SourceAuth.Type.BASIC, "alice", password, null, null, null))
            .createdAt(T0)
            .build();
    try (Database db = Database.open(url())) {
      new JdbcJobRepository(db, key).create(job);

      byte[] raw;
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT auth_sealed FROM jobs WHERE id = ?")) {
        ps.setString(1, job.id().toString());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          raw = rs.getBytes(1);
        }
      }
      assertThat(raw).isNotNull();
      assertThat(new String(raw, StandardCharsets.ISO_8859_1)).doesNotContain(password, "alice");
      assertThat(new JdbcJobRepository(db, key).find(job.id()).orElseThrow().auth())
          .isEqualTo(job.auth());
      assertThatThrownBy(() -> new JdbcJobRepository(db, Database.newSecretKey()).find(job.id()))
          .isInstanceOf(SyncException.class)
          .hasMessageContaining("wrong secret key");
    }
    assertThat(java.nio.file.Files.readAllBytes(dir.resolve("data/syncjobs.db")))
        .satisfies(
            bytes ->
                assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                    .doesNotContain(password));
  }

  @Test
  void storing_credentials_without_a_key_is_refused() {
    Job job =
        dev.syncjobs.core.model.Job.builder(
                job("keyless", null).id(),
                "keyless",
                dev.syncjobs.core.model.Source.parse("https://h.example/files/"),
                new dev.syncjobs.core.model.Destination("default", "keyless"))
            .auth(new SourceAuth(SourceAuth.Type.BEARER, null, null, "t0ken", null, null))
            .createdAt(T0)
            .build();
    try (Database db = Database.open(url())) {
      JdbcJobRepository jobs = new JdbcJobRepository(db, null);
      assertThatThrownBy(() -> jobs.create(job))
          .isInstanceOf(SyncException.class)
          .hasMessageContaining("no secret key");
      assertThat(jobs.list()).isEmpty();
    }
  }

  @Test
  void refuses_an_unsupported_database_url() {
    assertThatThrownBy(() -> Database.open("jdbc:mysql://h/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:sqlite");
  }

  @Test
  void retention_deletes_a_run_together_with_its_log() throws Exception {
    try (Database db = Database.open(url())) {
      JdbcJobRepository jobs = new JdbcJobRepository(db, null);
      JdbcRunRepository runs = new JdbcRunRepository(db);
      JdbcRunLog log = new JdbcRunLog(db, 1000);
      Job job = job("retained", null);
      jobs.create(job);
      dev.syncjobs.core.model.Run run =
          dev.syncjobs.core.port.PortsUnderTest.manualRun(job.id(), T0);
      runs.insert(run);
      for (int i = 0; i < 100; i++) {
        log.append(run.id(), "line " + i);
      }
      runs.requestCancel(run.id(), T0.plusSeconds(1));

      assertThat(runs.deleteFinishedBefore(T0.plusSeconds(2), 10)).isEqualTo(1);

      assertThat(log.read(run.id())).isEmpty();
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT (SELECT count(*) FROM run_logs) + (SELECT count(*) FROM run_log_lines)")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @Test
  void a_run_of_a_missing_job_and_a_log_of_a_missing_run_are_not_found() {
    try (Database db = Database.open(url())) {
      assertMissingReferencesAreNotFound(db);
    }
  }

  static void assertMissingReferencesAreNotFound(Database db) {
    JdbcRunRepository runs = new JdbcRunRepository(db);
    JdbcRunLog log = new JdbcRunLog(db);
    dev.syncjobs.core.model.Run orphan =
        dev.syncjobs.core.port.PortsUnderTest.manualRun(job("ghost", null).id(), T0);

    assertThatThrownBy(() -> runs.insert(orphan))
        .isInstanceOf(dev.syncjobs.core.model.NotFoundException.class);
    assertThatThrownBy(() -> log.append(orphan.id(), "nobody reads this"))
        .isInstanceOf(dev.syncjobs.core.model.NotFoundException.class);
    assertThat(runs.find(orphan.id())).isEmpty();
  }

  private static String pragma(Statement s, String name) throws Exception {
    try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** How many migration files the dialect has. */
  static int migrations(String dialect) throws Exception {
    java.net.URL dir =
        SqliteDatabaseTest.class.getResource("/db/migration/" + dialect + "/V1__schema.sql");
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()).getParent())) {
      return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
    }
  }
}
