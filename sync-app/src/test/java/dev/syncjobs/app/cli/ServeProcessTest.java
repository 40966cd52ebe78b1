package dev.syncjobs.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syncjobs.core.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code syncjobs serve} as its own process: start-up, SIGTERM, SIGKILL and restart. */
class ServeProcessTest {
  static final String TOKEN = "process-admin-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  final HttpClient http = HttpClient.newHttpClient();
  Process process;

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  Path data() {
    return tmp.resolve("data");
  }

  Process launch(String log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.syncjobs.app.Main",
            "serve");
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SYNCJOBS_"));
    env.put("SYNCJOBS_DATA_DIR", data().toString());
    env.put("SYNCJOBS_PORT", "0");
    env.put("SYNCJOBS_ADMIN_TOKEN", TOKEN);
    env.put("SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS", "0");
    env.put("SYNCJOBS_LOCAL_SOURCE_ROOTS", tmp.toString());
    pb.redirectOutput(tmp.resolve(log + ".out").toFile());
    pb.redirectError(tmp.resolve(log + ".err").toFile());
    return pb.start();
  }

  /** Starts the server and waits until /health answers; returns the port. */
  int startServer(String log) throws Exception {
    Files.deleteIfExists(data().resolve("server.port"));
    long t0 = System.nanoTime();
    process = launch(log);
    int[] port = {0};
    await(
        "the server to answer /health",
        Duration.ofSeconds(30),
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError("server exited: " + read(log + ".err"));
          }
          try {
            Path f = data().resolve("server.port");
            if (!Files.exists(f)) {
              return false;
            }
            String text = Files.readString(f).trim();
            if (text.isEmpty()) {
              return false;
            }
            port[0] = Integer.parseInt(text);
            return http.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port[0] + "/health"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200;
          } catch (IOException | NumberFormatException e) {
            return false;
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        });
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.err.println("ServeProcessTest: process start to first /health answer: " + ms + " ms");
    readyMillis = ms;
    return port[0];
  }

  long readyMillis;

  String read(String file) {
    try {
      return Files.readString(tmp.resolve(file));
    } catch (IOException e) {
      return "";
    }
  }

  JsonNode call(int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + TOKEN);
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
    return JSON.readTree(r.body());
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    Await.until(what, timeout, condition);
  }

  /** A job whose run takes several seconds (4 MB at 1 MB/s). */
  String slowJob(int port, String name) throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src-" + name));
    Files.write(src.resolve("big.bin"), new byte[4_000_000]);
    JsonNode job =
        call(
            port,
            "POST",
            "/api/v1/storage/sync-jobs",
            "{\"name\":\""
                + name
                + "\",\"source_url\":\""
                + src.toUri()
                + "\",\"destination_backend_id\":\"default\",\"destination_path\":\""
                + name
                + "\",\"bandwidth_limit\":1000000,\"max_retries\":0,"
                + "\"schedule\":\"daily\",\"schedule_time\":\"04:30\",\"timezone\":\"Europe/Berlin\"}");
    return job.get("data").get("id").asText();
  }

  String startRun(int port, String job) throws Exception {
    String run =
        call(port, "POST", "/api/v1/storage/sync-jobs/" + job + "/run", null)
            .get("data")
            .get("id")
            .asText();
    await(
        "the run to transfer bytes",
        Duration.ofSeconds(15),
        () -> {
          try {
            JsonNode r =
                call(port, "GET", "/api/v1/storage/sync-jobs/" + job + "/runs/" + run, null);
            return r.get("data").get("bytes_transferred").asLong() > 0;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    return run;
  }

  @Test
  void serve_answers_quickly_and_sigterm_records_the_interrupted_run_and_exits_within_ten_seconds()
      throws Exception {
    int port = startServer("first");
    assertThat(readyMillis).as("ready after start (ms)").isLessThan(10_000);
    String job = slowJob(port, "term-job");
    String run = startRun(port, job);

    long t0 = System.nanoTime();
    process.destroy();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited within 10 s").isTrue();
    System.err.println(
        "ServeProcessTest: SIGTERM to exit: "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
            + " ms");
    try (var dirs = Files.list(data().resolve("storage/term-job"))) {
      assertThat(dirs.map(p -> p.getFileName().toString()))
          .as("the partial version stays for resume")
          .anyMatch(n -> n.endsWith(".partial"));
    }

    int again = startServer("second");
    JsonNode r = call(again, "GET", "/api/v1/storage/sync-jobs/" + job + "/runs/" + run, null);
    assertThat(r.get("data").get("status").asText()).isEqualTo("cancelled");
    assertThat(r.get("data").get("error").asText()).isEqualTo("interrupted by shutdown");
    JsonNode resume = awaitResumeEnd(again, job);
    assertThat(resume.get("status").asText()).as(resume.toString()).isEqualTo("success");
  }

  /** Waits until the job's newest run, a resume, has ended; returns it. */
  JsonNode awaitResumeEnd(int port, String job) throws Exception {
    JsonNode[] latest = {null};
    await(
        "the resume run to end",
        Duration.ofSeconds(30),
        () -> {
          try {
            latest[0] =
                call(port, "GET", "/api/v1/storage/sync-jobs/" + job + "/history", null)
                    .get("data")
                    .get(0);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          String status = latest[0].get("status").asText();
          return !status.equals("pending") && !status.equals("running");
        });
    assertThat(latest[0].get("trigger").asText()).isEqualTo("resume");
    return latest[0];
  }

  @Test
  void a_second_server_on_the_same_data_dir_refuses_to_start() throws Exception {
    startServer("owner");
    Process second = launch("intruder");
    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isEqualTo(2);
    assertThat(read("intruder.err")).contains("another syncjobs server already uses the data dir");
    assertThat(process.isAlive()).isTrue();
  }

  @Test
  void
      after_sigkill_during_a_run_a_restart_fails_it_as_interrupted_and_resumes_it_with_the_schedule_intact()
          throws Exception {
    int port = startServer("killed");
    String job = slowJob(port, "kill-job");
    JsonNode before = call(port, "GET", "/api/v1/storage/sync-jobs/" + job, null).get("data");
    String run = startRun(port, job);
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();

    int again = startServer("restarted");
    JsonNode r =
        call(again, "GET", "/api/v1/storage/sync-jobs/" + job + "/runs/" + run, null).get("data");
    assertThat(r.get("status").asText()).isEqualTo("failed");
    assertThat(r.get("error").asText()).contains("interrupted");
    JsonNode after = call(again, "GET", "/api/v1/storage/sync-jobs/" + job, null).get("data");
    assertThat(after.get("schedule").asText()).isEqualTo("daily");
    assertThat(after.get("schedule_time").asText()).isEqualTo("04:30");
    assertThat(after.get("timezone").asText()).isEqualTo("Europe/Berlin");
    assertThat(after.get("next_run_at").asText()).isEqualTo(before.get("next_run_at").asText());
    HttpResponse<String> log =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + again
                            + "/api/v1/storage/sync-jobs/"
                            + job
                            + "/runs/"
                            + run
                            + "/log"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(log.body()).contains("interrupted").contains("resume run");
    JsonNode resume = awaitResumeEnd(again, job);
    assertThat(resume.get("status").asText()).as(resume.toString()).isEqualTo("success");
    assertThat(
            call(again, "GET", "/api/v1/storage/sync-jobs/" + job, null)
                .get("data")
                .get("status")
                .asText())
        .isEqualTo("synced");
  }
}
