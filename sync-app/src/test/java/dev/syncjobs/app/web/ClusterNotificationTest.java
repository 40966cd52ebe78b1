package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.notify.WebhookReceiver;
import dev.syncjobs.app.testing.PostgresSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL schema: each run's events are sent once, by the instance that ran
 * it; a settings change on one instance is used by the other at once; the audit trail is shared.
 */
class ClusterNotificationTest {
  private static final String JOBS = "/api/v1/storage/sync-jobs";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private PostgresSchema schema;
  private TestServer a;
  private TestServer b;

  @BeforeEach
  void start() throws Exception {
    schema = PostgresSchema.create("ClusterNotificationTest", "t_notify");
    Map<String, String> env = schema.clusterEnv(tmp);
    env.put("SYNCJOBS_INSTANCE_ID", "instance-a");
    a = new TestServer(Files.createDirectories(tmp.resolve("a")), Map.copyOf(env));
    env.put("SYNCJOBS_INSTANCE_ID", "instance-b");
    b = new TestServer(Files.createDirectories(tmp.resolve("b")), Map.copyOf(env));
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

  private static void settings(TestServer s, WebhookReceiver r) {
    TestServer.Response put =
        s.send(
            "PUT",
            "/api/v1/settings/notifications",
            TestServer.ADMIN,
            "{\"webhook_url\":\"" + r.url("/hook") + "\",\"on_start\":true,\"on_success\":true}",
            null);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
  }

  private static JsonNode run(TestServer via, String jobId) {
    TestServer.Response r = via.post(JOBS + "/" + jobId + "/run", null);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return via.awaitRunEnd(jobId, r.data().get("id").asText(), WAIT);
  }

  private static List<String> events(WebhookReceiver r, String runId) {
    return r.requests().stream()
        .map(WebhookReceiver.Request::text)
        .filter(t -> t.contains("\"run_id\":\"" + runId + "\""))
        .map(t -> t.contains("run.started") ? "run.started" : "run.succeeded")
        .toList();
  }

  @Test
  void each_event_is_sent_once_by_the_instance_that_ran_the_run() throws Exception {
    try (WebhookReceiver first = new WebhookReceiver(200);
        WebhookReceiver second = new WebhookReceiver(200)) {
      Path src = TestServer.sourceTree(tmp.resolve("src"), 2, 100);
      String id = a.createJob(TestServer.jobJson("clustered", src, "clustered", ""));
      settings(a, first);
      assertThat(b.get("/api/v1/settings/notifications").data().get("webhook_url").asText())
          .isEqualTo(first.url("/hook").toString());

      Set<String> owners = new HashSet<>();
      List<String> announced = new java.util.ArrayList<>();
      for (int i = 0; i < 6 && owners.size() < 2; i++) {
        JsonNode run = run(i % 2 == 0 ? a : b, id);
        owners.add(run.get("instance_id").asText());
        String runId = run.get("id").asText();
        announced.add(runId);
        TestServer.await("both events", WAIT, () -> events(first, runId).size() == 2);
        assertThat(events(first, runId)).containsExactlyInAnyOrder("run.started", "run.succeeded");
      }

      settings(a, second);
      JsonNode onB = null;
      for (int i = 0; i < 8 && onB == null; i++) {
        JsonNode run = run(b, id);
        if (run.get("instance_id").asText().equals("instance-b")) {
          onB = run;
        }
      }
      assertThat(onB).as("a run executed on instance-b").isNotNull();
      String runId = onB.get("id").asText();
      TestServer.await("the events at the new URL", WAIT, () -> events(second, runId).size() == 2);
      assertThat(events(first, runId)).isEmpty();
      for (String earlier : announced) {
        assertThat(events(first, earlier)).as("no late duplicate").hasSize(2);
      }

      JsonNode trail = b.get("/api/v1/audit?resource_type=settings").json();
      assertThat(trail.get("total").asLong()).isEqualTo(2);
      assertThat(
              b.get("/api/v1/audit?resource_type=job&resource_id=" + id)
                  .json()
                  .get("total")
                  .asLong())
          .isEqualTo(1);
    }
  }
}
