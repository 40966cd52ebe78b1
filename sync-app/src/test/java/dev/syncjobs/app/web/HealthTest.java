package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.core.model.StorageBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /health} answers 200 while everything is fine and 503 while it is degraded. */
class HealthTest {
  @TempDir Path tmp;
  private TestServer s;

  @BeforeEach
  void start() {
    s = new TestServer(tmp);
    TestServer.await(
        "a scheduler tick",
        Duration.ofSeconds(5),
        () -> s.server.runtime().scheduler().lastTick() != null);
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void answers_200_ok_while_the_database_the_scheduler_and_every_backend_are_fine() {
    TestServer.Response r = s.send("GET", "/health", null, null, null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    JsonNode h = r.json();
    assertThat(h.get("status").asText()).isEqualTo("ok");
    assertThat(h.get("database").asText()).isEqualTo("ok");
    assertThat(h.get("scheduler").asText()).isEqualTo("ok");
    assertThat(h.get("backends").get("default").asText()).isEqualTo("online");
  }

  @Test
  void answers_503_degraded_while_a_backend_is_offline_and_200_once_it_is_back() throws Exception {
    Path marker = s.dataDir.resolve("storage").resolve(StorageBackend.MARKER);
    Path aside = tmp.resolve("marker-aside");
    Files.move(marker, aside);

    TestServer.Response down = s.send("GET", "/health", null, null, null);

    assertThat(down.status()).isEqualTo(503);
    assertThat(down.contentType()).startsWith("application/json");
    assertThat(down.json().get("status").asText()).isEqualTo("degraded");
    assertThat(down.json().get("backends").get("default").asText()).isEqualTo("offline");
    assertThat(down.json().get("database").asText()).isEqualTo("ok");

    Files.move(aside, marker);
    TestServer.Response back = s.send("GET", "/health", null, null, null);
    assertThat(back.status()).isEqualTo(200);
    assertThat(back.json().get("status").asText()).isEqualTo("ok");
  }
}
