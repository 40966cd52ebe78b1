package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.notify.WebhookReceiver;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs on a real server announced to loopback receivers in each format's documented shape, and a
 * receiver that hangs or is down does not delay a run.
 */
class NotificationDeliveryTest {
  private static final String SETTINGS = "/api/v1/settings/notifications";
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * How long the down receiver's third failure may take to be on record: the two notification
   * threads can both be held by the hanging receiver's tries (10 s each, at 0, 12 and 30 s), and
   * the down receiver's tries (2 s, then 8 s apart) wait for a free thread, so the third can come
   * about 40 s after the hanging deliveries began.
   */
  private static final Duration THIRD_FAILURE = Duration.ofSeconds(60);

  @TempDir Path tmp;

  /** Creates a job over a small local tree, runs it, returns the finished run. */
  private static JsonNode runOnce(TestServer s, String jobId) {
    TestServer.Response r = s.post("/api/v1/storage/sync-jobs/" + jobId + "/run", null);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return s.awaitRunEnd(jobId, r.data().get("id").asText(), WAIT);
  }

  private String job(TestServer s, String name) throws Exception {
    Path src = TestServer.sourceTree(tmp.resolve("src-" + name), 3, 1000);
    return s.createJob(TestServer.jobJson(name, src, name, ""));
  }

  private static void settings(TestServer s, String json) {
    TestServer.Response r = s.send("PUT", SETTINGS, TestServer.ADMIN, json, null);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private static String log(TestServer s, String jobId, JsonNode run) {
    return s.send(
            "GET",
            "/api/v1/storage/sync-jobs/" + jobId + "/runs/" + run.get("id").asText() + "/log",
            TestServer.ADMIN,
            null,
            null)
        .body();
  }

  private static String hmac(String key, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  @Test
  void generic_webhook_gets_signed_run_summaries_of_start_and_success() throws Exception {
    try (TestServer s = new TestServer(tmp);
        WebhookReceiver receiver = new WebhookReceiver(200)) {
      String id = job(s, "signed");
      settings(
          s,
          "{\"webhook_url\":\""
              + receiver.url("/hook")
              + "\",\"secret\":\"shh\","
              + "\"on_start\":true,\"on_success\":true}");

      JsonNode run = runOnce(s, id);

      TestServer.await("two deliveries", WAIT, () -> receiver.requests().size() == 2);
      TestServer.await(
          "the log lines",
          WAIT,
          () -> log(s, id, run).contains("notified webhook (generic) of run.succeeded: HTTP 200"));
      assertThat(log(s, id, run)).contains("notified webhook (generic) of run.started: HTTP 200");
      List<String> events = new ArrayList<>();
      for (WebhookReceiver.Request r : receiver.requests()) {
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.header("X-Syncjobs-Signature")).isEqualTo("sha256=" + hmac("shh", r.body()));
        JsonNode body = TestServer.JSON.readTree(r.body());
        List<String> names = new ArrayList<>();
        body.fieldNames().forEachRemaining(names::add);
        assertThat(names)
            .containsExactly(
                "event",
                "job_id",
                "job_name",
                "run_id",
                "status",
                "trigger",
                "started_at",
                "completed_at",
                "files_synced",
                "bytes_transferred",
                "version",
                "error");
        assertThat(body.get("job_id").asText()).isEqualTo(id);
        assertThat(body.get("run_id").asText()).isEqualTo(run.get("id").asText());
        assertThat(body.get("trigger").asText()).isEqualTo("manual");
        events.add(body.get("event").asText());
      }
      assertThat(events).containsExactlyInAnyOrder("run.started", "run.succeeded");
      JsonNode done =
          TestServer.JSON.readTree(
              receiver.requests().stream()
                  .filter(r -> r.text().contains("run.succeeded"))
                  .findFirst()
                  .orElseThrow()
                  .body());
      assertThat(done.get("status").asText()).isEqualTo("success");
      assertThat(done.get("files_synced").asLong()).isEqualTo(3);
      assertThat(done.get("bytes_transferred").asLong()).isEqualTo(3000);
      assertThat(done.get("version").asText()).isEqualTo(run.get("version").asText());
      assertThat(Instant.parse(done.get("completed_at").asText())).isNotNull();
    }
  }

  /** Runs a job once with the webhook in {@code format}; returns the one request received. */
  private WebhookReceiver.Request delivered(String format) throws Exception {
    try (TestServer s = new TestServer(tmp);
        WebhookReceiver receiver = new WebhookReceiver(200)) {
      String id = job(s, "mirror-" + format);
      settings(
          s,
          "{\"webhook_url\":\""
              + receiver.url("/hook")
              + "\",\"format\":\""
              + format
              + "\","
              + "\"on_success\":true}");
      runOnce(s, id);
      TestServer.await("the delivery", WAIT, () -> receiver.requests().size() == 1);
      return receiver.requests().get(0);
    }
  }

  @Test
  void slack_gets_an_incoming_webhook_message_with_text_and_blocks() throws Exception {
    WebhookReceiver.Request r = delivered("slack");
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonNode body = TestServer.JSON.readTree(r.body());
    assertThat(body.get("text").isTextual()).isTrue();
    assertThat(body.get("text").asText()).contains("mirror-slack").contains("succeeded");
    JsonNode block = body.get("blocks").get(0);
    assertThat(block.get("type").asText()).isEqualTo("section");
    assertThat(block.get("text").get("type").asText()).isEqualTo("mrkdwn");
    assertThat(block.get("text").get("text").asText().length()).isBetween(1, 3000);
  }

  @Test
  void discord_gets_content_and_an_embed_that_pings_nobody() throws Exception {
    WebhookReceiver.Request r = delivered("discord");
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonNode body = TestServer.JSON.readTree(r.body());
    assertThat(body.get("content").asText()).contains("mirror-discord").hasSizeLessThan(2001);
    assertThat(body.get("embeds")).hasSize(1);
    JsonNode embed = body.get("embeds").get(0);
    assertThat(embed.get("title").asText()).hasSizeLessThan(257).contains("run.succeeded");
    assertThat(embed.get("description").isTextual()).isTrue();
    assertThat(embed.get("color").isInt()).isTrue();
    for (JsonNode f : embed.get("fields")) {
      assertThat(f.get("name").isTextual()).isTrue();
      assertThat(f.get("value").isTextual()).isTrue();
    }
    assertThat(body.get("allowed_mentions").get("parse")).isEmpty();
  }

  @Test
  void ntfy_gets_the_message_as_text_with_title_priority_and_tags() throws Exception {
    WebhookReceiver.Request r = delivered("ntfy");
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.header("Content-Type")).startsWith("text/plain");
    assertThat(r.header("Title")).contains("mirror-ntfy");
    assertThat(r.header("Priority"))
        .isIn(Set.of("min", "low", "default", "high", "max", "urgent", "1", "2", "3", "4", "5"));
    assertThat(r.header("Tags")).matches("[a-z_]+(,[a-z_]+)*").contains("white_check_mark");
    assertThat(r.text()).contains("mirror-ntfy succeeded").contains("files synced: 3");
  }

