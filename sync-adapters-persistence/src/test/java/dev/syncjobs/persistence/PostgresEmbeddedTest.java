package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.testing.HttpInNameOnly;
import dev.syncjobs.core.version.StorageBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * syncjobs embedded on an application's own PostgreSQL data source, with a table prefix, in the
 * schema where the application keeps its own tables.
 */
class PostgresEmbeddedTest {
  @TempDir Path tmp;
  private String schema;
  private HikariDataSource app;

  @BeforeEach
  void applicationDatabase() throws SQLException {
    schema = PostgresTestSupport.createSchema("embed");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(PostgresTestSupport.url(schema));
    config.setUsername(PostgresTestSupport.USER);
    config.setPassword(PostgresTestSupport.PASSWORD);
    config.setMaximumPoolSize(6);
    app = new HikariDataSource(config);
    try (Connection c = app.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)");
      s.execute("INSERT INTO orders (item) VALUES ('tea')");
    }
  }

  @AfterEach
  void drop() {
    if (app != null) {
      app.close();
    }
    PostgresTestSupport.dropSchema(schema);
  }

  private JdbcPersistence persistence(String prefix) {
    return JdbcPersistence.builder()
        .dataSource(app)
        .tablePrefix(prefix)
        .secretKeyFile(tmp.resolve("sync.key"))
        .build();
  }

  @Test
  void prefixed_tables_live_beside_the_applications_own_and_its_data_source_stays_open()
      throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "a");
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage"));
    StorageBackends.initialiseOwnRoot(backend);
    Run run;
    Job withCredentials;
    try (SyncRuntime sync =
        SyncRuntime.builder()
            .persistence(persistence("myapp_sync_"))
            .transfer(new HttpInNameOnly())
            .backend(backend)
            .build()
            .start()) {
      Job job =
          sync.jobs()
              .create(
                  Job.builder(
                          sync.jobs().newId(),
                          "docs",
                          Source.parse(src.toUri().toString()),
                          new Destination("default", "docs"))
                      .build());
      withCredentials =
          sync.jobs()
              .create(
                  Job.builder(
                          sync.jobs().newId(),
                          "private",
                          Source.parse("https://example.org/private/"),
                          new Destination("default", "private"))
                      .auth(SourceAuth.basic("reader", "s3cret"))
                      .build());
      run = sync.jobs().runNow(job.id());
      assertThat(sync.awaitIdle(Duration.ofSeconds(30))).isTrue();
    }

    assertThat(app.isClosed()).isFalse();
    assertThat(query("SELECT item FROM orders")).containsExactly("tea");
    List<String> tables =
        query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                + schema
                + "' ORDER BY table_name");
    assertThat(tables)
        .contains("orders", "myapp_sync_schema_history")
        .containsAll(Tables.NAMES.stream().map(t -> "myapp_sync_" + t).toList())
        .doesNotContain("flyway_schema_history", "jobs", "runs");
    assertThat(query("SELECT count(*) FROM myapp_sync_schema_history WHERE success"))
        .singleElement()
        .satisfies(n -> assertThat(Integer.parseInt(n)).isGreaterThanOrEqualTo(6));
    assertThat(
            query(
                "SELECT indexname FROM pg_indexes WHERE schemaname = '"
                    + schema
                    + "' AND indexname NOT LIKE 'myapp_sync_%'"))
        .allMatch(name -> name.startsWith("orders"));

    try (JdbcPersistence again = persistence("myapp_sync_")) {
      assertThat(again.runs().find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(again.jobs().find(withCredentials.id()).orElseThrow().auth())
          .isEqualTo(SourceAuth.basic("reader", "s3cret"));
      assertThat(again.database().channel("work")).isEqualTo("myapp_sync_" + schema + "_work");
    }
    assertThat(app.isClosed()).isFalse();
  }

  @Test
  void two_embeds_with_different_prefixes_share_a_schema_without_seeing_each_other() {
    try (JdbcPersistence first = persistence("one_");
        JdbcPersistence second = persistence("two_")) {
      first
          .jobs()
          .create(
              Job.builder(
                      new dev.syncjobs.core.model.JobId(java.util.UUID.randomUUID()),
                      "only-in-one",
                      Source.parse(tmp.toUri().toString()),
                      new Destination("default", "x"))
                  .build());
      assertThat(first.jobs().list()).hasSize(1);
      assertThat(second.jobs().list()).isEmpty();
      assertThat(first.database().historyTable()).isEqualTo("one_schema_history");
      assertThat(first.database().channel("progress"))
          .isNotEqualTo(second.database().channel("progress"));
    }
    assertThat(app.isClosed()).isFalse();
  }

  private List<String> query(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = app.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}
