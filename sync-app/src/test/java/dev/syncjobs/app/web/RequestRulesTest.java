package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a request must be to be accepted, beyond the shape of its JSON (issue #16, point 8). */
class RequestRulesTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";
  @TempDir static Path tmp;
  static TestServer s;
  static Path source;
  static String manualJob;

  @BeforeAll
  static void start() throws Exception {
    source = TestServer.sourceTree(tmp.resolve("src"), 1, 10);
    s = new TestServer(tmp, java.util.Map.of("SYNCJOBS_LOCAL_SOURCE_ROOTS", source.toString()));
    manualJob = s.createJob(TestServer.jobJson("manual-one", source, "manual-one", ""));
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static List<String> fields(TestServer.Response r) {
    List<String> out = new ArrayList<>();
    r.json().get("errors").forEach(e -> out.add(e.get("field").asText()));
    return out;
  }

  static void assertProblem(TestServer.Response r, int status, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    if (field != null) {
      assertThat(fields(r)).as(r.body()).contains(field);
    }
  }

  private static TestServer.Response withoutType(String method, String path, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(s.base() + path))
            .header("Authorization", "Bearer " + TestServer.ADMIN)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> r = s.http.send(request, HttpResponse.BodyHandlers.ofString());
      return new TestServer.Response(r.statusCode(), r.body(), r);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_json_body_without_a_content_type_is_415_on_post_put_and_patch() {
    String create = TestServer.jobJson("no-type", source, "no-type", "");
    assertProblem(withoutType("POST", JOBS, create), 415, null);
    assertProblem(withoutType("PATCH", JOBS + "/" + manualJob, "{\"enabled\":false}"), 415, null);
    assertProblem(withoutType("PUT", "/api/v1/sync/bandwidth/limit", "{}"), 415, null);
    assertProblem(s.send("POST", JOBS, TestServer.ADMIN, create, "application/jsonx"), 415, null);
    assertProblem(s.send("POST", JOBS, TestServer.ADMIN, create, "text/json"), 415, null);
    assertThat(
            s.send(
                    "PATCH",
                    JOBS + "/" + manualJob,
                    TestServer.ADMIN,
                    "{\"enabled\":true}",
                    "application/json; charset=utf-8")
                .status())
        .isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:70000/",
        "https://example.org:65536/x",
        "http://127.0.0.1:0/",
        "rsync://127.0.0.1:99999/m/p",
        "ssh://u@127.0.0.1:100000/p"
      })
  void a_port_outside_1_to_65535_is_refused_naming_source_url(String url) {
    assertProblem(
        s.post(
            JOBS,
            "{\"name\":\"bad-port\",\"source_url\":\""
                + url
                + "\",\"destination_backend_id\":\"default\",\"destination_path\":\"p\"}"),
        400,
        "source_url");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        " ",
        "  /  ",
        "a/ /b",
        ".syncjobs-backend",
        ".syncjobs",
        "a/.syncjobs/b",
        "x/.syncjobs-tmp"
      })
  void a_blank_or_reserved_destination_path_is_refused(String path) {
    assertProblem(
        s.post(JOBS, TestServer.jobJson("bad-dest", source, path, "")), 400, "destination_path");
    assertProblem(
        s.patch(JOBS + "/" + manualJob, "{\"destination_path\":\"" + path + "\"}"),
        400,
        "destination_path");
  }

  @Test
  void a_schedule_field_the_schedule_does_not_use_is_refused_not_dropped() {
    assertProblem(s.patch(JOBS + "/" + manualJob, "{\"schedule_day\":3}"), 400, "schedule_day");
    assertProblem(
        s.patch(JOBS + "/" + manualJob, "{\"schedule_time\":\"03:00\"}"), 400, "schedule_time");
    assertProblem(
        s.patch(JOBS + "/" + manualJob, "{\"cron_expression\":\"0 3 * * *\"}"),
        400,
        "cron_expression");
    assertProblem(
        s.post(
            JOBS,
            TestServer.jobJson(
                "daily-day",
                source,
                "daily-day",
                "\"schedule\":\"daily\",\"schedule_time\":\"03:00\",\"schedule_day\":2")),
        400,
        "schedule_day");
    assertThat(s.patch(JOBS + "/" + manualJob, "{\"schedule_day\":null}").status()).isEqualTo(200);
    TestServer.Response weekly =
        s.patch(
            JOBS + "/" + manualJob,
            "{\"schedule\":\"weekly\",\"schedule_day\":3,\"schedule_time\":\"03:00\"}");
    assertThat(weekly.status()).as(weekly.body()).isEqualTo(200);
    assertThat(weekly.data().get("schedule_day").asInt()).isEqualTo(3);
    TestServer.Response back = s.patch(JOBS + "/" + manualJob, "{\"schedule\":\"manual\"}");
    assertThat(back.status()).as(back.body()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n",
        "-----BEGIN CERTIFICATE-----\\nbm90IGEgY2VydGlmaWNhdGU=\\n-----END CERTIFICATE-----\\n"
      })
  void a_ca_bundle_that_is_not_pem_certificates_is_refused(String pem) {
    assertProblem(
        s.post(
            JOBS,
            "{\"name\":\"bad-ca\",\"source_url\":\"https://127.0.0.1/x/\","
                + "\"destination_backend_id\":\"default\",\"destination_path\":\"bad-ca\","
                + "\"ca_bundle\":\""
                + pem
                + "\"}"),
        400,
        "ca_bundle");
  }

  @Test
  void an_empty_paging_parameter_is_refused_naming_it() {
    assertProblem(s.get(JOBS + "/" + manualJob + "/history?limit="), 400, "limit");
    assertProblem(s.get(JOBS + "/" + manualJob + "/history?offset="), 400, "offset");
    assertThat(s.get(JOBS + "/" + manualJob + "/history?limit=5").status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\r", "\n ", "\r\n x", "\u000b", "\u0001", "\u0000", "\u001f"})
  void a_bearer_header_with_cr_lf_or_another_control_character_is_refused(String control)
      throws IOException {
    for (String header :
        List.of(
            "Bearer " + TestServer.ADMIN + control,
            "Bearer " + control + TestServer.ADMIN,
            "Bearer " + TestServer.ADMIN + control + "\t")) {
      String head = raw("GET " + JOBS + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + header);
      assertThat(Integer.parseInt(head.substring(9, 12))).as(head).isIn(400, 401);
      assertThat(head).containsIgnoringCase("Content-Type: application/problem+json");
    }
    String spaced =
        raw(
            "GET "
                + JOBS
                + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer  "
                + TestServer.ADMIN
                + " \t");
    assertThat(spaced).startsWith("HTTP/1.1 200");
  }

  @ParameterizedTest
  @ValueSource(strings = {"%0D%0A", "%0D", "%0A", "%00", "%09"})
  void a_websocket_query_token_with_a_control_character_is_401(String control) throws IOException {
    String upgrade =
        " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";
    String refused =
        raw("GET /api/v1/ws/sync?access_token=" + TestServer.ADMIN + control + upgrade);
    assertThat(refused).startsWith("HTTP/1.1 401");
    String accepted = raw("GET /api/v1/ws/sync?access_token=" + TestServer.ADMIN + upgrade);
    assertThat(accepted).startsWith("HTTP/1.1 101");
  }

  /** Sends a request head over a raw socket and returns the response's head. */
  private static String raw(String head) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder response = new StringBuilder();
      for (int b; (b = in.read()) >= 0; ) {
        response.append((char) b);
        if (response.toString().endsWith("\r\n\r\n")) {
          break;
        }
      }
      return response.toString().strip();
    }
  }
}
