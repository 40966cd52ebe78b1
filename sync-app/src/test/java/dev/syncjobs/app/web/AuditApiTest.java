package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.notify.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every change through the API is on record in GET /api/v1/audit, which viewers may read. */
class AuditApiTest {
  private static final String JOBS = "/api/v1/storage/sync-jobs";
  private static final String AUDIT = "/api/v1/audit";

  @TempDir Path tmp;
  private TestServer s;

  @BeforeEach
  void start() {
    s = new TestServer(tmp);
  }

  @AfterEach
  void stop() {
    s.close();
  }

  private JsonNode entries(String query) {
    TestServer.Response r = s.send("GET", AUDIT + query, TestServer.VIEWER, null, null);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain(TestServer.ADMIN).doesNotContain(TestServer.VIEWER);
    return r.json();
  }

  /** The newest entry of {@code action}. */
  private JsonNode latest(String action) {
    for (JsonNode e : entries("?limit=100").get("data")) {
      if (e.get("action").asText().equals(action)) {
        return e;
      }
    }
    throw new AssertionError("no " + action + " entry");
  }

  private long total() {
    return entries("").get("total").asLong();
  }

  private String localJob(String name) throws Exception {
    Path src = TestServer.sourceTree(tmp.resolve("src-" + name), 2, 100);
    return s.createJob(TestServer.jobJson(name, src, name, ""));
  }

