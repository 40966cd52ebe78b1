package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.notify.WebhookReceiver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET|PUT /api/v1/settings/notifications and the test send, on a real server. */
class NotificationSettingsApiTest {
  private static final String PATH = "/api/v1/settings/notifications";

  @TempDir Path tmp;

  private static List<String> fields(TestServer.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    List<String> out = new ArrayList<>();
    r.json().get("errors").forEach(e -> out.add(e.get("field").asText()));
    return out;
  }

  private static TestServer.Response put(TestServer s, String body) {
    return s.send("PUT", PATH, TestServer.ADMIN, body, null);
  }

  @Test
  void nothing_is_announced_before_settings_are_saved() {
    try (TestServer s = new TestServer(tmp)) {
      JsonNode d = s.get(PATH).data();
      assertThat(d.get("webhook_url").isNull()).isTrue();
      assertThat(d.get("format").asText()).isEqualTo("generic");
      assertThat(d.get("secret_set").asBoolean()).isFalse();
      assertThat(d.get("email").isNull()).isTrue();
      assertThat(d.get("on_failure").asBoolean()).isTrue();
      assertThat(d.get("on_success").asBoolean()).isFalse();
    }
  }

  @Test
  void secrets_are_write_only_kept_when_left_out_and_removed_with_null() {
    try (TestServer s = new TestServer(tmp)) {
      TestServer.Response saved =
          put(
              s,
              "{\"webhook_url\":\"https://hooks.example.org/x\",\"format\":\"slack\","
                  + "\"secret\":\"hook-secret-123\",\"on_start\":true,\"email\":{"
                  + "\"smtp_host\":\"mail.example.org\",\"smtp_port\":587,\"starttls\":true,"
                  + "\"username\":\"u\",\"password\":\"smtp-pass-456\","
                  + "\"from\":\"syncjobs@example.org\",\"to\":[\"ops@example.org\"]}}");
      assertThat(saved.status()).as(saved.body()).isEqualTo(200);
      TestServer.Response got = s.get(PATH);
      for (TestServer.Response r : List.of(saved, got)) {
        assertThat(r.body()).doesNotContain("hook-secret-123").doesNotContain("smtp-pass-456");
        assertThat(r.data().get("secret_set").asBoolean()).isTrue();
        assertThat(r.data().get("email").get("password_set").asBoolean()).isTrue();
        assertThat(r.data().has("secret")).isFalse();
        assertThat(r.data().get("email").has("password")).isFalse();
      }
      assertThat(s.server.runtime().settings().notifications().orElseThrow())
          .as("the stored text")
          .doesNotContain("hook-secret-123")
          .doesNotContain("smtp-pass-456")
          .contains("\"secret\":\"sealed:");
      assertThat(got.data().get("format").asText()).isEqualTo("slack");
      assertThat(got.data().get("on_start").asBoolean()).isTrue();

      put(
          s,
          "{\"webhook_url\":\"https://hooks.example.org/y\",\"email\":{"
              + "\"smtp_host\":\"mail.example.org\",\"from\":\"syncjobs@example.org\","
              + "\"to\":[\"ops@example.org\"]}}");
      got = s.get(PATH);
      assertThat(got.data().get("secret_set").asBoolean()).isTrue();
      assertThat(got.data().get("email").get("password_set").asBoolean()).isTrue();

      put(s, "{\"webhook_url\":\"https://hooks.example.org/y\",\"secret\":null}");
      got = s.get(PATH);
      assertThat(got.data().get("secret_set").asBoolean()).isFalse();
      assertThat(got.data().get("email").isNull()).isTrue();
    }
  }

  @Test
  void bad_fields_are_400_naming_each_field() {
    try (TestServer s = new TestServer(tmp)) {
      assertThat(fields(put(s, "{\"format\":\"xml\"}"))).containsExactly("format");
      assertThat(fields(put(s, "{\"webhook_url\":\"ftp://example.org/\"}")))
          .containsExactly("webhook_url");
      assertThat(fields(put(s, "{\"webhook_url\":\"http://169.254.169.254/latest\"}")))
          .containsExactly("webhook_url");
      assertThat(fields(put(s, "{\"on_failure\":\"yes\",\"colour\":1}")))
          .containsExactlyInAnyOrder("on_failure", "colour");
      assertThat(
              fields(
                  put(
                      s,
                      "{\"email\":{\"smtp_host\":\"mail.example.org\",\"smtp_port\":70000,"
                          + "\"from\":\"not an address\",\"to\":[]}}")))
          .containsExactlyInAnyOrder("email.smtp_port", "email.from", "email.to");
      assertThat(s.get(PATH).data().get("webhook_url").isNull()).isTrue();
    }
  }

  @Test
  void a_viewer_reads_the_settings_and_changes_nothing() {
    try (TestServer s = new TestServer(tmp)) {
      assertThat(s.send("GET", PATH, TestServer.VIEWER, null, null).status()).isEqualTo(200);
      assertThat(s.send("PUT", PATH, TestServer.VIEWER, "{\"on_start\":true}", null).status())
          .isEqualTo(403);
      assertThat(s.send("POST", PATH + "/test", TestServer.VIEWER, null, null).status())
          .isEqualTo(403);
      assertThat(s.get(PATH).data().get("on_start").asBoolean()).isFalse();
    }
  }

  @Test
  void the_test_send_reaches_the_webhook_and_reports_each_channel() throws Exception {
    try (TestServer s = new TestServer(tmp);
        WebhookReceiver receiver = new WebhookReceiver(200)) {
      assertThat(s.post(PATH + "/test", null).data().get("channels").size()).isZero();
      put(s, "{\"webhook_url\":\"" + receiver.url("/hook") + "\",\"secret\":\"k\"}");

      TestServer.Response r = s.post(PATH + "/test", null);

      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.data().get("channels").get("webhook (generic)").asText())
          .isEqualTo("ok: HTTP 200");
      assertThat(receiver.requests()).hasSize(1);
      assertThat(receiver.requests().get(0).text()).contains("\"job_name\":\"syncjobs-test\"");
    }
  }
}
