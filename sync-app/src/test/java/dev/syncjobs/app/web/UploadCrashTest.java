package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.UploadClient.random;
import static dev.syncjobs.app.web.UploadClient.sha256;
import static dev.syncjobs.app.web.UploadClient.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.testing.Await;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a child JVM killed (SIGKILL) in the middle of a chunk: after a restart only the
 * chunks verified before the kill count, and the upload resumes to a file with the right SHA-256.
 */
class UploadCrashTest {
  static final int CHUNK = Upload.MIN_CHUNK_SIZE;
  @TempDir Path tmp;
  Process process;

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  Path data() {
    return tmp.resolve("data");
  }

  int startServer(String log) throws Exception {
    Files.deleteIfExists(data().resolve("server.port"));
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.syncjobs.app.Main",
            "serve");
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SYNCJOBS_"));
    env.put("SYNCJOBS_DATA_DIR", data().toString());
    env.put("SYNCJOBS_PORT", "0");
    env.put("SYNCJOBS_ADMIN_TOKEN", TestServer.ADMIN);
    pb.redirectOutput(tmp.resolve(log + ".out").toFile());
    pb.redirectError(tmp.resolve(log + ".err").toFile());
    process = pb.start();
    int[] port = {0};
    Await.until(
        "the server to answer /health",
        Duration.ofSeconds(60),
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError("server exited: " + read(log + ".err"));
          }
          try {
            Path f = data().resolve("server.port");
            String text = Files.exists(f) ? Files.readString(f).trim() : "";
            if (text.isEmpty()) {
              return false;
            }
            port[0] = Integer.parseInt(text);
            return new UploadClient(port[0], null).send("GET", "/health", null, Map.of()).status()
                == 200;
          } catch (IOException | NumberFormatException | AssertionError e) {
            return false;
          }
        });
    return port[0];
  }

  String read(String file) {
    try {
      return Files.readString(tmp.resolve(file));
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void a_server_killed_mid_chunk_keeps_only_verified_chunks_and_the_upload_resumes()
      throws Exception {
    byte[] file = random(4 * CHUNK - 77, 42);
    UploadClient client = new UploadClient(startServer("first"), TestServer.ADMIN);
    String id = client.started("crash/disc.iso", file.length, CHUNK, sha256(file));
    assertThat(client.chunk(id, 0, slice(file, 0, CHUNK)).status()).isEqualTo(200);
    assertThat(client.chunk(id, 2, slice(file, 2 * CHUNK, CHUNK)).status()).isEqualTo(200);
    byte[] one = slice(file, CHUNK, CHUNK);

    try (Socket midChunk =
        client.stalled(
            "POST",
            "/api/v1/sync/upload/" + id + "/chunk/1",
            Map.of("X-Chunk-SHA256", sha256(one)),
            CHUNK,
            slice(one, 0, CHUNK / 2))) {
      assertThat(midChunk.isConnected()).isTrue();
      process.destroyForcibly();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    client = new UploadClient(startServer("second"), TestServer.ADMIN);
    JsonNode progress = client.progress(id).data();
    assertThat(progress.get("status").asText()).isEqualTo("active");
    assertThat(progress.get("completed_chunks").asInt()).isEqualTo(2);
    assertThat(progress.get("missing_chunks").toString()).isEqualTo("[1,3]");
    assertThat(progress.get("uploaded_bytes").asLong()).isEqualTo(2L * CHUNK);
    JsonNode resumed =
        client.send("POST", "/api/v1/sync/upload/" + id + "/resume", null, Map.of()).data();
    assertThat(resumed.get("resume_from_chunk").asInt()).isEqualTo(1);

    assertThat(client.chunk(id, 1, one).status()).isEqualTo(200);
    UploadClient.Response last = client.chunk(id, 3, slice(file, 3 * CHUNK, CHUNK - 77));
    assertThat(last.status()).as(last.text()).isEqualTo(200);
    assertThat(last.data().get("status").asText()).isEqualTo("completed");
    Path placed = data().resolve("storage/crash/disc.iso");
    assertThat(sha256(Files.readAllBytes(placed))).isEqualTo(sha256(file));
  }
}
