package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.UploadClient.random;
import static dev.syncjobs.app.web.UploadClient.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tus-js-client (npm, pinned in src/test/node/package.json) in Node against the server: an upload
 * broken off in the middle of a PATCH and resumed by a new client on the same URL.
 */
class TusJsClientTest {
  static final Path NODE_DIR = Path.of("src", "test", "node").toAbsolutePath();
  @TempDir Path tmp;

  @Test
  void tus_js_client_resumes_an_upload_broken_off_mid_patch() throws Exception {
    requireNode();
    byte[] file = random(48_000_000, 7);
    Path source = Files.write(tmp.resolve("source.bin"), file);
    try (TestServer server = new TestServer(tmp)) {
      // paced at 16 MiB/s the 48 MB PATCH takes about three seconds, so the client's abort at 40%
      // always lands mid-body; unpaced on loopback the PATCH could complete before the abort
      TestServer.Response paced =
          server.send(
              "PUT",
              "/api/v1/sync/bandwidth/limit",
              TestServer.ADMIN,
              "{\"upload_speed_limit\":16777216,\"download_speed_limit\":null}",
              "application/json");
      assertThat(paced.status()).as(paced.body()).isEqualTo(200);
      Process node =
          new ProcessBuilder(
                  "node",
                  "tus-upload.js",
                  server.base() + "/api/v1/tus/",
                  TestServer.ADMIN,
                  source.toString(),
                  "from-node.bin")
              .directory(NODE_DIR.toFile())
              .redirectErrorStream(true)
              .start();
      assertThat(node.waitFor(90, TimeUnit.SECONDS)).as("node finished").isTrue();
      String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(node.exitValue()).as(out).isZero();
      List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
      JsonNode result = TestServer.JSON.readTree(lines.get(lines.size() - 1));

      System.err.println("TusJsClientTest: " + result);
      long broken = result.get("offsetAfterBreak").asLong();
      assertThat(broken).as(out).isGreaterThan(0).isLessThan(file.length);
      assertThat(result.get("firstProgress").asLong()).isGreaterThanOrEqualTo(broken);
      Path placed = server.dataDir.resolve("storage/uploads/from-node.bin");
      assertThat(sha256(Files.readAllBytes(placed))).isEqualTo(sha256(file));
    }
  }

  private static void requireNode() {
    boolean node;
    try {
      node = new ProcessBuilder("node", "--version").start().waitFor(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      node = false;
    }
    if (node && Files.isDirectory(NODE_DIR.resolve("node_modules/tus-js-client"))) {
      return;
    }
    String msg =
        "TusJsClientTest needs node and tus-js-client in "
            + NODE_DIR
            + "/node_modules: run .ci/setup-node.sh";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(msg);
    }
    System.err.println("SKIPPED: " + msg);
    Assumptions.abort(msg);
  }
}
