package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** No input makes the server answer 5xx: every malformed request is a 4xx problem+json. */
class MalformedRequestsTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";
  @TempDir static Path tmp;
  static TestServer s;
  static String jobId;
  static String src;

  @BeforeAll
  static void start() throws Exception {
    s = new TestServer(tmp);
    Path source = TestServer.sourceTree(tmp.resolve("src"), 1, 10);
    src = source.toUri().toString();
    jobId = s.createJob(TestServer.jobJson("existing", source, "existing", ""));
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  /** A valid create body with one field replaced by raw JSON. */
  static String with(String field, String rawJson) {
    StringBuilder b = new StringBuilder("{");
    String[][] base = {
      {"name", "\"good-name\""},
      {"source_url", "\"" + srcUrl() + "\""},
      {"destination_backend_id", "\"default\""},
      {"destination_path", "\"good/path\""}
    };
    boolean replaced = false;
    for (String[] kv : base) {
      if (b.length() > 1) {
        b.append(',');
      }
      if (kv[0].equals(field)) {
        b.append('"').append(field).append("\":").append(rawJson);
        replaced = true;
      } else {
        b.append('"').append(kv[0]).append("\":").append(kv[1]);
      }
    }
    if (!replaced) {
      b.append(",\"").append(field).append("\":").append(rawJson);
    }
    return b.append('}').toString();
  }

  static String srcUrl() {
    return src == null ? "file:///nonexistent-source" : src;
  }

  static Arguments post(String name, String body) {
    return Arguments.of(name, "POST", JOBS, "application/json", body);
  }

  static Arguments req(String name, String method, String path, String type, String body) {
    return Arguments.of(name, method, path, type, body);
  }

  static Stream<Arguments> cases() {
    List<Arguments> c = new ArrayList<>();
    c.add(post("truncated JSON", "{"));
    c.add(post("array body", "[]"));
    c.add(post("string body", "\"job\""));
    c.add(post("null body", "null"));
    c.add(post("empty body", ""));
    c.add(post("trailing garbage", "{}x"));
    c.add(post("duplicate key", "{\"name\":\"a-job\",\"name\":\"b-job\"}"));
    c.add(post("name is a number", with("name", "42")));
    c.add(post("name is null", with("name", "null")));
    c.add(post("name too long", with("name", "\"" + "a".repeat(101) + "\"")));
    c.add(post("name with a space", with("name", "\"bad name\"")));
    c.add(post("name not ascii", with("name", "\"jöb-name\"")));
    c.add(post("name is an object", with("name", "{\"x\":1}")));
    c.add(post("source_url is a number", with("source_url", "1")));
    c.add(post("source_url with credentials", with("source_url", "\"http://u:p@host/x\"")));
    c.add(post("source_url with a query", with("source_url", "\"http://host/x?a=1\"")));
    c.add(post("source_url relative file", with("source_url", "\"file:relative/path\"")));
    c.add(post("source_url control char", with("source_url", "\"http://host/\\u0001\"")));
    c.add(
        post("source_url very long", with("source_url", "\"http://h/" + "x".repeat(3000) + "\"")));
    c.add(post("source_url unknown scheme", with("source_url", "\"gopher://h/x\"")));
    c.add(post("source_url not a url", with("source_url", "\"http://exa mple/ x\"")));
    c.add(post("rsync url without module", with("source_url", "\"rsync://host/\"")));
    c.add(post("destination_path backslash", with("destination_path", "\"a\\\\b\"")));
    c.add(
        post("destination_path too long", with("destination_path", "\"" + "p".repeat(501) + "\"")));
    c.add(post("destination_path dot-dot", with("destination_path", "\"a/../../etc\"")));
    c.add(post("destination_path only slashes", with("destination_path", "\"///\"")));
    c.add(post("destination_path control char", with("destination_path", "\"a\\nb\"")));
    c.add(post("unknown backend", with("destination_backend_id", "\"nope\"")));
    c.add(post("schedule unknown", with("schedule", "\"sometimes\"")));
    c.add(post("daily without time", with("schedule", "\"daily\"")));
    c.add(
        post(
            "time without leading zero", with("schedule", "\"daily\",\"schedule_time\":\"3:00\"")));
    c.add(post("time 24:00", with("schedule", "\"daily\",\"schedule_time\":\"24:00\"")));
    c.add(
        post(
            "weekly day 7",
            with("schedule", "\"weekly\",\"schedule_day\":7,\"schedule_time\":\"01:00\"")));
    c.add(
        post(
            "monthly day 0",
            with("schedule", "\"monthly\",\"schedule_day\":0,\"schedule_time\":\"01:00\"")));
    c.add(post("cron garbage", with("schedule", "\"cron\",\"cron_expression\":\"x y z\"")));
    c.add(
        post("cron never fires", with("schedule", "\"cron\",\"cron_expression\":\"0 0 30 2 *\"")));
    c.add(post("cron missing", with("schedule", "\"cron\"")));
    c.add(post("unknown zone", with("timezone", "\"Mars/Olympus\"")));
    c.add(post("zone is a number", with("timezone", "5")));
    c.add(post("keep_versions negative", with("keep_versions", "-1")));
    c.add(post("keep_versions fraction", with("keep_versions", "1.5")));
    c.add(post("keep_versions string", with("keep_versions", "\"3\"")));
    c.add(post("keep_versions huge", with("keep_versions", "99999999999999999999")));
    c.add(post("max_retries 11", with("max_retries", "11")));
    c.add(post("max_delete_percent 101", with("max_delete_percent", "101")));
    c.add(post("bandwidth_limit zero", with("bandwidth_limit", "0")));
    c.add(post("bandwidth_limit 1e30", with("bandwidth_limit", "1e30")));
    c.add(post("enabled is a string", with("enabled", "\"yes\"")));
    c.add(post("verify_checksums is a number", with("verify_checksums", "1")));
    c.add(post("filters not a list", with("filters", "\"- *.tmp\"")));
    c.add(post("filter without sign", with("filters", "[\"*.tmp\"]")));
    c.add(post("filter is a number", with("filters", "[1]")));
    c.add(post("source_auth is a string", with("source_auth", "\"secret\"")));
    c.add(post("source_auth unknown type", with("source_auth", "{\"type\":\"kerberos\"}")));
    c.add(
        post(
            "basic auth without password",
            with("source_auth", "{\"type\":\"basic\",\"username\":\"u\"}")));
    c.add(
        post(
            "source_auth unknown field",
            with("source_auth", "{\"type\":\"bearer\",\"token\":\"t\",\"x\":1}")));
    c.add(
        post(
            "bearer auth on a file source",
            with("source_auth", "{\"type\":\"bearer\",\"token\":\"t\"}")));
    c.add(post("ca_bundle not PEM", with("ca_bundle", "\"hello\"")));
    c.add(post("unknown field", with("foo", "1")));
    c.add(
        post("ca_bundle with a NUL", with("ca_bundle", "\"-----BEGIN CERTIFICATE-----\\u0000\"")));
    c.add(
        post(
            "cron with a NUL",
            with("schedule", "\"cron\",\"cron_expression\":\"0 3 * * *\\u0000\"")));
    c.add(
        post(
            "credential with a NUL",
            with("source_auth", "{\"type\":\"bearer\",\"token\":\"a\\u0000b\"}")));
    c.add(post("read-only field", with("status", "\"synced\"")));
    c.add(post("misfire policy unknown", with("misfire_policy", "\"never\"")));
    c.add(post("include pattern control char", with("include_pattern", "\"a\\u0007\"")));
    c.add(post("deeply nested", with("filters", "[".repeat(200) + "]".repeat(200))));
    c.add(post("100-digit number", with("keep_versions", "1" + "0".repeat(99))));
    c.add(req("text/plain body", "POST", JOBS, "text/plain", "{}"));
    c.add(
        req(
            "body over 1 MiB",
            "POST",
            JOBS,
            "application/json",
            "{\"name\":\"" + "a".repeat(1_100_000) + "\"}"));
    c.add(req("patch with a bad uuid", "PATCH", JOBS + "/1234", "application/json", "{}"));
    c.add(
        req(
            "patch with invalid JSON",
            "PATCH",
            JOBS + "/{job}",
            "application/json",
            "{\"enabled\":"));
    c.add(
        req(
            "patch a read-only field",
            "PATCH",
            JOBS + "/{job}",
            "application/json",
            "{\"id\":\"x\"}"));
    c.add(
        req("patch name to null", "PATCH", JOBS + "/{job}", "application/json", "{\"name\":null}"));
    c.add(
        req(
            "patch schedule to weekly without day",
            "PATCH",
            JOBS + "/{job}",
            "application/json",
            "{\"schedule\":\"weekly\",\"schedule_time\":\"01:00\"}"));
    c.add(req("history negative limit", "GET", JOBS + "/{job}/history?limit=-5", null, null));
    c.add(
        req(
            "history limit beyond int",
            "GET",
            JOBS + "/{job}/history?limit=99999999999",
            null,
            null));
    c.add(req("history offset text", "GET", JOBS + "/{job}/history?offset=ten", null, null));
    c.add(req("job list bad status", "GET", JOBS + "?status=%00", null, null));
    c.add(req("run with bad uuid", "POST", JOBS + "/zzz/run", null, null));
    c.add(req("cancel with bad uuid", "POST", JOBS + "/zzz/cancel", null, null));
    c.add(req("run lookup bad run uuid", "GET", JOBS + "/{job}/runs/not-a-run", null, null));
    c.add(req("log with bad run uuid", "GET", JOBS + "/{job}/runs/%2e%2e/log", null, null));
    c.add(
        req(
            "versions with bad uuid",
            "GET",
            JOBS + "/00000000-0000-0000-0000-00000000000g/versions",
            null,
            null));
    c.add(req("unknown api path", "GET", "/api/v1/nothing-here", null, null));
    c.add(req("method not allowed", "PUT", JOBS, "application/json", "{}"));
    c.add(
        req(
            "bandwidth limit is a string",
            "PUT",
            "/api/v1/sync/bandwidth/limit",
            "application/json",
            "{\"download_speed_limit\":\"fast\"}"));
    c.add(
        req(
            "bandwidth hour 25",
            "PUT",
            "/api/v1/sync/bandwidth/limit",
            "application/json",
            "{\"throttle_start_hour\":25}"));
    c.add(
        req(
            "bandwidth array body",
            "PUT",
            "/api/v1/sync/bandwidth/limit",
            "application/json",
            "[1,2]"));
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void malformed_requests_are_4xx_problem_json(
      String name, String method, String path, String type, String body) {
    TestServer.Response r =
        s.send(method, path.replace("{job}", jobId), TestServer.ADMIN, body, type);
    assertThat(r.status()).as(name + ": " + r.body()).isBetween(400, 499);
    assertThat(r.contentType()).as(name).startsWith("application/problem+json");
    JsonNode p = r.json();
    assertThat(p.get("status").asInt()).isEqualTo(r.status());
    assertThat(p.get("title").asText()).isNotBlank();
    assertThat(p.get("detail").asText()).isNotBlank();
    assertThat(p.get("errors").isArray()).isTrue();
    if (r.status() == 400) {
      assertThat(p.get("errors").size()).as(name + " names a field").isPositive();
    }
  }

  @org.junit.jupiter.api.Test
  void a_chunked_body_over_the_limit_is_413() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.server.port())) {
      socket.setSoTimeout(20_000);
      java.io.OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + JOBS
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + TestServer.ADMIN
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      Thread writer =
          new Thread(
              () -> {
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                try {
                  for (int i = 0; i < 48; i++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes());
                    out.write(chunk);
                    out.write("\r\n".getBytes());
                  }
                  out.write("0\r\n\r\n".getBytes());
                  out.flush();
                } catch (java.io.IOException expected) {
                  // the server answered and closed before the whole body was sent
                }
              });
      writer.setDaemon(true);
      writer.start();
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
      String status = in.readLine();
      assertThat(status).startsWith("HTTP/1.1 413");
      String line;
      boolean problem = false;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        problem |=
            line.toLowerCase(java.util.Locale.ROOT)
                .startsWith("content-type: application/problem+json");
      }
      assertThat(problem).isTrue();
    }
  }

  @org.junit.jupiter.api.Test
  void the_table_has_at_least_fifty_cases() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(50);
  }
}
