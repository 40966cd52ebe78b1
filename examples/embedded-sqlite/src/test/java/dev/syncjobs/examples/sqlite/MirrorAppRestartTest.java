package dev.syncjobs.examples.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.syncjobs.persistence.JdbcPersistence;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding scenario end to end: durable SQLite, a folder on a Berlin cron and a web listing
 * daily plus one manual run, progress printed; then the application restarted in a new JVM finds
 * the same jobs, history and next run times, and a second JVM on the same data dir while the first
 * holds it is refused at once.
 */
class MirrorAppRestartTest {
  private static final Map<String, String> FILES = Map.of("a.txt", "alpha", "b.txt", "bravo");

  @TempDir Path tmp;
  private HttpServer server;
  private String listing;

  @BeforeEach
  void serveListing() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/pub/",
        exchange -> {
          String name = exchange.getRequestURI().getPath().substring("/pub/".length());
          byte[] body;
          if (name.isEmpty()) {
            StringBuilder html = new StringBuilder("<html><body><pre>\n");
            FILES.keySet().stream()
                .sorted()
                .forEach(
                    f ->
                        html.append("<a href=\"")
                            .append(f)
                            .append("\">")
                            .append(f)
                            .append("</a>\n"));
            body =
                html.append("</pre></body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
          } else if (FILES.containsKey(name)) {
            body = FILES.get(name).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
          } else {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(200, -1);
          } else {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
    listing = "http://127.0.0.1:" + server.getAddress().getPort() + "/pub/";
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void jobs_history_and_next_run_times_survive_a_restart_in_a_new_jvm() throws Exception {
    Path data = tmp.resolve("data");
    Path storage = tmp.resolve("storage");
    Path folder = Files.createDirectories(tmp.resolve("photos"));
    Files.writeString(folder.resolve("cat.jpg"), "meow");
    String[] args = {data.toString(), storage.toString(), folder.toString(), listing};

    List<String> first = runInThisJvm(args[0], args[1], args[2], args[3], "--run-listing-now");

    assertThat(first).anyMatch(l -> l.startsWith("progress ") && l.contains(" SUCCESS 100%"));
    List<String> jobs = jobLines(first);
    assertThat(jobs).hasSize(2);
    assertThat(jobs.get(0)).startsWith("job photos next ").contains(" runs 0 last -");
    assertThat(jobs.get(1)).startsWith("job releases next ").contains(" runs 1 last SUCCESS ");
    assertThat(storage.resolve("releases/current/a.txt")).hasContent("alpha");
    assertThat(storage.resolve("releases/current/b.txt")).hasContent("bravo");

    try (JdbcPersistence held = JdbcPersistence.sqlite(data)) {
      Child refused = runInNewJvm(args);
      assertThat(refused.exitCode()).isNotZero();
      assertThat(refused.stderr()).contains("is in use").contains("syncjobs.db.lock");
    }

    Child restarted = runInNewJvm(args);
    assertThat(restarted.exitCode()).as(restarted.stderr()).isZero();
    assertThat(jobLines(restarted.stdout())).isEqualTo(jobs);
  }

  @Test
  void without_the_sqlite_driver_the_error_names_the_dependency_to_add() throws Exception {
    String withoutDriver =
        java.util.Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            .filter(entry -> !entry.contains("sqlite-jdbc"))
            .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    Child child =
        runInNewJvmOn(
            withoutDriver,
            tmp.resolve("data").toString(),
            tmp.resolve("storage").toString(),
            tmp.toString(),
            listing);
    assertThat(child.exitCode()).isNotZero();
    assertThat(child.stderr())
        .contains("the SQLite JDBC driver is not on the class path")
        .contains("org.xerial:sqlite-jdbc");
  }

  private static List<String> jobLines(List<String> output) {
    return output.stream().filter(l -> l.startsWith("job ")).toList();
  }

  private static List<String> runInThisJvm(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      MirrorApp.main(args);
    } finally {
      System.setOut(old);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    System.out.print(printed);
    return printed.lines().toList();
  }

  record Child(int exitCode, List<String> stdout, String stderr) {}

  private Child runInNewJvm(String... args) throws Exception {
    return runInNewJvmOn(System.getProperty("java.class.path"), args);
  }

  private Child runInNewJvmOn(String classPath, String... args) throws Exception {
    Path out = Files.createTempFile(tmp, "child", ".out");
    Path err = Files.createTempFile(tmp, "child", ".err");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classPath,
                MirrorApp.class.getName()));
    command.addAll(List.of(args));
    Process child =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!child.waitFor(120, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError("the child JVM did not stop within two minutes");
    }
    String stderr = Files.readString(err);
    System.out.print(Files.readString(out));
    System.err.print(stderr);
    return new Child(child.exitValue(), Files.readAllLines(out), stderr);
  }
}
