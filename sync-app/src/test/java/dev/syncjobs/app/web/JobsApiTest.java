package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.metrics.PrometheusText;
import dev.syncjobs.core.model.StorageBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every job and backend endpoint over real HTTP: success and error paths. */
class JobsApiTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";
  @TempDir static Path tmp;
  static TestServer s;
  static Path src;
  static Path offlineRoot;

  @BeforeAll
  static void start() throws Exception {
    src = TestServer.sourceTree(tmp.resolve("src"), 4, 10_000);
    offlineRoot = Files.createDirectories(tmp.resolve("share"));
    s =
        new TestServer(
            tmp,
            Map.of(
                "SYNCJOBS_BACKENDS",
                "default=" + tmp.resolve("data/storage") + ",share=" + offlineRoot));
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @Test
  void lists_backends_with_status_and_free_space_and_an_unadopted_root_is_offline() {
    TestServer.Response r = s.get("/api/v1/storage/backends");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("total").asInt()).isEqualTo(2);
    JsonNode def = r.data().get(0);
    assertThat(def.get("id").asText()).isEqualTo("default");
    assertThat(def.get("name").asText()).isEqualTo("default");
    assertThat(def.get("status").asText()).isEqualTo("online");
    assertThat(def.get("free_bytes").asLong()).isPositive();
    assertThat(def.get("mount_point").asText()).endsWith("storage");
    assertThat(tmp.resolve("data/storage").resolve(StorageBackend.MARKER)).exists();
    JsonNode share = r.data().get(1);
    assertThat(share.get("status").asText()).isEqualTo("offline");
  }

  @Test
  void creates_a_job_with_the_api_defaults_and_reads_it_back() {
    TestServer.Response r = s.post(JOBS, jobJson("defaults-job", src, "defaults", ""));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.contentType()).startsWith("application/json");
    JsonNode j = r.data();
    assertThat(UUID.fromString(j.get("id").asText())).isNotNull();
    assertThat(j.get("schedule").asText()).isEqualTo("manual");
    assertThat(j.get("verify_checksums").asBoolean()).isTrue();
    assertThat(j.get("compare_checksums").asBoolean()).isFalse();
    assertThat(j.get("delete_removed").asBoolean()).isTrue();
    assertThat(j.get("max_delete_percent").asInt()).isEqualTo(50);
    assertThat(j.get("keep_versions").asInt()).isEqualTo(3);
    assertThat(j.get("max_retries").asInt()).isEqualTo(2);
    assertThat(j.get("enabled").asBoolean()).isTrue();
    assertThat(j.get("misfire_policy").asText()).isEqualTo("run_once");
    assertThat(j.get("status").asText()).isEqualTo("idle");
    assertThat(j.get("timezone").asText()).isEqualTo("UTC");
    assertThat(j.get("filters").size()).isZero();
    assertThat(j.get("destination_backend_name").asText()).isEqualTo("default");
    assertThat(r.json().get("message").asText()).isNotBlank();

    TestServer.Response got = s.get(JOBS + "/" + j.get("id").asText());
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.data()).isEqualTo(j);
  }

  @Test
  void credentials_are_write_only_responses_show_type_and_username() throws Exception {
    TestServer.Response r =
        s.post(
            JOBS,
            "{\"name\":\"secret-job\",\"source_url\":\"https://example.invalid/files/\","
                + "\"source_auth\":{\"type\":\"basic\",\"username\":\"alice\","
                + "\"password\":\"hunter2-very-secret\"},"
                + "\"destination_backend_id\":\"default\",\"destination_path\":\"secret\","
                + "\"schedule\":\"daily\",\"schedule_time\":\"03:30\",\"timezone\":\"Europe/Berlin\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.body()).doesNotContain("hunter2");
    assertThat(r.data().get("source_auth").get("type").asText()).isEqualTo("basic");
    assertThat(r.data().get("source_auth").get("username").asText()).isEqualTo("alice");
    assertThat(r.data().get("source_auth").has("password")).isFalse();
    assertThat(r.data().get("next_run_at").asText()).isNotEmpty();
    assertThat(r.data().get("schedule_time").asText()).isEqualTo("03:30");
    String id = r.data().get("id").asText();
    assertThat(s.get(JOBS).body()).doesNotContain("hunter2");
    TestServer.Response patched = s.patch(JOBS + "/" + id, "{\"keep_versions\":5}");
    assertThat(patched.data().get("source_auth").get("username").asText()).isEqualTo("alice");
    try (var files = Files.list(s.dataDir)) {
      for (Path f :
          files.filter(f -> f.getFileName().toString().startsWith("syncjobs.db")).toList()) {
        assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
            .as("stored encrypted in " + f.getFileName())
            .doesNotContain("hunter2");
      }
    }
    assertThat(s.dataDir.resolve("syncjobs.db")).exists();
    TestServer.Response removed = s.patch(JOBS + "/" + id, "{\"source_auth\":null}");
    assertThat(removed.data().get("source_auth").isNull()).isTrue();
  }

  @Test
  void validation_names_every_bad_field_at_once() {
    TestServer.Response r =
        s.post(
            JOBS,
            "{\"name\":\"-x\",\"source_url\":\"ftp://host/x\",\"destination_backend_id\":\"nope\","
                + "\"destination_path\":\"a/../b\",\"schedule\":\"weekly\",\"schedule_time\":\"25:00\","
                + "\"keep_versions\":11,\"max_delete_percent\":101,\"timezone\":\"Mars/Base\","
                + "\"filters\":[\"* nope\"],\"misfire_policy\":\"later\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(fields(r))
        .contains(
            "name",
            "source_url",
            "destination_backend_id",
            "destination_path",
            "schedule_day",
            "schedule_time",
            "keep_versions",
            "max_delete_percent",
            "timezone",
            "filters",
            "misfire_policy");
  }

  @Test
  void missing_required_fields_are_named() {
    TestServer.Response r = s.post(JOBS, "{}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(fields(r))
        .contains("name", "source_url", "destination_backend_id", "destination_path");
  }

  @Test
  void duplicate_names_ignoring_case_and_overlapping_destinations_are_conflicts() {
    s.createJob(jobJson("Unique-Name", src, "unique", ""));
    TestServer.Response dup = s.post(JOBS, jobJson("unique-name", src, "other", ""));
    assertThat(dup.status()).isEqualTo(409);
    assertThat(fields(dup)).containsExactly("name");
    TestServer.Response inside = s.post(JOBS, jobJson("inside-job", src, "unique/deeper", ""));
    assertThat(inside.status()).isEqualTo(409);
    assertThat(fields(inside)).containsExactly("destination_path");
    TestServer.Response around = s.post(JOBS, jobJson("around-job", src, "/", ""));
    assertThat(around.status()).isEqualTo(400);
  }

  @Test
  void unknown_and_malformed_ids_are_404_and_400() {
    String unknown = UUID.randomUUID().toString();
    assertThat(s.get(JOBS + "/" + unknown).status()).isEqualTo(404);
    assertThat(s.patch(JOBS + "/" + unknown, "{\"enabled\":false}").status()).isEqualTo(404);
    assertThat(s.delete(JOBS + "/" + unknown).status()).isEqualTo(404);
    assertThat(s.post(JOBS + "/" + unknown + "/run", null).status()).isEqualTo(404);
    assertThat(s.post(JOBS + "/" + unknown + "/cancel", null).status()).isEqualTo(404);
    assertThat(s.get(JOBS + "/" + unknown + "/history").status()).isEqualTo(404);
    assertThat(s.get(JOBS + "/" + unknown + "/versions").status()).isEqualTo(404);
    assertThat(s.get(JOBS + "/" + unknown + "/runs/" + unknown).status()).isEqualTo(404);
    assertThat(s.get(JOBS + "/" + unknown + "/runs/" + unknown + "/log").status()).isEqualTo(404);
    TestServer.Response bad = s.get(JOBS + "/not-a-uuid");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(fields(bad)).containsExactly("id");
  }

  @Test
  void lists_jobs_filtered_by_status_and_backend() {
    String id = s.createJob(jobJson("filter-me", src, "filter-me", ""));
    JsonNode all = s.get(JOBS).json();
    assertThat(all.get("total").asInt()).isEqualTo(all.get("data").size());
    assertThat(ids(s.get(JOBS + "?status=idle").data())).contains(id);
    assertThat(ids(s.get(JOBS + "?status=synced").data())).doesNotContain(id);
    assertThat(ids(s.get(JOBS + "?backend_id=default").data())).contains(id);
    assertThat(s.get(JOBS + "?backend_id=share").data().size()).isZero();
    assertThat(s.get(JOBS + "?status=sleeping").status()).isEqualTo(400);
  }

  @Test
  void patch_changes_only_the_given_fields_and_replans_the_schedule() {
    String id = s.createJob(jobJson("patch-me", src, "patch-me", "\"keep_versions\":4"));
    TestServer.Response r =
        s.patch(
            JOBS + "/" + id,
            "{\"name\":\"patched\",\"schedule\":\"cron\",\"cron_expression\":\"0 3 * * 1-5\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.data().get("name").asText()).isEqualTo("patched");
    assertThat(r.data().get("keep_versions").asInt()).isEqualTo(4);
    assertThat(r.data().get("cron_expression").asText()).isEqualTo("0 3 * * 1-5");
    assertThat(r.data().get("next_run_at").isNull()).isFalse();
    TestServer.Response bad = s.patch(JOBS + "/" + id, "{\"cron_expression\":\"0 0 31 2 *\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(fields(bad)).contains("cron_expression");
    TestServer.Response off = s.patch(JOBS + "/" + id, "{\"enabled\":false}");
    assertThat(off.data().get("next_run_at").isNull()).isTrue();
  }

  @Test
  void a_run_publishes_a_version_with_history_log_and_versions() {
    String id = s.createJob(jobJson("run-me", src, "run-me", ""));
    TestServer.Response started = s.post(JOBS + "/" + id + "/run", null);
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    assertThat(started.data().get("status").asText()).isEqualTo("pending");
    assertThat(started.data().get("trigger").asText()).isEqualTo("manual");
    String runId = started.data().get("id").asText();
    JsonNode run = s.awaitRunEnd(id, runId, Duration.ofSeconds(30));
    assertThat(run.get("status").asText()).isEqualTo("success");
    assertThat(run.get("files_synced").asInt()).isEqualTo(4);
    assertThat(run.get("bytes_transferred").asLong()).isEqualTo(40_000);
    assertThat(run.get("progress_percent").asDouble()).isEqualTo(100.0);
    assertThat(run.get("instance_id").asText()).isNotEmpty();
    String version = run.get("version").asText();

    JsonNode history = s.get(JOBS + "/" + id + "/history").json();
    assertThat(history.get("total").asInt()).isEqualTo(1);
    assertThat(history.get("data").get(0).get("id").asText()).isEqualTo(runId);

    TestServer.Response log = s.get(JOBS + "/" + id + "/runs/" + runId + "/log");
    assertThat(log.status()).isEqualTo(200);
    assertThat(log.contentType()).startsWith("text/plain");
    assertThat(log.body()).contains("published " + version);

    JsonNode versions = s.get(JOBS + "/" + id + "/versions").json();
    assertThat(versions.get("total").asInt()).isEqualTo(1);
    JsonNode v = versions.get("data").get(0);
    assertThat(v.get("name").asText()).isEqualTo(version);
    assertThat(v.get("current").asBoolean()).isTrue();
    assertThat(v.get("files").asInt()).isEqualTo(4);
    assertThat(v.get("bytes").asLong()).isEqualTo(40_000);
    assertThat(v.get("created_at").asText()).endsWith("Z");

    JsonNode job = s.get(JOBS + "/" + id).data();
    assertThat(job.get("status").asText()).isEqualTo("synced");
    assertThat(job.get("last_run_at").isNull()).isFalse();
    assertThat(job.get("average_duration_seconds").isNumber()).isTrue();
    assertThat(tmp.resolve("data/storage/run-me/current/f0.bin")).exists();
  }

  @Test
  void run_of_another_job_is_not_found() {
    String a = s.createJob(jobJson("owner-a", src, "owner-a", ""));
    String b = s.createJob(jobJson("owner-b", src, "owner-b", ""));
    String runId = s.post(JOBS + "/" + a + "/run", null).data().get("id").asText();
    s.awaitRunEnd(a, runId, Duration.ofSeconds(30));
    assertThat(s.get(JOBS + "/" + b + "/runs/" + runId).status()).isEqualTo(404);
    assertThat(s.get(JOBS + "/" + b + "/runs/" + runId + "/log").status()).isEqualTo(404);
  }

  @Test
  void history_pages_newest_first_and_rejects_bad_paging() {
    String id = s.createJob(jobJson("paged", src, "paged", ""));
    String first = s.post(JOBS + "/" + id + "/run", null).data().get("id").asText();
    s.awaitRunEnd(id, first, Duration.ofSeconds(30));
    String second = s.post(JOBS + "/" + id + "/run", null).data().get("id").asText();
    s.awaitRunEnd(id, second, Duration.ofSeconds(30));
    JsonNode page = s.get(JOBS + "/" + id + "/history?limit=1&offset=0").json();
    assertThat(page.get("total").asInt()).isEqualTo(2);
    assertThat(page.get("data").size()).isEqualTo(1);
    assertThat(page.get("data").get(0).get("id").asText()).isEqualTo(second);
    JsonNode next = s.get(JOBS + "/" + id + "/history?limit=1&offset=1").json();
    assertThat(next.get("data").get(0).get("id").asText()).isEqualTo(first);
    for (String q : new String[] {"limit=0", "limit=101", "offset=-1", "limit=abc", "offset=1e3"}) {
      TestServer.Response r = s.get(JOBS + "/" + id + "/history?" + q);
      assertThat(r.status()).as(q).isEqualTo(400);
    }
  }

  @Test
  void a_second_run_while_one_is_active_is_409_and_cancel_stops_it() throws Exception {
    Path big = Files.createDirectories(tmp.resolve("slow-src"));
    Files.write(big.resolve("big.bin"), new byte[2_000_000]);
    String id =
        s.createJob(
            jobJson("slow-job", big, "slow", "\"bandwidth_limit\":200000,\"max_retries\":0"));
    String runId = s.post(JOBS + "/" + id + "/run", null).data().get("id").asText();
    TestServer.Response again = s.post(JOBS + "/" + id + "/run", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.contentType()).startsWith("application/problem+json");
    TestServer.await(
        "the run to start",
        Duration.ofSeconds(10),
        () ->
            s.get(JOBS + "/" + id + "/runs/" + runId)
                .data()
                .get("status")
                .asText()
                .equals("running"));
    TestServer.Response locked = s.patch(JOBS + "/" + id, "{\"destination_path\":\"elsewhere\"}");
    assertThat(locked.status()).isEqualTo(409);
    TestServer.Response allowed =
        s.patch(JOBS + "/" + id, "{\"max_retries\":1,\"name\":\"slow-2\"}");
    assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
    TestServer.Response cancel = s.post(JOBS + "/" + id + "/cancel", null);
    assertThat(cancel.status()).isEqualTo(200);
    assertThat(cancel.data().get("cancelled").asBoolean()).isTrue();
    JsonNode run = s.awaitRunEnd(id, runId, Duration.ofSeconds(15));
    assertThat(run.get("status").asText()).isEqualTo("cancelled");
    TestServer.Response nothing = s.post(JOBS + "/" + id + "/cancel", null);
    assertThat(nothing.status()).isEqualTo(409);
  }

  @Test
  void delete_cancels_the_active_run_and_keeps_the_synced_data() throws Exception {
    Path big = Files.createDirectories(tmp.resolve("del-src"));
    Files.write(big.resolve("a.bin"), new byte[1000]);
    String id = s.createJob(jobJson("delete-me", big, "delete-me", ""));
    String runId = s.post(JOBS + "/" + id + "/run", null).data().get("id").asText();
    s.awaitRunEnd(id, runId, Duration.ofSeconds(30));
    Files.write(big.resolve("b.bin"), new byte[1_000_000]);
    s.patch(JOBS + "/" + id, "{\"bandwidth_limit\":100000}");
    s.post(JOBS + "/" + id + "/run", null);
    TestServer.Response del = s.delete(JOBS + "/" + id);
    assertThat(del.status()).isEqualTo(200);
    assertThat(del.data().get("id").asText()).isEqualTo(id);
    assertThat(s.get(JOBS + "/" + id).status()).isEqualTo(404);
    assertThat(tmp.resolve("data/storage/delete-me/current/a.bin")).exists();
  }

  @Test
  void a_job_on_an_offline_backend_is_refused_at_create_naming_the_backend() {
    TestServer.Response r =
        s.post(
            JOBS,
            "{\"name\":\"unadopted-job\",\"source_url\":\""
                + src.toUri()
                + "\",\"destination_backend_id\":\"share\",\"destination_path\":\"x\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.body()).contains("destination_backend_id").contains(StorageBackend.MARKER);
  }

  @Test
  void a_run_on_a_backend_that_went_offline_is_400() throws Exception {
    Path marker = offlineRoot.resolve(StorageBackend.MARKER);
    Files.createFile(marker);
    try {
      String id =
          s.createJob(
              "{\"name\":\"offline-job\",\"source_url\":\""
                  + src.toUri()
                  + "\",\"destination_backend_id\":\"share\",\"destination_path\":\"x\"}");
      Files.delete(marker);
      TestServer.Response r = s.post(JOBS + "/" + id + "/run", null);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().get("detail").asText()).contains("offline");
    } finally {
      Files.deleteIfExists(marker);
    }
  }

  @Test
  void local_sources_inside_the_data_dir_or_a_backend_are_rejected() {
    for (Path p :
        new Path[] {tmp.resolve("data"), tmp.resolve("data/storage/x"), offlineRoot, tmp}) {
      TestServer.Response r =
          s.post(JOBS, jobJson("local-" + Math.abs(p.hashCode()), p, "l" + p.hashCode(), ""));
      assertThat(r.status()).as(p.toString()).isEqualTo(400);
      assertThat(fields(r)).containsExactly("source_url");
    }
  }

  @Test
  void bandwidth_settings_round_trip_and_are_validated() {
    TestServer.Response initial = s.get("/api/v1/sync/bandwidth/limit");
    assertThat(initial.status()).isEqualTo(200);
    assertThat(initial.data().has("download_speed_limit")).isTrue();
    TestServer.Response put =
        s.send(
            "PUT",
            "/api/v1/sync/bandwidth/limit",
            TestServer.ADMIN,
            "{\"upload_speed_limit\":1000,\"download_speed_limit\":5000000,"
                + "\"throttle_enabled\":true,\"throttle_start_hour\":22,\"throttle_end_hour\":6}",
            null);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    JsonNode now = s.get("/api/v1/sync/bandwidth/limit").data();
    assertThat(now.get("download_speed_limit").asLong()).isEqualTo(5_000_000);
    assertThat(now.get("throttle_start_hour").asInt()).isEqualTo(22);
    assertThat(s.server.runtime().settings().bandwidth().downloadLimit()).isEqualTo(5_000_000L);
    assertThat(s.server.runtime().bandwidth().settings().uploadLimit()).isEqualTo(1000L);
    assertThat(s.dataDir.resolve("bandwidth.json")).doesNotExist();
    TestServer.Response bad =
        s.send(
            "PUT",
            "/api/v1/sync/bandwidth/limit",
            TestServer.ADMIN,
            "{\"download_speed_limit\":-1,\"throttle_start_hour\":24,\"speed\":1}",
            null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(fields(bad)).contains("download_speed_limit", "throttle_start_hour", "speed");
    s.send("PUT", "/api/v1/sync/bandwidth/limit", TestServer.ADMIN, "{}", null);
  }

  @Test
  void health_reports_database_scheduler_and_backends_without_a_token() {
    TestServer.await(
        "a scheduler tick",
        Duration.ofSeconds(5),
        () -> s.server.runtime().scheduler().lastTick() != null);
    TestServer.Response r = s.send("GET", "/health", null, null, null);
    assertThat(r.status()).isEqualTo(503);
    JsonNode h = r.json();
    assertThat(h.get("database").asText()).isEqualTo("ok");
    assertThat(h.get("scheduler").asText()).isEqualTo("ok");
    assertThat(h.get("backends").get("default").asText()).isEqualTo("online");
    assertThat(h.get("backends").get("share").asText()).isEqualTo("offline");
    assertThat(h.get("status").asText()).isEqualTo("degraded");
  }

  @Test
  void metrics_need_a_token_and_speak_prometheus_text() {
    assertThat(s.send("GET", "/metrics", null, null, null).status()).isEqualTo(401);
    TestServer.Response r = s.send("GET", "/metrics", TestServer.VIEWER, null, null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/plain");
    PrometheusText m = PrometheusText.parse(r.body());
    assertThat(m.value("syncjobs_backend_online", "backend", "default")).isEqualTo(1);
    assertThat(m.value("syncjobs_active_runs")).isZero();
  }

  @Test
  void the_web_page_is_served_without_a_token() {
    TestServer.Response page = s.send("GET", "/", null, null, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    assertThat(page.body()).contains("<title>syncjobs</title>");
    assertThat(s.send("GET", "/app.js", null, null, null).status()).isEqualTo(200);
  }

  @Test
  void the_chart_library_is_served_from_its_webjar_at_the_version_the_pom_pins() {
    TestServer.Response where = s.send("GET", "/webjars.js", null, null, null);
    assertThat(where.status()).isEqualTo(200);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("'(/webjars/uplot/[0-9.]+/dist/)'").matcher(where.body());
    assertThat(m.find()).as(where.body()).isTrue();
    TestServer.Response lib = s.send("GET", m.group(1) + "uPlot.iife.min.js", null, null, null);
    assertThat(lib.status()).isEqualTo(200);
    assertThat(lib.body()).contains("uPlot");
    assertThat(s.send("GET", m.group(1) + "uPlot.min.css", null, null, null).status())
        .isEqualTo(200);
  }

  static java.util.List<String> fields(TestServer.Response r) {
    java.util.List<String> out = new java.util.ArrayList<>();
    r.json().get("errors").forEach(e -> out.add(e.get("field").asText()));
    return out;
  }

  static java.util.List<String> ids(JsonNode list) {
    java.util.List<String> out = new java.util.ArrayList<>();
    list.forEach(j -> out.add(j.get("id").asText()));
    return out;
  }
}