  @Test
  void job_created_updated_and_deleted_are_recorded_with_changed_fields_and_hidden_secrets() {
    TestServer.Response created =
        s.post(
            JOBS,
            "{\"name\":\"audited\",\"source_url\":\"https://example.invalid/files/\","
                + "\"source_auth\":{\"type\":\"basic\",\"username\":\"alice\","
                + "\"password\":\"first-password\"},"
                + "\"destination_backend_id\":\"default\",\"destination_path\":\"audited\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String id = created.data().get("id").asText();
    s.patch(
        JOBS + "/" + id,
        "{\"name\":\"audited-2\",\"keep_versions\":"
            + created.data().get("keep_versions")
            + ",\"max_retries\":4,\"source_auth\":{\"type\":\"basic\",\"username\":\"alice\","
            + "\"password\":\"second-password\"}}");
    s.delete(JOBS + "/" + id);

    JsonNode all = entries("?resource_type=job&resource_id=" + id);
    assertThat(all.get("total").asLong()).isEqualTo(3);
    List<String> actions = new ArrayList<>();
    all.get("data").forEach(e -> actions.add(e.get("action").asText()));
    assertThat(actions).containsExactly("job.deleted", "job.updated", "job.created");
    JsonNode updated = all.get("data").get(1);
    assertThat(updated.get("actor").asText()).isEqualTo("admin");
    assertThat(updated.get("resource_type").asText()).isEqualTo("job");
    assertThat(updated.get("resource_id").asText()).isEqualTo(id);
    assertThat(Instant.parse(updated.get("at").asText())).isNotNull();
    JsonNode changed = updated.get("details");
    assertThat(changed.get("name").asText()).isEqualTo("audited-2");
    assertThat(changed.get("max_retries").asText()).isEqualTo("4");
    assertThat(changed.get("source_auth").asText()).isEqualTo("changed");
    assertThat(changed.has("keep_versions")).as("an unchanged field").isFalse();
    assertThat(all.get("data").get(2).get("details").get("name").asText()).isEqualTo("audited");
    assertThat(all.get("data").get(0).get("details").get("job_name").asText())
        .isEqualTo("audited-2");
    assertThat(all.toString()).doesNotContain("first-password").doesNotContain("second-password");
  }

  @Test
  void a_refused_change_and_a_viewer_leave_no_entry() throws Exception {
    String id = localJob("kept");
    long before = total();

    assertThat(s.patch(JOBS + "/" + id, "{\"keep_versions\":-1}").status()).isEqualTo(400);
    assertThat(s.send("POST", JOBS + "/" + id + "/run", TestServer.VIEWER, null, null).status())
        .isEqualTo(403);
    assertThat(s.send("DELETE", JOBS + "/" + id, TestServer.VIEWER, null, null).status())
        .isEqualTo(403);

    assertThat(total()).isEqualTo(before);
  }

  @Test
  void a_run_triggered_names_the_run_and_its_job() throws Exception {
    String id = localJob("runs");
    TestServer.Response r = s.post(JOBS + "/" + id + "/run", null);
    String run = r.data().get("id").asText();
    s.awaitRunEnd(id, run, Duration.ofSeconds(30));

    JsonNode e = latest("run.triggered");
    assertThat(e.get("resource_type").asText()).isEqualTo("run");
    assertThat(e.get("resource_id").asText()).isEqualTo(run);
    assertThat(e.get("details").get("job_id").asText()).isEqualTo(id);
    assertThat(e.get("details").get("job_name").asText()).isEqualTo("runs");
  }

  @Test
  void a_run_cancelled_is_recorded() throws Exception {
    try (WebhookReceiver stalls = WebhookReceiver.hanging()) {
      String id =
          s.createJob(
              "{\"name\":\"stalled\",\"source_url\":\""
                  + stalls.url("/file.bin")
                  + "\",\"destination_backend_id\":\"default\",\"destination_path\":\"stalled\"}");
      String run = s.post(JOBS + "/" + id + "/run", null).data().get("id").asText();
      TestServer.await(
          "the source asked", Duration.ofSeconds(30), () -> !stalls.requests().isEmpty());

      TestServer.Response c = s.post(JOBS + "/" + id + "/cancel", null);
      assertThat(c.status()).as(c.body()).isEqualTo(200);

      JsonNode e = latest("run.cancelled");
      assertThat(e.get("resource_id").asText()).isEqualTo(run);
      assertThat(e.get("details").get("job_name").asText()).isEqualTo("stalled");
      s.awaitRunEnd(id, run, Duration.ofSeconds(30));
    }
  }

  @Test
  void settings_changes_are_recorded_with_secrets_as_changed() {
    s.send(
        "PUT",
        "/api/v1/sync/bandwidth/limit",
        TestServer.ADMIN,
        "{\"download_speed_limit\":1000000}",
        null);
    s.send(
        "PUT",
        "/api/v1/settings/notifications",
        TestServer.ADMIN,
        "{\"webhook_url\":\"https://hooks.example.org/a\",\"secret\":\"never-shown\"}",
        null);

    JsonNode b = entries("?resource_type=settings&resource_id=bandwidth").get("data").get(0);
    assertThat(b.get("action").asText()).isEqualTo("settings.updated");
    assertThat(b.get("details").get("download_speed_limit").asText()).isEqualTo("1000000");
    JsonNode n = entries("?resource_type=settings&resource_id=notifications").get("data").get(0);
    assertThat(n.get("details").get("secret").asText()).isEqualTo("changed");
    assertThat(n.get("details").get("webhook_url").asText())
        .isEqualTo("https://hooks.example.org/a");
    assertThat(n.toString()).doesNotContain("never-shown");
  }

  @Test
  void uploads_started_completed_and_cancelled_are_recorded() {
    UploadClient admin = new UploadClient(s.server.port(), TestServer.ADMIN);
    byte[] data = "hello, audit".getBytes(StandardCharsets.UTF_8);
    String done = admin.started("in/a.txt", data.length, 256 * 1024, UploadClient.sha256(data));
    assertThat(admin.chunk(done, 0, data).status()).isEqualTo(200);
    String dropped = admin.started("in/b.txt", 10, 256 * 1024, null);
    assertThat(
            admin
                .send("DELETE", "/api/v1/sync/upload/" + dropped, null, java.util.Map.of())
                .status())
        .isIn(200, 204);

    List<String> forDone = new ArrayList<>();
    entries("?resource_type=upload&resource_id=" + done)
        .get("data")
        .forEach(e -> forDone.add(e.get("action").asText()));
    assertThat(forDone).containsExactly("upload.completed", "upload.started");
    List<String> forDropped = new ArrayList<>();
    entries("?resource_type=upload&resource_id=" + dropped)
        .get("data")
        .forEach(e -> forDropped.add(e.get("action").asText()));
    assertThat(forDropped).containsExactly("upload.cancelled", "upload.started");
  }

  @Test
  void tus_uploads_are_recorded_like_chunked_ones() {
    UploadClient admin = new UploadClient(s.server.port(), TestServer.ADMIN);
    byte[] data = "tus audit".getBytes(StandardCharsets.UTF_8);
    String path =
        java.util.Base64.getEncoder().encodeToString("in/t.txt".getBytes(StandardCharsets.UTF_8));
    UploadClient.Response created =
        admin.send(
            "POST",
            "/api/v1/tus",
            null,
            java.util.Map.of(
                "Tus-Resumable",
                "1.0.0",
                "Upload-Length",
                Integer.toString(data.length),
                "Upload-Metadata",
                "file_path " + path));
    assertThat(created.status()).isEqualTo(201);
    String location = created.header("Location");
    String id = location.substring(location.lastIndexOf('/') + 1);
    UploadClient.Response patched =
        admin.send(
            "PATCH",
            "/api/v1/tus/" + id,
            data,
            java.util.Map.of(
                "Tus-Resumable", "1.0.0",
                "Upload-Offset", "0",
                "Content-Type", "application/offset+octet-stream"));
    assertThat(patched.status()).isEqualTo(204);

    List<String> actions = new ArrayList<>();
    entries("?resource_type=upload&resource_id=" + id)
        .get("data")
        .forEach(e -> actions.add(e.get("action").asText()));
    assertThat(actions).containsExactly("upload.completed", "upload.started");
    assertThat(latest("upload.started").get("details").get("protocol").asText()).isEqualTo("tus");
  }

  @Test
  void pages_newest_first_and_refuses_bad_parameters_naming_them() throws Exception {
    for (int i = 0; i < 3; i++) {
      localJob("page-" + i);
    }
    JsonNode page = entries("?resource_type=job&limit=2&offset=1");
    assertThat(page.get("total").asLong()).isEqualTo(3);
    assertThat(page.get("data")).hasSize(2);
    assertThat(page.get("data").get(0).get("details").get("name").asText()).isEqualTo("page-1");
    assertThat(page.get("data").get(1).get("details").get("name").asText()).isEqualTo("page-0");

    for (String bad :
        List.of("limit=0", "limit=101", "limit=x", "offset=-1", "resource_type=jobs")) {
      TestServer.Response r = s.get(AUDIT + "?" + bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.json().get("errors").get(0).get("field").asText())
          .isEqualTo(bad.substring(0, bad.indexOf('=')));
    }
    assertThat(s.send("DELETE", AUDIT, TestServer.ADMIN, null, null).status()).isIn(404, 405);
  }
}
