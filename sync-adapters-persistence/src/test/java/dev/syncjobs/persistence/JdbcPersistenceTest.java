package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.testing.HttpInNameOnly;
import dev.syncjobs.core.version.StorageBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

class JdbcPersistenceTest {
  @TempDir Path tmp;

  private Job job(String name, SourceAuth auth) {
    return Job.builder(
            new JobId(UUID.randomUUID()),
            name,
            Source.parse(
                auth == null ? tmp.resolve("src").toUri().toString() : "https://example.org/x/"),
            new Destination("default", name))
        .auth(auth)
        .build();
  }

  @Test
  void sqlite_in_a_data_dir_keeps_jobs_runs_logs_and_the_key_across_reopening() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(tmp.resolve("src"));
    Files.writeString(tmp.resolve("src/a.txt"), "a");
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage"));
    StorageBackends.initialiseOwnRoot(backend);
    Job created;
    Run run;
    try (SyncRuntime sync =
        SyncRuntime.builder()
            .persistence(JdbcPersistence.sqlite(data))
            .transfer(new HttpInNameOnly())
            .backend(backend)
            .build()
            .start()) {
      created = sync.jobs().create(job("private", SourceAuth.basic("reader", "s3cret")));
      run = sync.jobs().runNow(sync.jobs().create(job("docs", null)).id());
      assertThat(sync.awaitIdle(Duration.ofSeconds(30))).isTrue();
    }
    for (String file : List.of("syncjobs.db", "secret.key")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(file))))
          .as(file)
          .isEqualTo("rw-------");
    }
    byte[] key = Files.readAllBytes(data.resolve("secret.key"));

    try (JdbcPersistence again = JdbcPersistence.sqlite(data)) {
      Job read = again.jobs().find(created.id()).orElseThrow();
      assertThat(read.auth()).isEqualTo(SourceAuth.basic("reader", "s3cret"));
      assertThat(again.runs().find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(again.runLog().read(run.id())).isNotEmpty();
    }
    assertThat(Files.readAllBytes(data.resolve("secret.key"))).isEqualTo(key);
  }

  @Test
  void a_second_owner_of_one_sqlite_database_fails_at_once_until_the_first_closes() {
    Path data = tmp.resolve("data");
    try (JdbcPersistence first = JdbcPersistence.sqlite(data)) {
      assertThatThrownBy(() -> JdbcPersistence.sqlite(data))
          .isInstanceOf(OwnerLock.HeldException.class)
          .hasMessageContaining(
              "the SQLite database " + data.resolve("syncjobs.db").toAbsolutePath())
          .hasMessageContaining("is in use")
          .hasMessageContaining("syncjobs.db.lock");
      assertThatThrownBy(
              () ->
                  JdbcPersistence.builder()
                      .url("jdbc:sqlite:" + data.resolve("syncjobs.db"))
                      .build())
          .isInstanceOf(OwnerLock.HeldException.class);
    }
    try (JdbcPersistence second = JdbcPersistence.sqlite(data)) {
      assertThat(second.jobs().list()).isEmpty();
    }
  }

  @Test
  void a_table_prefix_names_every_table_and_the_history_table() throws Exception {
    SQLiteDataSource app = new SQLiteDataSource();
    app.setUrl("jdbc:sqlite:" + tmp.resolve("app.db"));
    try (Connection c = app.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id integer PRIMARY KEY, item text)");
      s.execute("INSERT INTO orders (item) VALUES ('tea')");
    }
    Files.createDirectories(tmp.resolve("src"));
    try (JdbcPersistence p =
        JdbcPersistence.builder()
            .dataSource(app)
            .tablePrefix("myapp_sync_")
            .secretKeyFile(tmp.resolve("keys/sync.key"))
            .build()) {
      p.jobs().create(job("docs", SourceAuth.bearer("token")));
      assertThat(p.jobs().list()).hasSize(1);
      assertThat(p.database().table("jobs")).isEqualTo("myapp_sync_jobs");
      assertThat(p.database().historyTable()).isEqualTo("myapp_sync_schema_history");
      assertThatThrownBy(() -> JdbcPersistence.builder().dataSource(app).build())
          .isInstanceOf(OwnerLock.HeldException.class);
    }
    assertThat(names(app))
        .contains("orders", "myapp_sync_schema_history")
        .containsAll(Tables.NAMES.stream().map(t -> "myapp_sync_" + t).toList())
        .noneMatch(n -> Tables.NAMES.contains(n) || n.equals("flyway_schema_history"));
    try (Connection c = app.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT item FROM orders")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("tea");
    }
    try (JdbcPersistence p =
        JdbcPersistence.builder()
            .dataSource(app)
            .tablePrefix("myapp_sync_")
            .secretKeyFile(tmp.resolve("keys/sync.key"))
            .build()) {
      assertThat(p.jobs().list())
          .singleElement()
          .satisfies(j -> assertThat(j.name()).isEqualTo("docs"));
    }
  }

  @Test
  void a_prefix_that_is_no_sql_name_is_refused() {
    for (String bad : List.of("My_", "1x_", "a-b_", "x; DROP TABLE jobs; --", "a".repeat(41))) {
      assertThatThrownBy(() -> JdbcPersistence.builder().tablePrefix(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tablePrefix");
    }
  }

  @Test
  void without_a_key_a_job_with_credentials_is_refused_with_what_to_give() {
    try (JdbcPersistence p =
        JdbcPersistence.builder().url("jdbc:sqlite:" + tmp.resolve("nokey.db")).build()) {
      p.jobs().create(job("public", null));
      assertThatThrownBy(() -> p.jobs().create(job("private", SourceAuth.basic("u", "p"))))
          .isInstanceOf(SyncException.class)
          .hasMessageContaining("secretKeyFile");
    }
  }

  @Test
  void exactly_one_way_to_the_database_is_required() {
    assertThatThrownBy(() -> JdbcPersistence.builder().build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcPersistence.builder().sqlite(tmp).url("jdbc:sqlite:x.db").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one");
  }

  private static List<String> names(SQLiteDataSource ds) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