  @Test
  void a_receiver_that_hangs_or_is_down_does_not_delay_a_run() throws Exception {
    try (TestServer s = new TestServer(tmp);
        WebhookReceiver hanging = WebhookReceiver.hanging()) {
      String id = job(s, "timed");
      runOnce(s, id);
      long quiet = fastest(s, id);

      settings(
          s,
          "{\"webhook_url\":\""
              + hanging.url("/hook")
              + "\",\"on_start\":true,"
              + "\"on_success\":true,\"on_failure\":true}");
      long withHanging = fastest(s, id);

      URI down;
      try (ServerSocket closed =
          new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        down = URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/hook");
      }
      settings(
          s,
          "{\"webhook_url\":\""
              + down
              + "\",\"on_start\":true,\"on_success\":true,"
              + "\"on_failure\":true}");
      JsonNode last = runOnce(s, id);
      long withDown = Math.min(fastest(s, id), duration(last));

      assertThat(withHanging - quiet).as("hanging receiver").isLessThan(100);
      assertThat(withDown - quiet).as("receiver down").isLessThan(100);
      assertThat(hanging.requests()).isNotEmpty();
      TestServer.await(
          "the failure on record after three tries",
          THIRD_FAILURE,
          () -> log(s, id, last).contains("notification failed: webhook (generic) of run.started"));
      assertThat(log(s, id, last)).contains("(3 tries)");
    }
  }

  /** The shortest of three runs, started to completed, in milliseconds. */
  private static long fastest(TestServer s, String id) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      best = Math.min(best, duration(runOnce(s, id)));
    }
    return best;
  }

  private static long duration(JsonNode run) {
    assertThat(run.get("status").asText()).isEqualTo("success");
    return Duration.between(
            Instant.parse(run.get("started_at").asText()),
            Instant.parse(run.get("completed_at").asText()))
        .toMillis();
  }
}
