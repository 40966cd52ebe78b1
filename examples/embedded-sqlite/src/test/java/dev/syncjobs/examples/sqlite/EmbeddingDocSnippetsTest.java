package dev.syncjobs.examples.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.version.StorageBackends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Compiles docs/embedding.md's complete examples as written there, and runs them. */
class EmbeddingDocSnippetsTest {
  private static final String PG_URL =
      env("SYNCJOBS_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/syncjobs_test");
  private static final String PG_USER = env("SYNCJOBS_TEST_PG_USER", "syncjobs");
  private static final String PG_PASSWORD = env("SYNCJOBS_TEST_PG_PASSWORD", "syncjobs");

  @TempDir Path tmp;
  private URLClassLoader snippets;

  @BeforeEach
  void compileSnippets() throws Exception {
    String doc = Files.readString(Path.of("..", "..", "docs", "embedding.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(doc);
    Pattern className = Pattern.compile("public class (\\w+)");
    List<String> files = new ArrayList<>();
    Path src = Files.createDirectories(tmp.resolve("src"));
    while (block.find()) {
      Matcher name = className.matcher(block.group(1));
      if (name.find()) {
        Path file = src.resolve(name.group(1) + ".java");
        Files.writeString(file, block.group(1));
        files.add(file.toString());
      }
    }
    assertThat(files)
        .extracting(f -> Path.of(f).getFileName().toString())
        .contains("DurableSqlite.java", "DurablePostgres.java");
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    List<String> args =
        new ArrayList<>(
            List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path")));
    args.addAll(files);
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
    assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
    snippets = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  void the_sqlite_snippet_opens_a_locked_data_dir_with_its_key_and_reopens_it() throws Exception {
    Path data = tmp.resolve("data");
    Path storage = tmp.resolve("storage");
    StorageBackends.initialiseOwnRoot(new StorageBackend("default", storage));
    Method main = snippets.loadClass("DurableSqlite").getMethod("main", String[].class);
    for (int start = 0; start < 2; start++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream old = System.out;
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      try {
        main.invoke(null, (Object) new String[] {data.toString(), storage.toString()});
      } finally {
        System.setOut(old);
      }
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("0 jobs\n");
    }
    assertThat(data.resolve("syncjobs.db")).exists();
    assertThat(data.resolve("secret.key")).exists();
    assertThat(data.resolve("syncjobs.db.lock")).exists();
  }

  @Test
  void the_postgres_snippet_makes_prefixed_tables_on_the_given_data_source() throws Exception {
    String schema = "t_doc_" + UUID.randomUUID().toString().substring(0, 8);
    execute("CREATE SCHEMA " + schema);
    try {
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      dataSource.setURL(PG_URL + "?currentSchema=" + schema);
      dataSource.setUser(PG_USER);
      dataSource.setPassword(PG_PASSWORD);
      Method start =
          snippets
              .loadClass("DurablePostgres")
              .getDeclaredMethod("start", javax.sql.DataSource.class, Path.class);
      start.setAccessible(true);
      try (SyncRuntime sync = (SyncRuntime) start.invoke(null, dataSource, tmp.resolve("key"))) {
        assertThat(sync.jobs().list()).isEmpty();
      }
      assertThat(tables(schema)).contains("myapp_sync_jobs", "myapp_sync_schema_history");
      assertThat(tmp.resolve("key")).exists();
    } finally {
      execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private static List<String> tables(String schema) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                    + schema
                    + "'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  /** Runs {@code sql}; without a server the test is skipped loudly, or fails under CI=true. */
  private static void execute(String sql) throws SQLException {
    Connection c;
    try {
      c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
    } catch (SQLException e) {
      String message = "no PostgreSQL at " + PG_URL + ": " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(message, e);
      }
      System.err.println("SKIPPED: " + message);
      assumeTrue(false, message);
      return;
    }
    try (c;
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
