package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real server: a source's names land byte for byte inside the version and nowhere else,
 * names the backend cannot hold are counted in {@code files_skipped}, and modes are never widened.
 */
class SourceNamesAndModesTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";
  @TempDir static Path tmp;
  static Path sources;
  static TestServer s;

  @BeforeAll
  static void start() throws IOException {
    sources = Files.createDirectories(tmp.resolve("sources"));
    s = new TestServer(tmp, Map.of("SYNCJOBS_LOCAL_SOURCE_ROOTS", sources.toString()));
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  private JsonNode runToEnd(String jobId) {
    TestServer.Response started = s.post(JOBS + "/" + jobId + "/run", null);
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    return s.awaitRunEnd(jobId, started.data().get("id").asText(), Duration.ofSeconds(30));
  }

  @Test
  void a_backslash_name_climbing_out_lands_byte_for_byte_in_the_version_and_nothing_outside()
      throws IOException {
    Path src = Files.createDirectories(sources.resolve("backslash"));
    Path outside = tmp.resolve("x");
    String name =
        "..\\".repeat(tmp.getNameCount() + 6)
            + tmp.toString().substring(1).replace('/', '\\')
            + "\\x\\pwned.txt";
    Files.writeString(src.resolve(name), "mirrored, not planted");
    String id = s.createJob(TestServer.jobJson("backslash", src, "backslash", ""));

    JsonNode run = runToEnd(id);

    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("success");
    assertThat(run.get("files_synced").asInt()).isEqualTo(1);
    assertThat(run.get("files_skipped").asInt()).isZero();
    Path version = tmp.resolve("data/storage/backslash").resolve(run.get("version").asText());
    assertThat(Files.readString(version.resolve(name))).isEqualTo("mirrored, not planted");
    try (var listed = Files.list(version)) {
      assertThat(listed.map(p -> p.getFileName().toString())).containsExactly(name);
    }
    assertThat(outside).doesNotExist();
  }

  @Test
  void a_private_file_stays_private_in_the_version_and_no_file_gets_write_bits()
      throws IOException {
    Path src = Files.createDirectories(sources.resolve("modes"));
    Files.writeString(src.resolve("secret.key"), "private");
    Files.setPosixFilePermissions(
        src.resolve("secret.key"), PosixFilePermissions.fromString("rw-------"));
    Path folder = Files.createDirectories(src.resolve("team"));
    Files.writeString(folder.resolve("shared.txt"), "group");
    Files.setPosixFilePermissions(
        folder.resolve("shared.txt"), PosixFilePermissions.fromString("rw-r-----"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-x---"));
    String id = s.createJob(TestServer.jobJson("modes", src, "modes", ""));

    JsonNode run = runToEnd(id);

    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("success");
    Path current = tmp.resolve("data/storage/modes/current");
    assertThat(Files.getPosixFilePermissions(current.resolve("secret.key")))
        .isEqualTo(PosixFilePermissions.fromString("r--------"));
    assertThat(Files.getPosixFilePermissions(current.resolve("team/shared.txt")))
        .isEqualTo(PosixFilePermissions.fromString("r--r-----"));
    assertThat(Files.getPosixFilePermissions(current.resolve("team")))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
  }

  @Test
  void names_an_http_listing_spells_but_no_file_system_holds_are_counted_not_fatal()
      throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String row = "<a href=\"%s\">%s</a>    01-Jan-2026 00:00    %d\n";
    String page =
        "<html><body><pre>"
            + String.format(row, "good.txt", "good.txt", 4)
            + String.format(row, "nul%00byte.txt", "nul", 4)
            + String.format(row, "slash%2Finside.txt", "slash", 4)
            + String.format(row, "y".repeat(300), "long", 4)
            + String.format(row, "back%5Cslash.txt", "back\\slash.txt", 4)
            + "</pre></body></html>";
    http.createContext(
        "/list/",
        ex -> {
          String path = ex.getRequestURI().getRawPath();
          if (path.equals("/list/")) {
            reply(ex, "text/html; charset=utf-8", page);
          } else if (path.equals("/list/good.txt") || path.equals("/list/back%5Cslash.txt")) {
            reply(ex, "application/octet-stream", "data");
          } else {
            ex.sendResponseHeaders(404, -1);
            ex.close();
          }
        });
    http.start();
    try {
      String id =
          s.createJob(
              "{\"name\":\"listing\",\"source_url\":\"http://127.0.0.1:"
                  + http.getAddress().getPort()
                  + "/list/\",\"destination_backend_id\":\"default\",\"destination_path\":"
                  + "\"listing\"}");

      JsonNode run = runToEnd(id);
      JsonNode again = runToEnd(id);

      assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("success");
      assertThat(run.get("files_skipped").asInt()).isEqualTo(3);
      assertThat(run.get("files_total").asInt()).isEqualTo(2);
      Path version = tmp.resolve("data/storage/listing").resolve(run.get("version").asText());
      assertThat(Files.readString(version.resolve("back\\slash.txt"))).isEqualTo("data");
      String log = s.get(JOBS + "/" + id + "/runs/" + run.get("id").asText() + "/log").body();
      assertThat(log)
          .contains("skipped \"nul\\x00byte.txt\"")
          .contains("skipped \"slash/inside.txt\"");
      assertThat(again.get("status").asText()).isEqualTo("success");
      assertThat(again.get("version").asText()).isEqualTo(run.get("version").asText());
      assertThat(again.get("files_synced").asInt()).isZero();
      assertThat(again.get("files_skipped").asInt()).isEqualTo(3);
    } finally {
      http.stop(0);
    }
  }

  private static void reply(HttpExchange ex, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(200, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }
}
