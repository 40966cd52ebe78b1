package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.metrics.PrometheusText;
import dev.syncjobs.app.testing.PostgresSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL schema and one shared backend (cluster mode): a job created on one
 * is visible on the other, and a WebSocket client on either sees the final message of a run
 * triggered on the other, whichever instance executes it.
 */
class ClusterServerTest {
  @TempDir Path tmp;
  PostgresSchema schema;
  TestServer a;
  TestServer b;

  @BeforeEach
  void start() throws Exception {
    schema = PostgresSchema.create("ClusterServerTest", "t_server");
    env = schema.clusterEnv(tmp);
    a = new TestServer(Files.createDirectories(tmp.resolve("a")), withId(env, "instance-a"));
    b = new TestServer(Files.createDirectories(tmp.resolve("b")), withId(env, "instance-b"));
  }

  private Map<String, String> withId(Map<String, String> env, String id) {
    java.util.HashMap<String, String> m = new java.util.HashMap<>(env);
    m.put("SYNCJOBS_INSTANCE_ID", id);
    return m;
  }

  @AfterEach
  void stop() throws Exception {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  @Test
  void every_malformed_request_is_a_4xx_on_postgresql_too() throws Exception {
    Path src = TestServer.sourceTree(tmp.resolve("src"), 1, 10);
    String job = a.createJob(jobJson("pg-existing", src, "pg-existing", ""));
    MalformedRequestsTest.cases()
        .forEach(
            c -> {
              Object[] x = c.get();
              String path = ((String) x[2]).replace("{job}", job);
              TestServer.Response r =
                  a.send((String) x[1], path, TestServer.ADMIN, (String) x[4], (String) x[3]);
              assertThat(r.status()).as(x[0] + ": " + r.body()).isBetween(400, 499);
              assertThat(r.contentType()).as((String) x[0]).startsWith("application/problem+json");
            });
  }

  @Test
  void each_instance_labels_its_metrics_and_a_run_is_counted_once_by_the_one_that_ran_it()
      throws Exception {
    Path src = TestServer.sourceTree(tmp.resolve("src"), 2, 100);
    String job = a.createJob(jobJson("cluster-metrics", src, "metrics", "\"max_retries\":0"));
    String run =
        b.post("/api/v1/storage/sync-jobs/" + job + "/run", null).data().get("id").asText();
    JsonNode end = a.awaitRunEnd(job, run, Duration.ofSeconds(30));
    assertThat(end.get("status").asText()).isEqualTo("success");
    String owner = end.get("instance_id").asText();
    double total = 0;
    for (TestServer s : new TestServer[] {a, b}) {
      String id = s == a ? "instance-a" : "instance-b";
      PrometheusText m = PrometheusText.parse(s.get("/metrics").body());
      assertThat(m.samples()).allSatisfy(x -> assertThat(x.labels()).containsEntry("instance", id));
      double succeeded = m.value("syncjobs_runs_total", "instance", id, "status", "success");
      assertThat(succeeded).isEqualTo(id.equals(owner) ? 1 : 0);
      total += succeeded;
      assertThat(
              m.value(
                  "syncjobs_last_success_timestamp_seconds",
                  "instance",
                  id,
                  "job",
                  "cluster-metrics"))
          .isCloseTo(
              java.time.Instant.parse(end.get("completed_at").asText()).toEpochMilli() / 1000.0,
              org.assertj.core.api.Assertions.within(1.0));
    }
    assertThat(total).isEqualTo(1);
  }

  @Test
  void a_cancel_on_one_instance_stops_a_run_executing_on_the_other_at_once() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("slow"));
    Files.write(src.resolve("big.bin"), new byte[3_000_000]);
    String job =
        a.createJob(
            jobJson(
                "cluster-cancel", src, "cancel", "\"bandwidth_limit\":200000,\"max_retries\":0"));
    String run =
        a.post("/api/v1/storage/sync-jobs/" + job + "/run", null).data().get("id").asText();
    String[] owner = {null};
    TestServer.await(
        "the run to start",
        Duration.ofSeconds(15),
        () -> {
          JsonNode r = a.get("/api/v1/storage/sync-jobs/" + job + "/runs/" + run).data();
          owner[0] = r.get("instance_id").isNull() ? null : r.get("instance_id").asText();
          return r.get("status").asText().equals("running") && owner[0] != null;
        });
    TestServer other = owner[0].equals("instance-a") ? b : a;
    long t0 = System.nanoTime();
    TestServer.Response cancel = other.post("/api/v1/storage/sync-jobs/" + job + "/cancel", null);
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    JsonNode done = other.awaitRunEnd(job, run, Duration.ofSeconds(30));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.err.println("ClusterServerTest: cancelled across instances in " + ms + " ms");
    assertThat(done.get("status").asText()).isEqualTo("cancelled");
    assertThat(ms).as("well before the next lease renewal (10 s)").isLessThan(5_000);
  }

  Map<String, String> env;

  /** Starts a run of {@code job} and waits until an instance has it running; returns the run. */
  private JsonNode runningRun(String job, long minBytes) {
    String run =
        a.post("/api/v1/storage/sync-jobs/" + job + "/run", null).data().get("id").asText();
    JsonNode[] seen = {null};
    TestServer.await(
        "the run to be running",
        Duration.ofSeconds(20),
        () -> {
          seen[0] = a.get("/api/v1/storage/sync-jobs/" + job + "/runs/" + run).data();
          return seen[0].get("status").asText().equals("running")
              && !seen[0].get("instance_id").isNull()
              && seen[0].get("bytes_transferred").asLong() >= minBytes;
        });
    return seen[0];
  }

  @Test
  void an_instance_that_starts_while_another_runs_a_job_leaves_that_run_alone() throws Exception {
    Path src = TestServer.sourceTree(tmp.resolve("src"), 4, 500_000);
    String job =
        a.createJob(
            jobJson("rolling", src, "rolling", "\"bandwidth_limit\":500000,\"max_retries\":0"));
    JsonNode running = runningRun(job, 0);
    String run = running.get("id").asText();
    String owner = running.get("instance_id").asText();

    try (TestServer c =
        new TestServer(Files.createDirectories(tmp.resolve("c")), withId(env, "instance-c"))) {
      JsonNode afterStart = c.get("/api/v1/storage/sync-jobs/" + job + "/runs/" + run).data();
      assertThat(afterStart.get("status").asText()).isEqualTo("running");
      assertThat(afterStart.get("instance_id").asText()).isEqualTo(owner);

      JsonNode done = c.awaitRunEnd(job, run, Duration.ofSeconds(30));
      assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("success");
      assertThat(done.get("instance_id").asText()).isEqualTo(owner);
    }
    assertThat(a.get("/api/v1/storage/sync-jobs/" + job + "/history").data()).hasSize(1);
  }

  @Test
  void a_graceful_stop_of_the_owner_hands_its_run_to_the_other_instance_as_a_resume()
      throws Exception {
    int files = 20;
    int size = 150_000;
    Path src = TestServer.sourceTree(tmp.resolve("src"), files, size);
    String job =
        a.createJob(
            jobJson("handover", src, "handover", "\"bandwidth_limit\":500000,\"max_retries\":0"));
    JsonNode running = runningRun(job, 3 * size);
    String run = running.get("id").asText();
    boolean onA = running.get("instance_id").asText().equals("instance-a");
    TestServer owner = onA ? a : b;
    TestServer other = onA ? b : a;

    owner.close();

    JsonNode stopped = other.get("/api/v1/storage/sync-jobs/" + job + "/runs/" + run).data();
    assertThat(stopped.get("status").asText()).isEqualTo("cancelled");
    assertThat(stopped.get("error").asText()).isEqualTo("interrupted by shutdown");
    JsonNode resume = other.get("/api/v1/storage/sync-jobs/" + job + "/history").data().get(0);
    assertThat(resume.get("trigger").asText()).isEqualTo("resume");
    JsonNode done = other.awaitRunEnd(job, resume.get("id").asText(), Duration.ofSeconds(30));
    assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("success");
    assertThat(done.get("instance_id").asText()).isEqualTo(onA ? "instance-b" : "instance-a");
    long whole = (long) files * size;
    System.err.println(
        "ClusterServerTest: the resume transferred "
            + done.get("bytes_transferred").asLong()
            + " of "
            + whole
            + " bytes");
    assertThat(done.get("bytes_transferred").asLong()).isPositive().isLessThan(whole);
  }

  @Test
  void a_client_on_one_instance_sees_the_final_message_of_a_run_started_on_the_other()
      throws Exception {
    Path src = TestServer.sourceTree(tmp.resolve("src"), 2, 200_000);
    String job = a.createJob(jobJson("cluster-job", src, "cluster", "\"bandwidth_limit\":400000"));
    assertThat(b.get("/api/v1/storage/sync-jobs/" + job).status()).isEqualTo(200);

    WebSocketTest.Collector onA = new WebSocketTest.Collector(null);
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(
                    "ws://127.0.0.1:"
                        + a.server.port()
                        + "/api/v1/ws/sync/"
                        + job
                        + "?access_token="
                        + TestServer.ADMIN),
                onA)
            .get(10, TimeUnit.SECONDS);
    String run =
        b.post("/api/v1/storage/sync-jobs/" + job + "/run", null).data().get("id").asText();
    JsonNode done = b.awaitRunEnd(job, run, Duration.ofSeconds(30));
    assertThat(done.get("status").asText()).isEqualTo("success");
    System.err.println(
        "ClusterServerTest: the run executed on " + done.get("instance_id").asText());
    assertThat(onA.sawFinal.await(15, TimeUnit.SECONDS)).isTrue();
    assertThat(onA.forRun(run))
        .last()
        .satisfies(m -> assertThat(m.get("status").asText()).isEqualTo("success"));
    JsonNode versions = a.get("/api/v1/storage/sync-jobs/" + job + "/versions").json();
    String secret =
        b.createJob(
            "{\"name\":\"cluster-secret\",\"source_url\":\"https://example.invalid/x/\","
                + "\"source_auth\":{\"type\":\"bearer\",\"token\":\"t0ken\"},"
                + "\"destination_backend_id\":\"default\",\"destination_path\":\"secret\"}");
    TestServer.Response sealedOnB = a.get("/api/v1/storage/sync-jobs/" + secret);
    assertThat(sealedOnB.status()).as("instances share the sealing key").isEqualTo(200);
    assertThat(sealedOnB.data().get("source_auth").get("type").asText()).isEqualTo("bearer");
    assertThat(versions.get("total").asInt()).isEqualTo(1);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
  }

  @Test
  void deleting_a_job_on_one_instance_stops_its_run_on_the_other_and_removes_its_staging()
      throws Exception {
    Path src = Files.createDirectories(tmp.resolve("slow-delete"));
    Files.write(src.resolve("big.bin"), new byte[6_000_000]);
    String job =
        a.createJob(
            jobJson(
                "cluster-delete", src, "deleted", "\"bandwidth_limit\":200000,\"max_retries\":0"));
    String run =
        a.post("/api/v1/storage/sync-jobs/" + job + "/run", null).data().get("id").asText();
    String[] owner = {null};
    TestServer.await(
        "the run to start",
        Duration.ofSeconds(15),
        () -> {
          JsonNode r = a.get("/api/v1/storage/sync-jobs/" + job + "/runs/" + run).data();
          owner[0] = r.get("instance_id").isNull() ? null : r.get("instance_id").asText();
          return r.get("status").asText().equals("running") && owner[0] != null;
        });
    TestServer executing = owner[0].equals("instance-a") ? a : b;
    TestServer other = executing == a ? b : a;
    Path dest = tmp.resolve("shared/deleted");
    TestServer.await(
        "the staging directory",
        Duration.ofSeconds(15),
        () -> {
          try (var s = Files.list(dest)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".partial"));
          } catch (java.io.IOException e) {
            return false;
          }
        });

    assertThat(other.delete("/api/v1/storage/sync-jobs/" + job).status()).isEqualTo(200);

    TestServer.await(
        "the run to stop and its staging directory to go",
        Duration.ofSeconds(30),
        () -> {
          try (var s = Files.list(dest)) {
            return executing.server.runtime().worker().activeCount() == 0
                && s.noneMatch(p -> p.getFileName().toString().endsWith(".partial"));
          } catch (java.io.IOException e) {
            return false;
          }
        });
  }
}
