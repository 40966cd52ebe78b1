package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where sources may point, end to end through the server: file:// roots checked when a job is saved
 * and when each run starts, credentials bound to the source's origin, denied networks.
 */
class SourceConfinementApiTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";

  @TempDir Path tmp;

  private static Map<String, String> env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private static JsonNode run(TestServer s, String id) {
    TestServer.Response started = s.post(JOBS + "/" + id + "/run", null);
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    return s.awaitRunEnd(id, started.data().get("id").asText(), Duration.ofSeconds(30));
  }

  private static String detail(TestServer.Response r) {
    return r.json().get("errors").toString();
  }

  private static boolean anyFileNamed(Path root, String name) throws IOException {
    if (!Files.exists(root)) {
      return false;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.anyMatch(p -> p.getFileName().toString().equals(name));
    }
  }

  @Test
  void without_roots_the_server_refuses_file_sources_naming_the_setting() throws IOException {
    Path src = TestServer.sourceTree(tmp.resolve("src"), 1, 10);
    try (TestServer s = new TestServer(tmp, env("SYNCJOBS_LOCAL_SOURCE_ROOTS", null))) {
      TestServer.Response r = s.post(JOBS, TestServer.jobJson("local", src, "local", ""));
      assertThat(r.status()).isEqualTo(400);
      assertThat(JobsApiTest.fields(r)).containsExactly("source_url");
      assertThat(detail(r)).contains("SYNCJOBS_LOCAL_SOURCE_ROOTS");
    }
  }

  @Test
  void a_symlink_swapped_into_the_source_between_runs_stops_the_second_run() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path real = TestServer.sourceTree(in.resolve("real"), 2, 100);
    Path link = Files.createSymbolicLink(in.resolve("link"), real);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("outside-secret.txt"), "not for mirroring");
    try (TestServer s = new TestServer(tmp, env("SYNCJOBS_LOCAL_SOURCE_ROOTS", in.toString()))) {
      String id = s.createJob(TestServer.jobJson("swapped", link, "swapped", ""));
      assertThat(run(s, id).get("status").asText()).isEqualTo("success");

      Files.delete(link);
      Files.createSymbolicLink(link, s.dataDir);
      JsonNode second = run(s, id);
      assertThat(second.get("status").asText()).isEqualTo("failed");
      assertThat(second.get("error").asText()).contains("data dir").contains(link.toString());

      Files.delete(link);
      Files.createSymbolicLink(link, outside);
      JsonNode third = run(s, id);
      assertThat(third.get("status").asText()).isEqualTo("failed");
      assertThat(third.get("error").asText())
          .contains("SYNCJOBS_LOCAL_SOURCE_ROOTS")
          .contains(outside.toRealPath().toString());

      assertThat(s.get(JOBS + "/" + id + "/versions").json().get("total").asInt()).isEqualTo(1);
      Path storage = s.dataDir.resolve("storage");
      assertThat(anyFileNamed(storage, "secret.key")).isFalse();
      assertThat(anyFileNamed(storage, "syncjobs.db")).isFalse();
      assertThat(anyFileNamed(storage, "outside-secret.txt")).isFalse();
    }
  }

  @Test
  void a_job_saved_before_the_roots_were_narrowed_stops_running_outside_them() throws IOException {
    Path old = TestServer.sourceTree(tmp.resolve("old/src"), 2, 100);
    Path narrow = Files.createDirectories(tmp.resolve("new"));
    String id;
    try (TestServer s = new TestServer(tmp, env("SYNCJOBS_LOCAL_SOURCE_ROOTS", tmp.toString()))) {
      id = s.createJob(TestServer.jobJson("narrowed", old, "narrowed", ""));
      assertThat(run(s, id).get("status").asText()).isEqualTo("success");
    }
    Files.writeString(old.resolve("added-later.txt"), "must not be copied");
    try (TestServer s =
        new TestServer(tmp, env("SYNCJOBS_LOCAL_SOURCE_ROOTS", narrow.toString()))) {
      JsonNode refused = run(s, id);
      assertThat(refused.get("status").asText()).isEqualTo("failed");
      assertThat(refused.get("error").asText())
          .contains("SYNCJOBS_LOCAL_SOURCE_ROOTS")
          .contains(narrow.toString());
      assertThat(s.get(JOBS + "/" + id + "/versions").json().get("total").asInt()).isEqualTo(1);
      assertThat(anyFileNamed(s.dataDir.resolve("storage"), "added-later.txt")).isFalse();

      TestServer.Response disabled = s.patch(JOBS + "/" + id, "{\"enabled\":false}");
      assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    }
  }

  @Test
  void moving_the_source_to_another_origin_needs_the_credentials_again() {
    try (TestServer s = new TestServer(tmp)) {
      String id =
          s.createJob(
              "{\"name\":\"creds\",\"source_url\":\"http://127.0.0.1:9/pub/\","
                  + "\"source_auth\":{\"type\":\"basic\",\"username\":\"u\",\"password\":\"p\"},"
                  + "\"destination_backend_id\":\"default\",\"destination_path\":\"creds\"}");
      String path = JOBS + "/" + id;

      for (String other :
          new String[] {
            "http://127.0.0.2:9/pub/", "https://127.0.0.1:9/pub/", "http://127.0.0.1:10/pub/"
          }) {
        TestServer.Response moved = s.patch(path, "{\"source_url\":\"" + other + "\"}");
        assertThat(moved.status()).as(other).isEqualTo(400);
        assertThat(JobsApiTest.fields(moved)).containsExactly("source_auth");
        assertThat(detail(moved)).contains("127.0.0.1:9");
      }
      assertThat(s.get(path).data().get("source_url").asText())
          .isEqualTo("http://127.0.0.1:9/pub/");

      TestServer.Response samePlace =
          s.patch(path, "{\"source_url\":\"http://127.0.0.1:9/other/\"}");
      assertThat(samePlace.status()).as(samePlace.body()).isEqualTo(200);
      assertThat(samePlace.data().get("source_auth").get("username").asText()).isEqualTo("u");

      TestServer.Response resent =
          s.patch(
              path,
              "{\"source_url\":\"http://127.0.0.2:9/pub/\","
                  + "\"source_auth\":{\"type\":\"basic\",\"username\":\"v\",\"password\":\"q\"}}");
      assertThat(resent.status()).as(resent.body()).isEqualTo(200);
      assertThat(resent.data().get("source_auth").get("username").asText()).isEqualTo("v");

      TestServer.Response dropped =
          s.patch(path, "{\"source_url\":\"http://127.0.0.3:9/pub/\",\"source_auth\":null}");
      assertThat(dropped.status()).as(dropped.body()).isEqualTo(200);
      assertThat(dropped.data().get("source_auth").isNull()).isTrue();
    }
  }

  @Test
  void loopback_sources_are_refused_by_literal_at_save_and_by_name_at_run_time() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        x -> {
          requests.incrementAndGet();
          byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    http.start();
    int port = http.getAddress().getPort();
    try (TestServer s =
        new TestServer(tmp, env("SYNCJOBS_SOURCE_DENY_NETWORKS", "127.0.0.0/8,::1/128"))) {
      for (String host : new String[] {"127.0.0.1", "[::1]", "127.1.2.3"}) {
        TestServer.Response r =
            s.post(
                JOBS,
                "{\"name\":\"literal-"
                    + Math.abs(host.hashCode())
                    + "\",\"source_url\":\"http://"
                    + host
                    + ":"
                    + port
                    + "/f.txt\",\"destination_backend_id\":\"default\",\"destination_path\":\"l"
                    + Math.abs(host.hashCode())
                    + "\"}");
        assertThat(r.status()).as(host).isEqualTo(400);
        assertThat(JobsApiTest.fields(r)).containsExactly("source_url");
        assertThat(detail(r)).contains("SYNCJOBS_SOURCE_DENY_NETWORKS");
      }

      String id =
          s.createJob(
              "{\"name\":\"by-name\",\"source_url\":\"http://localhost:"
                  + port
                  + "/f.txt\",\"destination_backend_id\":\"default\",\"destination_path\":\"by-name\","
                  + "\"max_retries\":0}");
      JsonNode refused = run(s, id);
      assertThat(refused.get("status").asText()).isEqualTo("failed");
      assertThat(refused.get("error").asText())
          .contains("localhost")
          .contains("SYNCJOBS_SOURCE_DENY_NETWORKS");
      assertThat(requests).hasValue(0);
    } finally {
      http.stop(0);
    }
  }
}
