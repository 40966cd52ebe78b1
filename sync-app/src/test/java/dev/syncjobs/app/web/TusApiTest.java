package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.UploadClient.random;
import static dev.syncjobs.app.web.UploadClient.sha256;
import static dev.syncjobs.app.web.UploadClient.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.testing.Await;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tus 1.0.0 protocol's own example requests against a real server on loopback. */
class TusApiTest {
  static final String TUS = "/api/v1/tus";
  @TempDir Path tmp;
  TestServer server;
  UploadClient client;

  @BeforeEach
  void start() {
    server = new TestServer(tmp);
    client = new UploadClient(server.server.port(), TestServer.ADMIN);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Path storage() {
    return server.dataDir.resolve("storage");
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, String> tus(String... pairs) {
    Map<String, String> h = new HashMap<>();
    h.put("Tus-Resumable", "1.0.0");
    for (int i = 0; i < pairs.length; i += 2) {
      h.put(pairs[i], pairs[i + 1]);
    }
    return h;
  }

  String create(long length, String metadata) {
    UploadClient.Response r =
        client.send(
            "POST",
            TUS + "/",
            null,
            tus("Upload-Length", "" + length, "Upload-Metadata", metadata));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.header("Tus-Resumable")).isEqualTo("1.0.0");
    assertThat(r.header("Upload-Expires")).endsWith("GMT");
    return r.header("Location");
  }

  UploadClient.Response patch(String location, long offset, byte[] body, String... extra) {
    Map<String, String> h =
        tus("Upload-Offset", "" + offset, "Content-Type", "application/offset+octet-stream");
    for (int i = 0; i < extra.length; i += 2) {
      h.put(extra[i], extra[i + 1]);
    }
    return client.send("PATCH", location, body, h);
  }

  long offset(String location) {
    UploadClient.Response r = client.send("HEAD", location, null, tus());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    return Long.parseLong(r.header("Upload-Offset"));
  }

  @Test
  void options_advertises_the_version_the_extensions_the_checksums_and_the_maximum_size() {
    UploadClient.Response r = client.send("OPTIONS", TUS + "/", null, Map.of());

    assertThat(r.status()).isEqualTo(204);
    assertThat(r.header("Tus-Version")).isEqualTo("1.0.0");
    assertThat(r.header("Tus-Extension").split(","))
        .contains("creation", "creation-with-upload", "expiration", "checksum", "termination");
    assertThat(r.header("Tus-Checksum-Algorithm")).isEqualTo("sha1,sha256");
    assertThat(Long.parseLong(r.header("Tus-Max-Size"))).isPositive();
  }

  @Test
  void create_head_and_patch_in_parts_place_the_file_from_its_metadata() {
    byte[] file = random(300_000, 1);
    String location = create(file.length, "filename " + b64("world_domination_plan.pdf"));
    assertThat(location).startsWith(TUS + "/");
    assertThat(offset(location)).isZero();
    UploadClient.Response head = client.send("HEAD", location, null, tus());
    assertThat(head.header("Upload-Length")).isEqualTo("" + file.length);

    UploadClient.Response first = patch(location, 0, slice(file, 0, 100_000));
    assertThat(first.status()).as(first.text()).isEqualTo(204);
    assertThat(first.header("Upload-Offset")).isEqualTo("100000");
    UploadClient.Response stale = patch(location, 0, slice(file, 0, 100_000));
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.errorField()).isEqualTo("Upload-Offset");
    UploadClient.Response rest = patch(location, 100_000, slice(file, 100_000, 200_000));
    assertThat(rest.status()).as(rest.text()).isEqualTo(204);
    assertThat(rest.header("Upload-Offset")).isEqualTo("300000");

    Path placed = storage().resolve("uploads/world_domination_plan.pdf");
    assertThat(placed).exists();
    assertThat(sha256(readAll(placed))).isEqualTo(sha256(file));
    String id = location.substring(location.lastIndexOf('/') + 1);
    assertThat(client.progress(id).data().get("status").asText()).isEqualTo("completed");
  }

  @Test
  void creation_with_upload_and_checksums_of_both_algorithms() throws Exception {
    byte[] file = random(50_000, 2);
    Map<String, String> h =
        tus(
            "Upload-Length", "" + file.length,
            "Upload-Metadata",
                "backend_id " + b64("default") + ",file_path " + b64("in/one/go.bin"),
            "Content-Type", "application/offset+octet-stream",
            "Upload-Checksum", "sha1 " + digest("SHA-1", slice(file, 0, 20_000)));
    UploadClient.Response created = client.send("POST", TUS, slice(file, 0, 20_000), h);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.header("Upload-Offset")).isEqualTo("20000");
    String location = created.header("Location");

