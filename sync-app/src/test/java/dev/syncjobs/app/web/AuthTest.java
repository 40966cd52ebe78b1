package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens and roles on every route. */
class AuthTest {
  @TempDir static Path tmp;
  static TestServer s;
  static String jobId;
  static String runId;
  static String uploadId;

  @BeforeAll
  static void start() throws Exception {
    s = new TestServer(tmp);
    Path src = TestServer.sourceTree(tmp.resolve("src"), 1, 100);
    jobId = s.createJob(jobJson("auth-job", src, "auth", ""));
    runId = s.post("/api/v1/storage/sync-jobs/" + jobId + "/run", null).data().get("id").asText();
    s.awaitRunEnd(jobId, runId, Duration.ofSeconds(30));
    uploadId =
        s.post("/api/v1/sync/upload/start", "{\"file_path\":\"auth.bin\",\"total_size\":10}")
            .data()
            .get("upload_id")
            .asText();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  private static List<SyncServer.Route> httpRoutes() {
    return s.server.routes().stream()
        .filter(r -> !r.method().equals("WS"))
        .filter(r -> !r.path().equals("/health"))
        .filter(r -> !r.path().equals(OpenApiDocs.UI_PATH))
        .toList();
  }

  private static String concrete(String path) {
    return path.replace("{id}", jobId)
        .replace("{run_id}", runId)
        .replace("{upload_id}", uploadId)
        .replace("{chunk_number}", "0");
  }

  private static String bodyFor(SyncServer.Route r) {
    return switch (r.method()) {
      case "POST", "PATCH", "PUT" ->
          r.path().endsWith("sync-jobs") ? jobJson("x-job", tmp, "x", "") : "{}";
      default -> null;
    };
  }

  @Test
  void every_protected_route_answers_401_without_or_with_a_wrong_token() {
    List<SyncServer.Route> routes = httpRoutes();
    assertThat(routes).hasSizeGreaterThanOrEqualTo(15);
    for (SyncServer.Route r : routes) {
      for (String token : new String[] {null, "wrong-token-0123456789abcdef", ""}) {
        TestServer.Response res = s.send(r.method(), concrete(r.path()), token, bodyFor(r), null);
        assertThat(res.status()).as(r + " with token " + token).isEqualTo(401);
        assertThat(res.contentType()).as(r.toString()).startsWith("application/problem+json");
        assertThat(res.raw().headers().firstValue("WWW-Authenticate")).isPresent();
      }
    }
  }

  @Test
  void a_viewer_gets_403_on_every_mutating_route_and_nothing_changes() {
    List<SyncServer.Route> mutating =
        httpRoutes().stream()
            .filter(r -> !r.method().equals("GET") && !r.method().equals("HEAD"))
            .toList();
    assertThat(mutating)
        .extracting(SyncServer.Route::method)
        .contains("POST", "PATCH", "DELETE", "PUT");
    for (SyncServer.Route r : mutating) {
      TestServer.Response res =
          s.send(r.method(), concrete(r.path()), TestServer.VIEWER, bodyFor(r), null);
      assertThat(res.status()).as(r.toString()).isEqualTo(403);
      assertThat(res.json().get("status").asInt()).isEqualTo(403);
    }
    assertThat(s.get("/api/v1/storage/sync-jobs/" + jobId).status()).isEqualTo(200);
    assertThat(s.get("/api/v1/sync/upload/" + uploadId + "/progress").status()).isEqualTo(200);
    assertThat(s.get("/api/v1/storage/sync-jobs/" + jobId + "/history").json().get("total").asInt())
        .isEqualTo(1);
  }

  @Test
  void a_viewer_reads_every_get_route() {
    for (SyncServer.Route r : httpRoutes()) {
      if (r.method().equals("GET")) {
        TestServer.Response res = s.send("GET", concrete(r.path()), TestServer.VIEWER, null, null);
        assertThat(res.status()).as(r.toString()).isEqualTo(200);
      }
    }
  }

  @Test
  void access_token_in_the_query_is_refused_outside_websocket_paths() {
    TestServer.Response res =
        s.send(
            "GET", "/api/v1/storage/sync-jobs?access_token=" + TestServer.ADMIN, null, null, null);
    assertThat(res.status()).isEqualTo(401);
  }

  @Test
  void websocket_needs_a_token_in_the_header_or_the_query() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String ws = "ws://127.0.0.1:" + s.server.port() + "/api/v1/ws/sync";
    WebSocket.Listener quiet = new WebSocket.Listener() {};
    try {
      client.newWebSocketBuilder().buildAsync(URI.create(ws), quiet).join();
      throw new AssertionError("connected without a token");
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
      assertThat(
              ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
          .isEqualTo(401);
    }
    List<WebSocket> open = new ArrayList<>();
    open.add(
        client
            .newWebSocketBuilder()
            .buildAsync(URI.create(ws + "?access_token=" + TestServer.VIEWER), quiet)
            .get(10, TimeUnit.SECONDS));
    open.add(
        client
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + TestServer.ADMIN)
            .buildAsync(URI.create(ws + "/" + jobId), quiet)
            .get(10, TimeUnit.SECONDS));
    assertThat(open).hasSize(2);
    for (WebSocket w : open) {
      w.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    }
  }
}