    byte[] rest = slice(file, 20_000, 30_000);
    UploadClient.Response wrong =
        patch(
            location, 20_000, rest, "Upload-Checksum", "sha256 " + digest("SHA-256", new byte[1]));
    assertThat(wrong.status()).isEqualTo(460);
    assertThat(wrong.errorField()).isEqualTo("Upload-Checksum");
    assertThat(offset(location)).isEqualTo(20_000);
    UploadClient.Response unknown = patch(location, 20_000, rest, "Upload-Checksum", "md5 AAAA");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.errorField()).isEqualTo("Upload-Checksum");

    UploadClient.Response right =
        patch(location, 20_000, rest, "Upload-Checksum", "sha256 " + digest("SHA-256", rest));
    assertThat(right.status()).as(right.text()).isEqualTo(204);
    assertThat(sha256(readAll(storage().resolve("in/one/go.bin")))).isEqualTo(sha256(file));
  }

  @Test
  void an_interrupted_patch_keeps_what_arrived_and_the_upload_resumes_from_there()
      throws Exception {
    byte[] file = random(400_000, 3);
    String location = create(file.length, "filename " + b64("flaky.iso"));

    try (Socket broken =
        client.stalled(
            "PATCH",
            location,
            Map.of(
                "Tus-Resumable", "1.0.0",
                "Upload-Offset", "0",
                "Content-Type", "application/offset+octet-stream"),
            file.length,
            slice(file, 0, 150_000))) {
      assertThat(broken.isConnected()).isTrue();
    }
    Await.until(
        "the broken PATCH to be recorded", Duration.ofSeconds(20), () -> offset(location) > 0);
    long kept = offset(location);
    assertThat(kept).isEqualTo(150_000);

    UploadClient.Response rest =
        patch(location, kept, slice(file, (int) kept, file.length - (int) kept));
    assertThat(rest.status()).as(rest.text()).isEqualTo(204);
    assertThat(sha256(readAll(storage().resolve("uploads/flaky.iso")))).isEqualTo(sha256(file));
  }

  @Test
  void termination_removes_the_upload_and_its_data() throws Exception {
    String location = create(1000, "filename " + b64("gone.bin"));
    assertThat(patch(location, 0, new byte[10]).status()).isEqualTo(204);

    UploadClient.Response deleted = client.send("DELETE", location, null, tus());

    assertThat(deleted.status()).isEqualTo(204);
    assertThat(client.send("HEAD", location, null, tus()).status()).isEqualTo(404);
    try (Stream<Path> left = Files.list(storage().resolve(".syncjobs-uploads"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void requests_without_the_protocol_version_or_with_hostile_metadata_are_refused()
      throws Exception {
    UploadClient.Response noVersion = client.send("POST", TUS, null, Map.of("Upload-Length", "10"));
    assertThat(noVersion.status()).isEqualTo(412);
    assertThat(noVersion.header("Tus-Version")).isEqualTo("1.0.0");

    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(storage().resolve("escape"), outside);
    for (String metadata :
        List.of(
            "file_path " + b64("../../outside/x"),
            "file_path " + b64("/../outside/x"),
            "file_path " + b64("escape/x"),
            "file_path " + b64(".syncjobs-uploads/x"),
            "filename " + b64("../../../outside/x"),
            "filename " + b64("a/../../../x"))) {
      UploadClient.Response r =
          client.send("POST", TUS, null, tus("Upload-Length", "10", "Upload-Metadata", metadata));
      assertThat(r.status()).as(metadata + ": " + r.text()).isEqualTo(400);
      assertThat(r.errorField()).as(metadata).isEqualTo("file_path");
    }
    UploadClient.Response badBase64 =
        client.send(
            "POST", TUS, null, tus("Upload-Length", "10", "Upload-Metadata", "filename %%%"));
    assertThat(badBase64.errorField()).isEqualTo("Upload-Metadata");
    try (Stream<Path> written = Files.list(outside)) {
      assertThat(written).isEmpty();
    }
    UploadClient.Response viewer =
        new UploadClient(server.server.port(), TestServer.VIEWER)
            .send(
                "POST",
                TUS,
                null,
                tus("Upload-Length", "10", "Upload-Metadata", "filename " + b64("v")));
    assertThat(viewer.status()).isEqualTo(403);
  }

  static String digest(String algorithm, byte[] bytes) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(bytes));
  }

  static byte[] readAll(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
